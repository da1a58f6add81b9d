package refresher

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/ldapidm/ldapidm/cache"
	"github.com/ldapidm/ldapidm/internal/fixture"
	"github.com/ldapidm/ldapidm/internal/slapdtest"
)

// Two directories; the second's basedn is wrong (its groups OU, which
// holds no posixAccount), so its user search succeeds with nothing. The
// pull fails whole, naming the directory and the base, instead of
// publishing the first directory's users alone; forced, it goes through.
// RefreshOnce passes --force through to the pull.
func TestPullEmptyDirectory(t *testing.T) {
	a := slapdtest.MustStart(t, slapdtest.Options{})
	b := slapdtest.MustStart(t, slapdtest.Options{Suffix: "dc=other,dc=org"})
	fa := fixture.Generate(fixture.Options{Users: 8, Groups: 2, MembersPerGroup: 2})
	fb := fixture.Generate(fixture.Options{Users: 5, UIDBase: 20000, Suffix: "dc=other,dc=org"})
	a.MustLoad(t, fa.LDIF)
	b.MustLoad(t, fb.LDIF)
	db := fb.ConfigDirectory(b.Host, b.Port)
	db.BaseDN = fb.GroupsDN
	cfg := testConfig(t, 0, fa.ConfigDirectory(a.Host, a.Port), db)
	cfg.CacheDir = t.TempDir()
	name := directoryName(cfg, 1)

	res, err := Pull(context.Background(), cfg, discard)
	var de *DirectoryError
	var ee *EmptyDirectoryError
	if !errors.As(err, &de) || !errors.As(err, &ee) || res.Snapshot != nil {
		t.Fatalf("an empty directory: err %v, snapshot %v", err, res.Snapshot != nil)
	}
	if de.Directory != name || ee.Base != fb.GroupsDN || ee.Server != db.URL(0) ||
		!strings.Contains(err.Error(), name) || !strings.Contains(err.Error(), fb.GroupsDN) {
		t.Fatalf("the error does not name directory %s and base %s: %v", name, fb.GroupsDN, err)
	}
	if len(res.Directories) != 2 || res.Directories[1].Users != 0 {
		t.Fatalf("report %+v", res.Directories)
	}

	res, err = PullWith(context.Background(), cfg, PullOptions{AllowEmpty: true}, discard)
	if err != nil || len(res.Snapshot.Users) != 8 {
		t.Fatalf("forced: err %v", err)
	}

	// The same through RefreshOnce: refused, nothing published; forced,
	// published with the first directory's users.
	opts := RefreshOptions{ShadowGroup: "root"}
	if st, err := RefreshOnce(context.Background(), cfg, opts, discard); !errors.As(err, &ee) || st.LastError == "" {
		t.Fatalf("RefreshOnce of an empty directory: err %v", err)
	}
	if _, err := cache.ReadMeta(cfg.CacheDir); err == nil {
		t.Fatal("a cache was published from a pull with an empty directory")
	}
	opts.Force = true
	if _, err := RefreshOnce(context.Background(), cfg, opts, discard); err != nil {
		t.Fatalf("forced RefreshOnce: %v", err)
	}
	if m, err := cache.ReadMeta(cfg.CacheDir); err != nil || m.Users != 8 {
		t.Fatalf("forced RefreshOnce published %+v, %v; want 8 users", m, err)
	}
}
