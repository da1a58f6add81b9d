package cache

import (
	"context"
	"encoding/binary"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The vectors the C reader is checked against too (schema_main.sql).
func TestNameHashVectors(t *testing.T) {
	for _, v := range []struct {
		name string
		want uint64
	}{
		{"", 0xcbf29ce484222325},
		{"a", 0xaf63dc4c8601ec8c},
		{"root", 0xa354fd1ff0c467c5},
		{"alice", 0x508b2abb65a03907},
		{"u000123", 0x1e7cf540703a6130},
	} {
		if got := nameHash(v.name); uint64(got) != v.want || nameHash([]byte(v.name)) != got {
			t.Errorf("nameHash(%q) = %#x, want %#x", v.name, uint64(got), v.want)
		}
	}
}

// bucketFile builds a file holding only a passwd_name-shaped table of
// users under key, and returns a read-only connection to it.
func bucketFile(t *testing.T, kt keyedTable, users []User) *countConn {
	t.Helper()
	ctx := context.Background()
	path, err := createTemp(t.TempDir(), MainFile)
	if err != nil {
		t.Fatal(err)
	}
	c, err := openBuild(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.exec(`CREATE TABLE ` + kt.table + ` (id INTEGER PRIMARY KEY, data BLOB NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	// The key of an entry as verification reads it back from its block.
	key := func(i int) int64 {
		var k int64
		e := appendUser(binary.LittleEndian.AppendUint32(nil, 1), &users[i])
		decodeBlockBytes(e, shapePasswd, func(num []byte, f [][]byte) { k = kt.key(num, f) })
		return k
	}
	err = insertBuckets(ctx, c, kt, len(users), key,
		func(b []byte, i int) []byte { return appendUser(b, &users[i]) })
	if cerr := c.close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	return &countConn{t: t, path: path}
}

type countConn struct {
	t    *testing.T
	path string
}

func (c *countConn) count(kt keyedTable) (int, error) {
	return countBuckets(context.Background(), c.path, kt)
}

// Buckets hold bucketEntries entries in key order, more when keys repeat
// (equal keys are never split), each under its first entry's key; a table
// read back with another key function (entries in the wrong bucket) or
// with a name twice in a bucket is refused.
func TestNameBuckets(t *testing.T) {
	var users []User
	for i, n := range []string{"a", "b", "cc", "dd", "ee", "ff", "gg", "hhh", "iiii", "jjjj", "kkkk"} {
		users = append(users, User{Name: n, UID: uint32(1001 + i), GID: 100})
	}
	byLen := keyedTable{table: "b", shape: shapePasswd,
		key:   func(_ []byte, f [][]byte) int64 { return int64(len(f[0])) },
		ident: func(_ []byte, f [][]byte) []byte { return f[0] }}
	f := bucketFile(t, byLen, users)
	if n, err := f.count(byLen); err != nil || n != len(users) {
		t.Fatalf("count = %d, %v; want %d", n, err, len(users))
	}
	// Keys 1 1 2 2 2 2 2 3 4 4 4: the first bucket takes four, then
	// goes on through "gg" while the key (2) repeats; the second holds
	// the last four.
	var got []string
	p, err := openRead(f.path)
	if err != nil {
		t.Fatal(err)
	}
	defer p.close()
	err = p.scanBlobs(context.Background(), "SELECT id, data FROM b ORDER BY id", func(id int64, data []byte) error {
		var names []string
		_, err := decodeBlock(data, shapePasswd, func(_ []byte, s []string) { names = append(names, s[0]) })
		got = append(got, strings.Join(names, " ")+"@"+strconv.FormatInt(id, 10))
		return err
	})
	if want := "a b cc dd ee ff gg@1 hhh iiii jjjj kkkk@3"; err != nil || strings.Join(got, " ") != want {
		t.Fatalf("buckets %q (%v), want %q", strings.Join(got, " "), err, want)
	}
	other := byLen
	other.key = func(_ []byte, f [][]byte) int64 { return int64(len(f[0])) + 1 }
	if _, err := f.count(other); err == nil || !strings.Contains(err.Error(), "lowest key") {
		t.Fatalf("entries in the wrong bucket: %v, want a refusal", err)
	}
	dup := bucketFile(t, byLen, append(users, User{Name: "b", UID: 1100, GID: 100}))
	if _, err := dup.count(byLen); err == nil || !strings.Contains(err.Error(), "twice") {
		t.Fatalf("a name twice: %v, want a refusal", err)
	}
}

// A published cache.db holds every user once in passwd_name, in the bucket
// its name's hash leads to, and once in passwd_uid, in the bucket its uid
// leads to, with the same fields as its passwd row; both tables have one
// bucket per bucketEntries users.
func TestPublishedUserBuckets(t *testing.T) {
	dir := testDir(t)
	snap := genSnapshot(300, 10, 2, false)
	mustPublish(t, snap, testOpts(dir))
	db := openTest(t, filepath.Join(dir, MainFile))
	for _, q := range []struct {
		table string
		key   func(u *User) int64
	}{
		{"passwd_name", func(u *User) int64 { return nameHash(u.Name) }},
		{"passwd_uid", func(u *User) int64 { return int64(u.UID) }},
	} {
		for _, u := range snap.Users {
			var data []byte
			if err := db.QueryRow(`SELECT data FROM `+q.table+` WHERE id <= ? ORDER BY id DESC LIMIT 1`, q.key(&u)).Scan(&data); err != nil {
				t.Fatalf("%s %s: %v", q.table, u.Name, err)
			}
			found := 0
			if _, err := decodeBlock(data, shapePasswd, func(num []byte, strs []string) {
				if strs[0] == u.Name && strs[1] == u.Passwd && strs[2] == u.Gecos && strs[3] == u.Dir && strs[4] == u.Shell &&
					string(num) == string(appendUser(nil, &u)[:8]) {
					found++
				}
			}); err != nil || found != 1 {
				t.Fatalf("%s %s: bucket holds it %d times (%v)", q.table, u.Name, found, err)
			}
		}
		var rows int
		if err := db.QueryRow(`SELECT count(*) FROM ` + q.table).Scan(&rows); err != nil || rows != (len(snap.Users)+bucketEntries-1)/bucketEntries {
			t.Fatalf("%s: %d buckets (%v) for %d users", q.table, rows, err, len(snap.Users))
		}
	}
}

// A uid twice in a bucket is refused like a name twice (only the
// writer's own validation stands between a snapshot and that file now
// that passwd.uid has no UNIQUE index).
func TestUIDBucketsRefuseRepeats(t *testing.T) {
	users := []User{{Name: "a", UID: 1001, GID: 1}, {Name: "b", UID: 1002, GID: 1}, {Name: "c", UID: 1002, GID: 1}}
	f := bucketFile(t, passwdUID, users)
	if _, err := f.count(passwdUID); err == nil || !strings.Contains(err.Error(), "twice") {
		t.Fatalf("a uid twice: %v, want a refusal", err)
	}
	ok := bucketFile(t, passwdUID, users[:2])
	if n, err := ok.count(passwdUID); err != nil || n != 2 {
		t.Fatalf("count = %d, %v", n, err)
	}
}
