package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
)

// TestImportUnprivileged runs an import as nobody (uid/gid 65534) into a
// directory nobody owns: the files stay nobody's (no chown to root), and
// shadow.db falls back to 0600 because nobody cannot give it group shadow —
// never 0640 with nobody's own group.
func TestImportUnprivileged(t *testing.T) {
	if os.Geteuid() != 0 {
		if os.Getenv("LDAPIDM_REQUIRE_ALL") == "1" {
			t.Fatal("needs root to switch to nobody")
		}
		t.Skip("needs root to switch to nobody")
	}
	dir, files := workdir(t)
	if err := os.Chmod(filepath.Dir(bin), 0o755); err != nil {
		t.Fatal(err)
	}
	// t.TempDir's parent is 0700; nobody must traverse it to read the inputs.
	if err := os.Chmod(filepath.Dir(files), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(dir, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	p := write(t, files, "passwd", passwdIn)
	g := write(t, files, "group", groupIn)
	s := write(t, files, "shadow", "alice:$6$salt$hash:19000:0:99999:7:::\n")
	cmd := exec.Command(bin, "import", "--cachedir", dir, "--passwd", p, "--group", g, "--shadow", s)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("import as nobody: %v\n%s", err, out)
	}
	for _, c := range []struct {
		file string
		mode os.FileMode
	}{{"cache.db", 0o644}, {"shadow.db", 0o600}} {
		fi, err := os.Stat(filepath.Join(dir, c.file))
		if err != nil {
			t.Fatal(err)
		}
		st := fi.Sys().(*syscall.Stat_t)
		if fi.Mode().Perm() != c.mode || st.Uid != 65534 || st.Gid != 65534 {
			t.Errorf("%s: mode %04o owner %d:%d, want %04o 65534:65534", c.file, fi.Mode().Perm(), st.Uid, st.Gid, c.mode)
		}
	}
}
