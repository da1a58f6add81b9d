package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ldapidm/ldapidm/internal/fixture"
	"github.com/ldapidm/ldapidm/internal/slapdtest"
)

// needRoot skips (or fails under LDAPIDM_REQUIRE_ALL=1) unless we are root
// with unshare(1), which a private mount namespace needs.
func needRoot(t *testing.T) {
	t.Helper()
	// Root in a container may still lack CAP_SYS_ADMIN: probe it.
	if os.Geteuid() == 0 && exec.Command("unshare", "-m", "true").Run() == nil {
		return
	}
	if os.Getenv("LDAPIDM_REQUIRE_ALL") == "1" {
		t.Fatal("needs root and a working `unshare -m` (LDAPIDM_REQUIRE_ALL=1)")
	}
	t.Skip("needs root and a working `unshare -m` for a private mount namespace")
}

// Lookups through a real /etc/nsswitch.conf naming ldapidm, as a host
// configured for it does them: id(1) (getpwnam + initgroups through
// initgroups_dyn), chown(1) by name and ls(1) resolving the ids back. The
// nsswitch.conf is bind-mounted inside `unshare -m`, so the host's file is
// never touched.
func TestNsswitchInNamespace(t *testing.T) {
	needGetent(t)
	needRoot(t)
	t.Parallel()
	fx := fixture.Generate(fixture.Options{Users: 12, Groups: 4, MembersPerGroup: 4, Friendly: true})
	srv := slapdtest.MustStart(t, slapdtest.Options{})
	srv.MustAdd(t, fx.LDIF)
	e := newEnv(t)
	e.write(conf{Jitter: -1, MaxShrink: -1, Dirs: []dirConf{fixtureDir(srv, fx)}})
	e.mustRefresh()

	nss := filepath.Join(e.dir, "nsswitch.conf")
	writeFile(t, nss, "passwd: files ldapidm\ngroup: files ldapidm\nshadow: files\nhosts: files\n", 0o644)
	target := filepath.Join(e.dir, "owned")
	writeFile(t, target, "", 0o644)
	script := `set -eu
mount --bind "$1" /etc/nsswitch.conf
id alice
chown alice:research "$2"
ls -l "$2"
`
	cmd := exec.Command("unshare", "-m", "--", "sh", "-c", script, "sh", nss, target)
	cmd.Env = append(os.Environ(), "LD_LIBRARY_PATH="+soDir, "LDAPIDM_CACHE_DIR="+e.cacheDir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("unshare: %v\n%s", err, out)
	}
	// alice is user 0: gid 10000 (engineering), member of engineering and
	// design (group 3 wraps around to the first four users).
	want := "uid=10000(alice) gid=10000(engineering) groups=10000(engineering),10003(design)"
	got := strings.Split(string(out), "\n")
	if got[0] != want {
		t.Errorf("id alice = %q, want %q", got[0], want)
	}
	if f := strings.Fields(got[1]); len(f) < 4 || f[2] != "alice" || f[3] != "research" {
		t.Errorf("ls -l = %q, want owner alice, group research", got[1])
	}
	fi, err := os.Stat(target)
	if err != nil {
		t.Fatal(err)
	}
	if uid, gid := statIDs(fi); uid != 10000 || gid != 10001 {
		t.Errorf("file owned by %d:%d outside the namespace, want 10000:10001", uid, gid)
	}
	// The bind mount stayed inside the namespace.
	if host, _ := os.ReadFile("/etc/nsswitch.conf"); string(host) == string(mustRead(t, nss)) {
		t.Error("the host sees the private nsswitch.conf: the bind mount leaked out of the namespace")
	}
}
