package refresher

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/ldapidm/ldapidm/internal/fixture"
	"github.com/ldapidm/ldapidm/internal/slapdtest"
	"github.com/ldapidm/ldapidm/refresher/config"
	"github.com/ldapidm/ldapidm/refresher/ldapsrc"
)

func TestPullFailover(t *testing.T) {
	down := slapdtest.MustStart(t, slapdtest.Options{})
	up := slapdtest.MustStart(t, slapdtest.Options{})
	fx := fixture.Generate(fixture.Options{Users: 20, Groups: 2, MembersPerGroup: 3})
	down.MustLoad(t, fx.LDIF)
	up.MustLoad(t, fx.LDIF)
	down.Kill()
	d := fx.ConfigDirectory(down.Host, down.Port)
	d.Servers = append(d.Servers, config.Server{Host: up.Host, Port: up.Port})
	res, err := Pull(context.Background(), testConfig(t, 5, d), discard)
	if err != nil {
		t.Fatal(err)
	}
	checkSnapshot(t, res.Snapshot, fx.Snapshot)
	if res.Directories[0].Server != d.URL(1) {
		t.Fatalf("answered by %q, want the second server", res.Directories[0].Server)
	}
}

// One directory down fails the whole pull, even though the other is fine.
func TestPullAllOrNothing(t *testing.T) {
	a := slapdtest.MustStart(t, slapdtest.Options{})
	b := slapdtest.MustStart(t, slapdtest.Options{Suffix: "dc=other,dc=org"})
	fa := fixture.Generate(fixture.Options{Users: 5, Shadow: true})
	fb := fixture.Generate(fixture.Options{Users: 5, UIDBase: 20000, Suffix: "dc=other,dc=org", Friendly: true})
	a.MustLoad(t, fa.LDIF)
	b.MustLoad(t, fb.LDIF)
	cfg := testConfig(t, 2, fa.ConfigDirectory(a.Host, a.Port), fb.ConfigDirectory(b.Host, b.Port))
	res, err := Pull(context.Background(), cfg, discard)
	if err != nil || len(res.Snapshot.Users) != 10 {
		t.Fatalf("both up: err %v", err)
	}
	// Only the first directory serves shadow: its users say "x" and have
	// shadow entries, the second's say "*" and have none.
	if len(res.Snapshot.Shadow) != 5 {
		t.Fatalf("%d shadow entries, want 5", len(res.Snapshot.Shadow))
	}
	for _, u := range res.Snapshot.Users {
		if want := map[bool]string{true: "x", false: "*"}[u.UID < 20000]; u.Passwd != want {
			t.Fatalf("%s: passwd %q, want %q", u.Name, u.Passwd, want)
		}
	}
	b.Kill()
	res, err = Pull(context.Background(), cfg, discard)
	var de *DirectoryError
	if !errors.As(err, &de) || res == nil || res.Snapshot != nil || len(res.Directories) != 2 {
		t.Fatalf("second down: err %v, result %+v", err, res)
	}
}

// A server killed after the first page: the pull fails instead of
// publishing the entries it had.
func TestPullServerKilledMidPull(t *testing.T) {
	srv := slapdtest.MustStart(t, slapdtest.Options{})
	fx := fixture.Generate(fixture.Options{Users: 50, Groups: 2})
	srv.MustLoad(t, fx.LDIF)
	pageHook = func(_ int, _ string, page, _ int) {
		if page == 1 {
			srv.Kill()
		}
	}
	t.Cleanup(func() { pageHook = nil })
	res, err := Pull(context.Background(), testConfig(t, 10, fx.ConfigDirectory(srv.Host, srv.Port)), discard)
	var le *ldapsrc.Error
	if !errors.As(err, &le) || le.Page != 2 || res.Snapshot != nil {
		t.Fatalf("err %v (snapshot %v), want a failure on page 2", err, res.Snapshot != nil)
	}
}

func TestPullWrongPassword(t *testing.T) {
	srv := slapdtest.MustStart(t, slapdtest.Options{})
	fx := fixture.Generate(fixture.Options{Users: 3})
	srv.MustLoad(t, fx.LDIF)
	d := readerDir(srv, fx)
	d.BindCred = "definitely-wrong"
	log, buf := newLog()
	res, err := Pull(context.Background(), testConfig(t, 0, d), log)
	if err == nil || res.Snapshot != nil {
		t.Fatalf("wrong password: err %v", err)
	}
	if strings.Contains(buf.String(), "definitely-wrong") || strings.Contains(err.Error(), "definitely-wrong") {
		t.Fatal("credential in log or error")
	}
}
