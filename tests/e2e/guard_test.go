package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/ldapidm/ldapidm/internal/fixture"
	"github.com/ldapidm/ldapidm/internal/slapdtest"
)

// A pull that lost most users (here: a filter now matching 100 of 1,000)
// is refused by the shrink guard, exit non-zero with the cache unchanged;
// --force publishes it.
func TestShrinkGuard(t *testing.T) {
	needGetent(t)
	t.Parallel()
	fx := fixture.Generate(fixture.Options{Users: 1000, Groups: 10, MembersPerGroup: 5})
	srv := slapdtest.MustStart(t, slapdtest.Options{})
	if err := srv.Load(context.Background(), fx.LDIF); err != nil {
		t.Fatal(err)
	}
	e := newEnv(t)
	d := fixtureDir(srv, fx)
	e.write(conf{Jitter: -1, MaxShrink: 20, Dirs: []dirConf{d}})
	e.mustRefresh()
	gen := e.generation()
	before, _ := e.getent("passwd")

	d.PFilter = "(&(objectClass=posixAccount)(uid=user0000*))" // user000000–user000099
	e.write(conf{Jitter: -1, MaxShrink: 20, Dirs: []dirConf{d}})
	r := e.refresh("--once")
	if r.Code == 0 {
		t.Fatalf("a pull losing 90%% of the users was published:\n%s", r)
	}
	if !strings.Contains(r.Stderr, "shrink") {
		t.Errorf("the refusal does not name the shrink guard:\n%s", r)
	}
	if g := e.generation(); g != gen {
		t.Errorf("generation %d after the refused pull, want %d", g, gen)
	}
	if after, _ := e.getent("passwd"); after != before {
		t.Error("getent output changed after the refused pull")
	}
	if rep, sr := e.statusJSON(); sr.Code != 1 || !strings.Contains(rep.Status.LastError, "shrink") {
		t.Errorf("status after the refusal:\n%s", sr)
	}
	e.noLeftovers()

	e.mustRefresh("--force")
	if g := e.generation(); g != gen+1 {
		t.Errorf("generation %d after --force, want %d", g, gen+1)
	}
	want := make([]string, 100)
	for i := range want {
		want[i] = passwdLine(fx.Snapshot.Users[i])
	}
	out, _ := e.getent("passwd")
	wantEnum(t, "getent passwd after --force", out, want)
	if rep, sr := e.statusJSON(); sr.Code != 0 || !rep.Status.Forced || rep.Status.ConsecutiveFailures != 0 {
		t.Errorf("status after --force:\n%s", sr)
	}
}
