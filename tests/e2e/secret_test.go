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

// The bind credential never appears in anything the refresher prints or
// writes: debug logs of a good pull, a refused bind (wrong password), a
// password in a bindcredfile, -n, and the status command. (Every env.refresh
// checks stdout, stderr and status.json; this test drives the paths where a
// leak is most likely.)
func TestCredentialNeverPrinted(t *testing.T) {
	t.Parallel()
	fx := fixture.Generate(fixture.Options{Users: 20, Groups: 2, MembersPerGroup: 2})
	srv := slapdtest.MustStart(t, slapdtest.Options{})
	srv.MustAdd(t, fx.LDIF)
	e := newEnv(t)
	d := fixtureDir(srv, fx)
	e.write(conf{Jitter: -1, MaxShrink: -1, Dirs: []dirConf{d}})
	if r := e.mustRefresh("-d"); !strings.Contains(r.Stderr, "level=DEBUG") {
		t.Errorf("-d logged nothing at debug level:\n%s", r)
	}
	e.refresh("-n")

	d.BindCred = "Wr0ng-pa55word-xyzzy"
	e.write(conf{Jitter: -1, MaxShrink: -1, Dirs: []dirConf{d}})
	r := e.refresh("--once", "-d")
	if r.Code != 1 {
		t.Fatalf("a bind with a wrong password succeeded:\n%s", r)
	}
	if !strings.Contains(strings.ToLower(r.Stderr), "bind") {
		t.Errorf("the failure does not say the bind failed:\n%s", r)
	}

	// bindcredfile: the file's content is the secret.
	cred := filepath.Join(e.dir, "bind.pw")
	writeFile(t, cred, srv.ReaderPW+"\n", 0o600)
	d.BindCred = ""
	d.Extra = []string{`bindcredfile "` + cred + `"`}
	e.write(conf{Jitter: -1, MaxShrink: -1, Dirs: []dirConf{d}})
	e.mustRefresh("-d")

	for _, args := range [][]string{{"status"}, {"status", "--json"}} {
		out, _ := exec.Command(refresher, append(args, "--cachedir", e.cacheDir)...).CombinedOutput()
		e.checkNoSecret("status", string(out))
	}
	data, err := os.ReadFile(e.cacheDir + "/status.json")
	if err != nil {
		t.Fatal(err)
	}
	e.checkNoSecret("status.json", string(data))
}

// The status command without any cache: exit 2 (no cache), in both forms;
// after a failed first attempt against a dead server still 2; the human
// form names the failure.
func TestStatusCommand(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	os.MkdirAll(e.cacheDir, 0o755)
	rep, r := e.statusJSON()
	if r.Code != 2 || rep.Health != "no cache" {
		t.Fatalf("status of an empty directory:\n%s", r)
	}
	// A directory that refuses connections (port 1 on loopback).
	e.write(conf{Jitter: -1, MaxShrink: -1, Dirs: []dirConf{{Host: "127.0.0.1", Port: 1,
		BaseDN: "ou=people,dc=x", Members: "memberUid"}}})
	if r := e.refresh("--once"); r.Code != 1 {
		t.Fatalf("--once against a dead server:\n%s", r)
	}
	out, err := exec.Command(refresher, "status", "-f", e.confPath).CombinedOutput()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	}
	if code != 2 || !strings.Contains(string(out), "FAILED") || !strings.Contains(string(out), "no cache") {
		t.Fatalf("status -f after a failed first attempt: exit %d\n%s", code, out)
	}
}
