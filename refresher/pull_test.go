package refresher

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ldapidm/ldapidm/cache"
	"github.com/ldapidm/ldapidm/internal/fixture"
	"github.com/ldapidm/ldapidm/internal/slapdtest"
	"github.com/ldapidm/ldapidm/refresher/config"
)

// logBuffer captures the pull's log so tests can check what it says.
type logBuffer struct{ strings.Builder }

func newLog() (*slog.Logger, *logBuffer) {
	b := &logBuffer{}
	return slog.New(slog.NewTextHandler(b, &slog.HandlerOptions{Level: slog.LevelDebug})), b
}

var discard = slog.New(slog.NewTextHandler(io.Discard, nil))

const localPasswd = "root:x:0:0:root:/root:/bin/bash\n" +
	"# comment\n" +
	"daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n" +
	"localuser:x:1000:1000:Local:/home/localuser:/bin/sh\n" +
	"nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"

const localGroup = "root:x:0:\nusers:x:100:\nlocalgrp:x:1000:localuser\nnogroup:x:65534:\n"

// testConfig is a configuration with local account files in a temp dir.
func testConfig(t testing.TB, page uint32, dirs ...*config.Directory) *config.Config {
	t.Helper()
	dir := t.TempDir()
	pw, gr := filepath.Join(dir, "passwd"), filepath.Join(dir, "group")
	if err := os.WriteFile(pw, []byte(localPasswd), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(gr, []byte(localGroup), 0o644); err != nil {
		t.Fatal(err)
	}
	return &config.Config{
		UIDMin: 1000, UIDMax: 200000, GIDMin: 1000, GIDMax: 200000,
		LocalPasswd: pw, LocalGroup: gr, PageSize: page,
		ConnectTimeout: 3 * time.Second, SearchTimeout: 10 * time.Second,
		Directories: dirs,
	}
}

// readerDir maps fx on srv, bound as the size-limited reader.
func readerDir(srv *slapdtest.Server, fx *fixture.Directory) *config.Directory {
	d := fx.ConfigDirectory(srv.Host, srv.Port)
	d.BindDN, d.BindCred = srv.ReaderDN, srv.ReaderPW
	return d
}

func TestPullMatchesFixture(t *testing.T) {
	const limit = 50
	srv := slapdtest.MustStart(t, slapdtest.Options{SizeLimit: limit})
	fx := fixture.Generate(fixture.Options{Users: 130, Groups: 12, MembersPerGroup: 9, BigGroupMembers: 120, Shadow: true})
	srv.MustLoad(t, fx.LDIF)
	for _, page := range []uint32{1, 1000, 33} {
		t.Run(fmt.Sprint("page", page), func(t *testing.T) {
			log, buf := newLog()
			res, err := Pull(context.Background(), testConfig(t, page, readerDir(srv, fx)), log)
			if err != nil {
				t.Fatal(err)
			}
			checkSnapshot(t, res.Snapshot, fx.Snapshot)
			if len(res.Rejections) != 0 {
				t.Fatalf("unexpected rejections: %v", res.Rejections)
			}
			if len(res.Directories) != 1 || res.Directories[0].Server != readerDir(srv, fx).URL(0) ||
				res.Directories[0].Users != 130 || res.Directories[0].Groups != 12 {
				t.Fatalf("directory report %+v", res.Directories)
			}
			if want := fmt.Sprintf("ldap 127.0.0.1 port %d", srv.Port); res.Snapshot.Source != want {
				t.Fatalf("source %q, want %q", res.Snapshot.Source, want)
			}
			if strings.Contains(buf.String(), srv.ReaderPW) {
				t.Fatal("log contains the bind credential")
			}
		})
	}
}

func checkSnapshot(t *testing.T, got, want *cache.Snapshot) {
	t.Helper()
	if got == nil {
		t.Fatal("no snapshot")
	}
	if len(got.Users) != len(want.Users) || len(got.Groups) != len(want.Groups) {
		t.Fatalf("%d users, %d groups; want %d, %d", len(got.Users), len(got.Groups), len(want.Users), len(want.Groups))
	}
	for i := range want.Users {
		if !reflect.DeepEqual(got.Users[i], want.Users[i]) {
			t.Fatalf("user %d: got %+v want %+v", i, got.Users[i], want.Users[i])
		}
	}
	for i := range want.Groups {
		if !reflect.DeepEqual(got.Groups[i], want.Groups[i]) {
			t.Fatalf("group %d: got %+v\nwant %+v", i, got.Groups[i], want.Groups[i])
		}
	}
	if (got.Shadow == nil) != (want.Shadow == nil) || !reflect.DeepEqual(got.Shadow, want.Shadow) {
		t.Fatalf("shadow differs: got %d entries (nil=%v), want %d (nil=%v)", len(got.Shadow), got.Shadow == nil, len(want.Shadow), want.Shadow == nil)
	}
}

func TestPullRFC2307bis(t *testing.T) {
	srv := slapdtest.MustStart(t, slapdtest.Options{})
	fx := fixture.Generate(fixture.Options{Users: 40, Groups: 5, MembersPerGroup: 6, Style: fixture.RFC2307bis})
	people, groups := fx.PeopleDN, fx.GroupsDN
	u := func(n int) string { return "uid=" + fx.Options.UserName(n) + "," + people }
	// Nested groups: outer -> mid -> inner -> outer (a loop), spelled with
	// odd case and spacing that must normalise to the same DNs.
	extra := fixture.Entry("cn=outer,"+groups, fixture.A("objectClass", "groupOfNames", "objectClass", "ldapidmPosixGroupAux",
		"cn", "outer", "gidNumber", "20001", "member", u(1), "member", "CN=Mid, OU=Groups,DC=Example,DC=Org",
		"member", "uid=ghost,"+people)) +
		fixture.Entry("cn=mid,"+groups, fixture.A("objectClass", "groupOfNames", "objectClass", "ldapidmPosixGroupAux",
			"cn", "mid", "gidNumber", "20002", "member", "UID="+strings.ToUpper(fx.Options.UserName(2))+","+people,
			"member", "cn=inner,"+groups)) +
		fixture.Entry("cn=inner,"+groups, fixture.A("objectClass", "groupOfNames", "objectClass", "ldapidmPosixGroupAux",
			"cn", "inner", "gidNumber", "20003", "member", u(3), "member", u(1), "member", "cn=outer,"+groups))
	srv.MustLoad(t, fx.LDIF+extra)

	for _, tc := range []struct {
		depth int
		outer []string
		inner []string
		rejs  int // rejections about outer (ghost DN, plus "nested off" at depth 0)
	}{
		{0, []string{"user000001"}, []string{"user000003", "user000001"}, 2},
		{1, []string{"user000001", "user000002"}, []string{"user000003", "user000001"}, 1},
		{5, []string{"user000001", "user000002", "user000003"}, []string{"user000003", "user000001", "user000002"}, 1},
	} {
		t.Run(fmt.Sprint("depth", tc.depth), func(t *testing.T) {
			d := fx.ConfigDirectory(srv.Host, srv.Port)
			d.NestedDepth = tc.depth
			res, err := Pull(context.Background(), testConfig(t, 7, d), discard)
			if err != nil {
				t.Fatal(err)
			}
			byName := map[string]cache.Group{}
			for _, g := range res.Snapshot.Groups {
				byName[g.Name] = g
			}
			if got := byName["outer"].Members; !reflect.DeepEqual(got, tc.outer) {
				t.Errorf("outer members %v, want %v", got, tc.outer)
			}
			if got := byName["inner"].Members; !reflect.DeepEqual(got, tc.inner) {
				t.Errorf("inner members %v, want %v", got, tc.inner)
			}
			for _, g := range fx.Snapshot.Groups {
				if !reflect.DeepEqual(byName[g.Name], g) {
					t.Errorf("group %s: got %+v want %+v", g.Name, byName[g.Name], g)
				}
			}
			n := 0
			for _, r := range res.Rejections {
				if r.Name == "outer" {
					n++
				}
			}
			if n != tc.rejs {
				t.Errorf("%d rejections for outer, want %d: %v", n, tc.rejs, res.Rejections)
			}
		})
	}
}

func TestPullUniqueMember(t *testing.T) {
	srv := slapdtest.MustStart(t, slapdtest.Options{})
	fx := fixture.Generate(fixture.Options{Users: 3})
	srv.MustLoad(t, fx.LDIF+fixture.Entry("cn=uniq,"+fx.GroupsDN, fixture.A(
		"objectClass", "groupOfUniqueNames", "objectClass", "ldapidmPosixGroupAux", "cn", "uniq", "gidNumber", "3000",
		"uniqueMember", "uid=user000002,"+fx.PeopleDN, "uniqueMember", "uid=user000000,"+fx.PeopleDN+"#'0101'B")))
	d := fx.ConfigDirectory(srv.Host, srv.Port)
	d.List[config.FieldGroupMembers] = "uniqueMember"
	res, err := Pull(context.Background(), testConfig(t, 0, d), discard)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Snapshot.Groups) != 1 || !reflect.DeepEqual(res.Snapshot.Groups[0].Members, []string{"user000002"}) {
		t.Fatalf("groups %+v", res.Snapshot.Groups)
	}
	// The value with an optional UID suffix (nameAndOptionalUID) is not a
	// plain DN of a user: reported, not silently dropped.
	if len(res.Rejections) != 1 || res.Rejections[0].Name != "uniq" {
		t.Fatalf("rejections %v", res.Rejections)
	}
}
