package refresher

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/ldapidm/ldapidm/internal/fixture"
	"github.com/ldapidm/ldapidm/internal/slapdtest"
	"github.com/ldapidm/ldapidm/refresher/config"
	"github.com/ldapidm/ldapidm/refresher/ldapsrc"
)

// The first server is killed part-way through a paged search (of the users,
// or of the groups after the users were read whole): the same pull starts
// the directory again on the second server and succeeds. The two servers
// hold different data (the second names its first users alice, bob, …),
// so a result that kept anything the first server sent before it died
// would not equal the second server's snapshot exactly, or would carry
// duplicate rejections.
func TestPullFailoverMidPull(t *testing.T) {
	first := slapdtest.MustStart(t, slapdtest.Options{})
	fa := fixture.Generate(fixture.Options{Users: 60, Groups: 30, MembersPerGroup: 3})
	first.MustLoad(t, fa.LDIF)
	fb := fixture.Generate(fixture.Options{Users: 60, Groups: 30, MembersPerGroup: 3, Friendly: true})
	second := slapdtest.MustStart(t, slapdtest.Options{})
	second.MustLoad(t, fb.LDIF)

	for _, tc := range []struct {
		name string
		base string // the search during whose paging the first server dies
	}{
		{"killed during the user search", fa.PeopleDN},
		{"killed during the group search", fa.GroupsDN},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !first.Running() {
				if err := first.Restart(context.Background()); err != nil {
					t.Fatal(err)
				}
			}
			var once sync.Once
			var killedAt string
			pageHook = func(_ int, base string, page, _ int) {
				// The first server is dialled first, so the first page of
				// tc.base comes from it.
				if base == tc.base && page == 1 {
					once.Do(func() {
						first.Kill()
						killedAt = fmt.Sprintf("%s page %d", base, page)
					})
				}
			}
			t.Cleanup(func() { pageHook = nil })
			d := fa.ConfigDirectory(first.Host, first.Port)
			d.Servers = append(d.Servers, config.Server{Host: second.Host, Port: second.Port})
			log, buf := newLog()
			res, err := Pull(context.Background(), testConfig(t, 10, d), log)
			if killedAt == "" {
				t.Fatal("the first server was never killed")
			}
			if err != nil {
				t.Fatalf("pull with a second server after a kill at %s: %v", killedAt, err)
			}
			checkSnapshot(t, res.Snapshot, fb.Snapshot)
			if len(res.Rejections) != 0 {
				t.Fatalf("rejections (entries of the dead server mixed in?): %v", res.Rejections)
			}
			if len(res.Directories) != 1 || res.Directories[0].Server != d.URL(1) ||
				res.Directories[0].Users != 60 || res.Directories[0].Groups != 30 {
				t.Fatalf("report %+v, want the second server %s with 60 users, 30 groups", res.Directories, d.URL(1))
			}
			if want := fmt.Sprintf("ldap 127.0.0.1 port %d", second.Port); res.Snapshot.Source != want {
				t.Fatalf("source %q, want %q", res.Snapshot.Source, want)
			}
			if !strings.Contains(buf.String(), "trying the next server") {
				t.Fatalf("the failover was not logged:\n%s", buf.String())
			}
		})
	}
}

// With only dead or dying servers the directory fails, and the error says
// what happened on each: the search cut short on the first, the refused
// connection on the second.
func TestPullEveryServerFails(t *testing.T) {
	first := slapdtest.MustStart(t, slapdtest.Options{})
	fx := fixture.Generate(fixture.Options{Users: 40, Groups: 2})
	first.MustLoad(t, fx.LDIF)
	gone := slapdtest.MustStart(t, slapdtest.Options{})
	gone.Kill()
	pageHook = func(_ int, _ string, page, _ int) {
		if page == 1 {
			first.Kill()
		}
	}
	t.Cleanup(func() { pageHook = nil })
	d := fx.ConfigDirectory(first.Host, first.Port)
	d.Servers = append(d.Servers, config.Server{Host: gone.Host, Port: gone.Port})
	res, err := Pull(context.Background(), testConfig(t, 10, d), discard)
	var ce *ldapsrc.ConnectError
	if !errors.As(err, &ce) || len(ce.Attempts) != 2 || res.Snapshot != nil {
		t.Fatalf("err %v, want both servers' failures", err)
	}
	var le *ldapsrc.Error
	if !errors.As(ce.Attempts[0], &le) || le.Op != "search" || le.Page != 2 {
		t.Fatalf("first attempt %v, want the search failing on page 2", ce.Attempts[0])
	}
	if !errors.As(ce.Attempts[1], &le) || le.Op != "dial" {
		t.Fatalf("second attempt %v, want a refused dial", ce.Attempts[1])
	}
}
