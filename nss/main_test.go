package nss

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/ldapidm/ldapidm/nss/internal/testcache"
)

// fxA is the fixture every read test compares against; dirA holds it.
var (
	fxA  testcache.Fixture
	dirA string
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	tmp, err := os.MkdirTemp("", "ldapidm-nss-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(tmp)
	dirA = filepath.Join(tmp, "a")
	if err := os.Mkdir(dirA, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	// MkdirTemp makes 0700: the module would accept it, but the
	// unprivileged tests need to traverse it.
	if err := os.Chmod(tmp, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fxA = testcache.Synthetic(5200, 40, "A")
	if err := testcache.Build(dirA, fxA); err != nil {
		fmt.Fprintln(os.Stderr, "build fixture:", err)
		return 1
	}
	return m.Run()
}

// useDir points the module at dir for the rest of the test.
func useDir(t testing.TB, dir string) {
	t.Helper()
	SetCacheDir(dir)
	t.Cleanup(func() { SetCacheDir("") })
}

// newDir returns an empty 0755 directory.
func newDir(t testing.TB) string {
	t.Helper()
	d := filepath.Join(t.TempDir(), "cache")
	if err := os.Mkdir(d, 0o755); err != nil {
		t.Fatal(err)
	}
	return d
}

func wantPasswd(u testcache.User) Passwd {
	return Passwd{Name: u.Name, Passwd: u.Passwd, UID: u.UID, GID: u.GID, Gecos: u.Gecos, Dir: u.Dir, Shell: u.Shell}
}

func wantGroup(g testcache.Group) Group {
	m := append([]string{}, g.Members...)
	return Group{Name: g.Name, Passwd: g.Passwd, GID: g.GID, Members: m}
}

func wantShadow(s testcache.Shadow) Shadow {
	return Shadow{Name: s.Name, Passwd: s.Passwd, LastChange: s.LastChange, Min: s.Min, Max: s.Max,
		Warn: s.Warn, Inactive: s.Inactive, Expire: s.Expire, Flag: uint64(s.Flag)}
}
