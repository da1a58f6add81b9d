package nss

import (
	"crypto/rand"
	"database/sql"
	"errors"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/ldapidm/ldapidm/nss/internal/testcache"
)

func copyFile(t testing.TB, from, to string, mode os.FileMode) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(to, mode); err != nil { // umask
		t.Fatal(err)
	}
}

func sqlExec(t testing.TB, path, stmt string) {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path+"?_journal_mode=DELETE")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(stmt); err != nil {
		t.Fatal(err)
	}
}

// Every way a cache can be missing or untrustworthy makes every entry point
// UNAVAIL (so nsswitch.conf falls through), never a crash or an answer.
func TestBrokenCachesUnavailable(t *testing.T) {
	good := filepath.Join(dirA, "cache.db")
	goodShadow := filepath.Join(dirA, "shadow.db")
	cases := []struct {
		name  string
		setup func(t *testing.T, dir string) // dir is 0755 and empty
	}{
		{"missing", func(t *testing.T, dir string) {}},
		{"empty file", func(t *testing.T, dir string) {
			for _, f := range []string{"cache.db", "shadow.db"} {
				os.WriteFile(filepath.Join(dir, f), nil, 0o644)
			}
		}},
		{"truncated", func(t *testing.T, dir string) {
			for _, f := range []string{"cache.db", "shadow.db"} {
				b, _ := os.ReadFile(filepath.Join(dirA, f))
				os.WriteFile(filepath.Join(dir, f), b[:len(b)/2], 0o644)
			}
		}},
		{"one page short", func(t *testing.T, dir string) {
			for _, f := range []string{"cache.db", "shadow.db"} {
				b, _ := os.ReadFile(filepath.Join(dirA, f))
				os.WriteFile(filepath.Join(dir, f), b[:len(b)-4096], 0o644)
			}
		}},
		{"random bytes", func(t *testing.T, dir string) {
			for _, f := range []string{"cache.db", "shadow.db"} {
				b := make([]byte, 64<<10)
				io.ReadFull(rand.Reader, b)
				os.WriteFile(filepath.Join(dir, f), b, 0o644)
			}
		}},
		{"sqlite header then garbage", func(t *testing.T, dir string) {
			for _, f := range []string{"cache.db", "shadow.db"} {
				b, _ := os.ReadFile(filepath.Join(dirA, f))
				io.ReadFull(rand.Reader, b[100:])
				os.WriteFile(filepath.Join(dir, f), b, 0o644)
			}
		}},
		{"unknown user_version", func(t *testing.T, dir string) {
			copyFile(t, good, filepath.Join(dir, "cache.db"), 0o644)
			copyFile(t, goodShadow, filepath.Join(dir, "shadow.db"), 0o600)
			// 1, 2 and 3 are read (blocks_test.go, buckets_test.go); 4 is
			// from the future.
			sqlExec(t, filepath.Join(dir, "cache.db"), "PRAGMA user_version = 4")
			sqlExec(t, filepath.Join(dir, "shadow.db"), "PRAGMA user_version = 0")
		}},
		{"wrong meta.kind (files swapped)", func(t *testing.T, dir string) {
			copyFile(t, goodShadow, filepath.Join(dir, "cache.db"), 0o644)
			copyFile(t, good, filepath.Join(dir, "shadow.db"), 0o600)
		}},
		{"no meta.kind", func(t *testing.T, dir string) {
			copyFile(t, good, filepath.Join(dir, "cache.db"), 0o644)
			copyFile(t, goodShadow, filepath.Join(dir, "shadow.db"), 0o600)
			sqlExec(t, filepath.Join(dir, "cache.db"), "DELETE FROM meta WHERE key = 'kind'")
			sqlExec(t, filepath.Join(dir, "shadow.db"), "DELETE FROM meta WHERE key = 'kind'")
		}},
		{"symlinks", func(t *testing.T, dir string) {
			os.Symlink(good, filepath.Join(dir, "cache.db"))
			os.Symlink(goodShadow, filepath.Join(dir, "shadow.db"))
		}},
		{"group-writable files", func(t *testing.T, dir string) {
			copyFile(t, good, filepath.Join(dir, "cache.db"), 0o664)
			copyFile(t, goodShadow, filepath.Join(dir, "shadow.db"), 0o620)
		}},
		{"world-writable files", func(t *testing.T, dir string) {
			copyFile(t, good, filepath.Join(dir, "cache.db"), 0o646)
			copyFile(t, goodShadow, filepath.Join(dir, "shadow.db"), 0o602)
		}},
		{"world-writable dir", func(t *testing.T, dir string) {
			copyFile(t, good, filepath.Join(dir, "cache.db"), 0o644)
			copyFile(t, goodShadow, filepath.Join(dir, "shadow.db"), 0o600)
			os.Chmod(dir, 0o757)
		}},
		{"group-writable dir", func(t *testing.T, dir string) {
			copyFile(t, good, filepath.Join(dir, "cache.db"), 0o644)
			copyFile(t, goodShadow, filepath.Join(dir, "shadow.db"), 0o600)
			os.Chmod(dir, 0o775)
		}},
		{"sticky world-writable dir (like /tmp)", func(t *testing.T, dir string) {
			copyFile(t, good, filepath.Join(dir, "cache.db"), 0o644)
			copyFile(t, goodShadow, filepath.Join(dir, "shadow.db"), 0o600)
			os.Chmod(dir, 0o1777)
		}},
		{"directories named like the files", func(t *testing.T, dir string) {
			os.Mkdir(filepath.Join(dir, "cache.db"), 0o755)
			os.Mkdir(filepath.Join(dir, "shadow.db"), 0o755)
		}},
		{"fifos named like the files", func(t *testing.T, dir string) {
			// Opening a fifo would block the host forever.
			syscall.Mkfifo(filepath.Join(dir, "cache.db"), 0o644)
			syscall.Mkfifo(filepath.Join(dir, "shadow.db"), 0o600)
		}},
		{"WAL-mode file of another version", func(t *testing.T, dir string) {
			copyFile(t, good, filepath.Join(dir, "cache.db"), 0o644)
			copyFile(t, goodShadow, filepath.Join(dir, "shadow.db"), 0o600)
			sqlExec(t, filepath.Join(dir, "cache.db"), "PRAGMA journal_mode=WAL; PRAGMA user_version = 7")
			sqlExec(t, filepath.Join(dir, "shadow.db"), "PRAGMA journal_mode=WAL; PRAGMA user_version = 7")
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := newDir(t)
			tc.setup(t, dir)
			useDir(t, dir)
			assertAllUnavailable(t)
		})
	}
	t.Run("relative dir", func(t *testing.T) {
		useDir(t, "relative/cache")
		assertAllUnavailable(t)
	})
	t.Run("overlong dir", func(t *testing.T) {
		useDir(t, "/"+string(make([]byte, 5000)))
		assertAllUnavailable(t)
	})
}

func assertAllUnavailable(t *testing.T) {
	t.Helper()
	u := fxA.Users[1]
	g := fxA.Groups[0]
	errs := map[string]error{}
	_, errs["getpwnam"] = LookupUser(u.Name)
	_, errs["getpwuid"] = LookupUserID(u.UID)
	_, errs["getgrnam"] = LookupGroup(g.Name)
	_, errs["getgrgid"] = LookupGroupID(g.GID)
	_, errs["getspnam"] = LookupShadow(u.Name)
	_, errs["getpwent"] = Users()
	_, errs["getgrent"] = Groups()
	_, errs["getspent"] = Shadows()
	for call, err := range errs {
		if !errors.Is(err, ErrUnavailable) {
			t.Errorf("%s: err = %v, want ErrUnavailable", call, err)
		}
	}
	if st, errno, _ := rawInitgroups(u.Name, 0, 4, 0); st != statusUnavail || errno != syscall.ENOENT {
		t.Errorf("initgroups_dyn: status %d errno %v, want UNAVAIL/ENOENT", st, errno)
	}
}

// A symlinked directory (a symlinked /var/lib, say) is fine: only the
// cache files themselves must not be symlinks.
func TestSymlinkedDirectoryAccepted(t *testing.T) {
	link := filepath.Join(t.TempDir(), "link")
	if err := os.Symlink(dirA, link); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{link, link + "/", link + "/."} {
		useDir(t, d)
		if u, err := LookupUser("a"); err != nil || u != wantPasswd(fxA.Users[0]) {
			t.Errorf("through %s: %+v, %v", d, u, err)
		}
	}
}

// A valid cache placed in a broken directory's place is served at once
// after SetCacheDir, and a broken one replacing it is refused after Recheck.
func TestRecoversAndRefusesOnRepublish(t *testing.T) {
	dir := newDir(t)
	useDir(t, dir)
	if _, err := LookupUser("a"); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("empty dir: %v", err)
	}
	if err := testcache.Build(dir, fxA); err != nil {
		t.Fatal(err)
	}
	if u, err := LookupUser("a"); err != nil || u.Dir != "/home/A/a" {
		t.Fatalf("after publish: %+v, %v", u, err)
	}
	if err := os.Chmod(filepath.Join(dir, "cache.db"), 0o666); err != nil {
		t.Fatal(err)
	}
	Recheck()
	if _, err := LookupUser("a"); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("file made world-writable: %v, want ErrUnavailable", err)
	}
	if err := os.Remove(filepath.Join(dir, "cache.db")); err != nil {
		t.Fatal(err)
	}
	Recheck()
	if _, err := LookupUser("a"); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("file removed: %v, want ErrUnavailable", err)
	}
}
