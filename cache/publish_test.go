package cache

import (
	"context"
	"database/sql"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

func TestPublishGenerationAndContent(t *testing.T) {
	dir := testDir(t)
	if _, err := ReadMeta(dir); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("ReadMeta on empty dir = %v, want fs.ErrNotExist", err)
	}
	now := time.Date(2026, 11, 25, 12, 30, 45, 999, time.FixedZone("X", 3600))
	for gen := int64(1); gen <= 3; gen++ {
		snap := genSnapshot(50, 10, 5, true)
		snap.Source = "round " + string(rune('0'+gen))
		opts := testOpts(dir)
		opts.Now = func() time.Time { return now }
		res := mustPublish(t, snap, opts)
		if res.Meta.Generation != gen {
			t.Fatalf("generation = %d, want %d", res.Meta.Generation, gen)
		}
		m, err := ReadMeta(dir)
		if err != nil {
			t.Fatal(err)
		}
		want := Meta{Generation: gen, BuiltAt: now.UTC().Truncate(time.Second), Source: snap.Source, Users: 50, Groups: 10, Members: 50, Shadow: 50}
		if *m != want || res.Meta != want {
			t.Fatalf("ReadMeta = %+v, result %+v, want %+v", *m, res.Meta, want)
		}
		if res.MainPath != filepath.Join(dir, MainFile) || res.ShadowPath != filepath.Join(dir, ShadowFile) {
			t.Fatalf("paths = %q %q", res.MainPath, res.ShadowPath)
		}
		assertNoTemps(t, dir)
	}
}

// TestPublishRoundTrip reads the tables back as the C reader would.
func TestPublishRoundTrip(t *testing.T) {
	dir := testDir(t)
	snap := genSnapshot(4, 2, 0, true)
	snap.Groups[0].Members = []string{"u000002", "u000000", "u000002", "ext", "u000000"}
	snap.Shadow[1].LastChange, snap.Shadow[1].Max = Unset, 0
	mustPublish(t, snap, testOpts(dir))

	db := openTest(t, filepath.Join(dir, MainFile))
	var members string
	var n int
	if err := db.QueryRow(`SELECT members, nmembers FROM grp WHERE name='g00000'`).Scan(&members, &n); err != nil {
		t.Fatal(err)
	}
	if members != "u000002,u000000,ext" || n != 3 {
		t.Errorf("members = %q (%d), want first-seen order without duplicates", members, n)
	}
	rows, err := db.Query(`SELECT name FROM member WHERE gid=200000 ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rows.Next() {
		var s string
		rows.Scan(&s)
		got = append(got, s)
	}
	rows.Close()
	if len(got) != 3 || got[0] != "ext" || got[1] != "u000000" || got[2] != "u000002" {
		t.Errorf("member rows = %v", got)
	}
	// rowid order is enumeration order: the order given.
	rows, _ = db.Query(`SELECT name, uid, gecos FROM passwd ORDER BY id`)
	i := 0
	for rows.Next() {
		var name, gecos string
		var uid int64
		rows.Scan(&name, &uid, &gecos)
		u := snap.Users[i]
		if name != u.Name || uid != int64(u.UID) || gecos != u.Gecos {
			t.Errorf("passwd row %d = %s %d %q, want %+v", i, name, uid, gecos, u)
		}
		i++
	}
	rows.Close()
	if i != len(snap.Users) {
		t.Errorf("%d passwd rows, want %d", i, len(snap.Users))
	}

	sdb := openTest(t, filepath.Join(dir, ShadowFile))
	var last, maxd sql.NullInt64
	var hash string
	if err := sdb.QueryRow(`SELECT passwd, lastchg, max FROM shadow WHERE name='u000001'`).Scan(&hash, &last, &maxd); err != nil {
		t.Fatal(err)
	}
	if hash != snap.Shadow[1].Passwd || last.Valid || !maxd.Valid || maxd.Int64 != 0 {
		t.Errorf("shadow row = %q %v %v; want Unset stored as NULL and 0 kept as 0", hash, last, maxd)
	}
	var kind, gen string
	sdb.QueryRow(`SELECT value FROM meta WHERE key='kind'`).Scan(&kind)
	sdb.QueryRow(`SELECT value FROM meta WHERE key='generation'`).Scan(&gen)
	if kind != "shadow" || gen != "1" {
		t.Errorf("shadow meta kind=%q generation=%q", kind, gen)
	}
}

func openTest(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite3", uri(path, "mode=ro&immutable=1"))
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	return db
}

func TestPublishJournalMode(t *testing.T) {
	dir := testDir(t)
	mustPublish(t, genSnapshot(20, 5, 3, true), testOpts(dir))
	for _, f := range []string{MainFile, ShadowFile} {
		// Opened without immutable, read-write, so SQLite reports the mode
		// the file header and its absence of a WAL imply.
		db, err := sql.Open("sqlite3", uri(filepath.Join(dir, f), "mode=ro"))
		if err != nil {
			t.Fatal(err)
		}
		var mode string
		if err := db.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil {
			t.Fatal(err)
		}
		db.Close()
		if mode != "delete" {
			t.Errorf("%s journal_mode = %q, want delete", f, mode)
		}
		// Header bytes 18/19 are 1 for rollback journal, 2 for WAL.
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		if b[18] != 1 || b[19] != 1 {
			t.Errorf("%s header read/write versions = %d/%d, want 1/1 (not WAL)", f, b[18], b[19])
		}
	}
	assertNoTemps(t, dir)
}

func TestPublishModes(t *testing.T) {
	cases := []struct {
		name      string
		groupFile string // contents; "" means the file does not exist
		group     string
		wantMode  os.FileMode
		wantGID   uint32
	}{
		{"shadow group present", "root:x:0:\nshadow:x:4242:\n", "", 0o640, 4242},
		{"custom group name", "auth:x:777:alice\n", "auth", 0o640, 777},
		{"no shadow group", "root:x:0:\nusers:x:100:\n", "", 0o600, 0},
		{"no group file", "", "", 0o600, 0},
		{"prefix is not a match", "shadowy:x:55:\n", "", 0o600, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := testDir(t)
			opts := testOpts(dir)
			opts.GroupFile = filepath.Join(filepath.Dir(dir), "group")
			opts.ShadowGroup = tc.group
			if tc.groupFile != "" {
				os.WriteFile(opts.GroupFile, []byte(tc.groupFile), 0o644)
			}
			mustPublish(t, genSnapshot(10, 2, 2, true), opts)
			checkMode(t, filepath.Join(dir, MainFile), 0o644, 0, os.Geteuid() == 0)
			checkMode(t, filepath.Join(dir, ShadowFile), tc.wantMode, tc.wantGID, os.Geteuid() == 0)
		})
	}
}

func checkMode(t *testing.T, path string, mode os.FileMode, gid uint32, root bool) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != mode {
		t.Errorf("%s mode %04o, want %04o", filepath.Base(path), fi.Mode().Perm(), mode)
	}
	st := fi.Sys().(*syscall.Stat_t)
	if root && (st.Uid != 0 || st.Gid != gid) {
		t.Errorf("%s owner %d:%d, want 0:%d", filepath.Base(path), st.Uid, st.Gid, gid)
	}
}

func TestPublishWithoutShadowRemovesLive(t *testing.T) {
	dir := testDir(t)
	mustPublish(t, genSnapshot(10, 2, 2, true), testOpts(dir))
	if _, err := os.Stat(filepath.Join(dir, ShadowFile)); err != nil {
		t.Fatal(err)
	}
	res := mustPublish(t, genSnapshot(10, 2, 2, false), testOpts(dir))
	if _, err := os.Stat(filepath.Join(dir, ShadowFile)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("shadow.db still there after a publish without shadow: %v", err)
	}
	if res.ShadowPath != "" || res.Meta.Shadow != 0 {
		t.Errorf("result = %+v, want no shadow", res)
	}
	// An empty (non-nil) shadow map is a shadow file with no entries.
	s := genSnapshot(10, 2, 2, false)
	s.Shadow = []Shadow{}
	res = mustPublish(t, s, testOpts(dir))
	if res.ShadowPath == "" {
		t.Fatal("empty shadow map published no shadow.db")
	}
}

func TestPublishRemovesStaleTemps(t *testing.T) {
	dir := testDir(t)
	stale := []string{".cache.db.tmp-0123456789abcdef", ".cache.db.tmp-0123456789abcdef-journal", ".shadow.db.tmp-dead"}
	for _, n := range stale {
		os.WriteFile(filepath.Join(dir, n), []byte("junk"), 0o600)
	}
	keep := filepath.Join(dir, "README")
	os.WriteFile(keep, []byte("operator's file"), 0o644)
	mustPublish(t, genSnapshot(10, 2, 2, true), testOpts(dir))
	assertNoTemps(t, dir)
	if _, err := os.Stat(keep); err != nil {
		t.Errorf("unrelated file removed: %v", err)
	}
}

func TestPublishDirectory(t *testing.T) {
	t.Run("created 0755", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "a", "b")
		old := syscall.Umask(0o077)
		defer syscall.Umask(old)
		mustPublish(t, genSnapshot(3, 1, 1, false), testOpts(dir))
		fi, err := os.Stat(dir)
		if err != nil || fi.Mode().Perm() != 0o755 {
			t.Fatalf("dir = %v, %v; want mode 0755", fi, err)
		}
	})
	for _, mode := range []os.FileMode{0o775, 0o757, 0o777, 0o1777} {
		t.Run("refuses "+mode.String(), func(t *testing.T) {
			dir := testDir(t)
			if err := os.Chmod(dir, mode); err != nil {
				t.Fatal(err)
			}
			_, err := Publish(context.Background(), genSnapshot(3, 1, 1, false), testOpts(dir))
			if !errors.Is(err, ErrUnsafeDir) {
				t.Fatalf("Publish = %v, want ErrUnsafeDir", err)
			}
			if _, err := os.Stat(filepath.Join(dir, MainFile)); !errors.Is(err, fs.ErrNotExist) {
				t.Error("cache.db written into an unsafe directory")
			}
		})
	}
	t.Run("not a directory", func(t *testing.T) {
		f := filepath.Join(t.TempDir(), "file")
		os.WriteFile(f, nil, 0o644)
		if _, err := Publish(context.Background(), genSnapshot(3, 1, 1, false), testOpts(f)); err == nil {
			t.Fatal("published into a regular file")
		}
	})
}

func TestPublishUnreadableLive(t *testing.T) {
	dir := testDir(t)
	os.WriteFile(filepath.Join(dir, MainFile), []byte("this is not an SQLite file, it is long enough to have a header......................................................................"), 0o644)
	before := fingerprint(t, dir)
	_, err := Publish(context.Background(), genSnapshot(3, 1, 1, false), testOpts(dir))
	if !errors.Is(err, ErrUnreadableLive) {
		t.Fatalf("Publish over a corrupt cache = %v, want ErrUnreadableLive", err)
	}
	sameFingerprint(t, before, fingerprint(t, dir))
	opts := testOpts(dir)
	opts.Force = true
	if res := mustPublish(t, genSnapshot(3, 1, 1, false), opts); res.Meta.Generation != 1 {
		t.Fatalf("forced replacement generation = %d, want 1", res.Meta.Generation)
	}
}
