package testcache

import (
	"bytes"
	"database/sql"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The contract's vectors (c/query.c documents the same).
func TestNameKeyVectors(t *testing.T) {
	for _, v := range NameKeyVectors {
		if got := NameKey(v.Name); got != int64(v.ID) {
			t.Errorf("NameKey(%q) = %#x, want %#x", v.Name, uint64(got), v.ID)
		}
	}
}

// v3Schema rewrites a schema_main.sql of version 2 or of version 3 before
// its amendment as the writer's amended version 3 will read (passwd.name
// and passwd.uid without UNIQUE, passwd_name, passwd_uid, user_version 3);
// an amended file comes out unchanged.
func v3Schema(t *testing.T, main string) string {
	t.Helper()
	passwd := regexp.MustCompile(`(?s)CREATE TABLE passwd \(.*?\n\);`)
	ddl := passwd.FindString(main)
	if ddl == "" {
		t.Fatal("no CREATE TABLE passwd in schema_main.sql")
	}
	d := regexp.MustCompile(`(name\s+TEXT\s+NOT\s+NULL)\s+UNIQUE`).ReplaceAllString(ddl, "$1")
	d = regexp.MustCompile(`(uid\s+INTEGER\s+NOT\s+NULL)\s+UNIQUE`).ReplaceAllString(d, "$1")
	main = strings.Replace(main, ddl, d, 1)
	main = regexp.MustCompile(`PRAGMA user_version = \d+;`).ReplaceAllString(main, "PRAGMA user_version = 3;")
	for _, table := range []string{"passwd_name", "passwd_uid"} {
		if !strings.Contains(main, "CREATE TABLE "+table) {
			main += "\nCREATE TABLE " + table + " (\n    id   INTEGER PRIMARY KEY,\n    data BLOB NOT NULL\n);\n"
		}
	}
	d = passwd.FindString(main)
	if regexp.MustCompile(`\b(name|uid)\s+(TEXT|INTEGER)\s+NOT\s+NULL\s+UNIQUE`).MatchString(d) ||
		!regexp.MustCompile(`\buid\s+INTEGER\s+NOT\s+NULL\s+CHECK`).MatchString(d) {
		t.Fatalf("simulated version 3 passwd table:\n%s", d)
	}
	return main
}

// Every version comes out right whichever version the schema files in
// cache/ describe: today's, and the writer's amended version 3
// (simulated).
func TestBuildEveryVersionFromEitherSchema(t *testing.T) {
	orig := SchemaDir()
	main, err := os.ReadFile(filepath.Join(orig, "schema_main.sql"))
	if err != nil {
		t.Fatal(err)
	}
	shadow, err := os.ReadFile(filepath.Join(orig, "schema_shadow.sql"))
	if err != nil {
		t.Fatal(err)
	}
	v3 := t.TempDir()
	if err := os.WriteFile(filepath.Join(v3, "schema_main.sql"), []byte(v3Schema(t, string(main))), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(v3, "schema_shadow.sql"), shadow, 0o644); err != nil {
		t.Fatal(err)
	}
	fx := Synthetic(40, 3, "S")
	for _, schemas := range []string{orig, v3} {
		t.Setenv("LDAPIDM_SCHEMA_DIR", schemas)
		for _, version := range []int{V1, V2, V3} {
			dir := t.TempDir()
			if err := BuildVersion(dir, fx, version); err != nil {
				t.Fatalf("schema %s, version %d: %v", schemas, version, err)
			}
			checkShape(t, dir, fx, version)
		}
	}
}

func checkShape(t *testing.T, dir string, fx Fixture, version int) {
	t.Helper()
	for _, f := range []string{"cache.db", "shadow.db"} {
		db, err := sql.Open("sqlite3", "file:"+filepath.Join(dir, f)+"?mode=ro")
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var v int
		if err := db.QueryRow(`PRAGMA user_version`).Scan(&v); err != nil || v != version {
			t.Fatalf("%s: user_version %d (%v), want %d", f, v, err, version)
		}
	}
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(dir, "cache.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	has := func(table string) bool {
		var n int
		db.QueryRow(`SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?`, table).Scan(&n)
		return n == 1
	}
	for _, col := range []string{"name", "uid"} {
		unique, err := columnUnique(db, col)
		if err != nil {
			t.Fatal(err)
		}
		if unique != (version < V3) {
			t.Fatalf("version %d: passwd.%s UNIQUE %v", version, col, unique)
		}
	}
	if has("passwd_name") != (version >= V3) || has("passwd_uid") != (version >= V3) || has("passwd_block") != (version >= V2) {
		t.Fatalf("version %d: passwd_name %v, passwd_uid %v, passwd_block %v",
			version, has("passwd_name"), has("passwd_uid"), has("passwd_block"))
	}
	if version < V3 {
		return
	}
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM passwd_name`).Scan(&n); err != nil || n != len(fx.Users) {
		t.Fatalf("passwd_name: %d buckets (%v), want %d", n, err, len(fx.Users))
	}
	for _, u := range fx.Users {
		var b []byte
		if err := db.QueryRow(`SELECT data FROM passwd_name WHERE id = ?`, NameKey(u.Name)).Scan(&b); err != nil {
			t.Fatalf("bucket of %q: %v", u.Name, err)
		}
		if !bytes.Equal(b, Bucket(u)) {
			t.Fatalf("bucket of %q: % x", u.Name, b)
		}
	}
	// passwd_uid holds exactly UIDBuckets, under their first uids, in
	// ascending id order (TestUIDBucketsShape checks the cut itself).
	buckets, err := UIDBuckets(fx.Users)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := db.Query(`SELECT id, data FROM passwd_uid ORDER BY rowid`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	i := 0
	for ; rows.Next(); i++ {
		var id int64
		var b []byte
		if err := rows.Scan(&id, &b); err != nil {
			t.Fatal(err)
		}
		if i >= len(buckets) || id != int64(buckets[i][0].UID) || !bytes.Equal(b, Bucket(buckets[i]...)) {
			t.Fatalf("passwd_uid row %d: id %d, % x", i, id, b)
		}
	}
	if i != len(buckets) {
		t.Fatalf("passwd_uid: %d buckets, want %d", i, len(buckets))
	}
}

// UIDBuckets keeps the contract (users in uid order, every uid once, each
// bucket's uids from its id up to the next bucket's) and has buckets of
// one user and of several, with a missing uid inside a bucket's range.
func TestUIDBucketsShape(t *testing.T) {
	fx := Synthetic(40, 3, "S")
	buckets, err := UIDBuckets(fx.Users)
	if err != nil {
		t.Fatal(err)
	}
	sizes := map[int]int{}
	seen := 0
	for k, b := range buckets {
		sizes[len(b)]++
		seen += len(b)
		for i := 1; i < len(b); i++ {
			if b[i].UID <= b[i-1].UID {
				t.Fatalf("bucket %d: uid %d after %d", k, b[i].UID, b[i-1].UID)
			}
		}
		if k > 0 && b[0].UID <= buckets[k-1][len(buckets[k-1])-1].UID {
			t.Fatalf("bucket %d starts at %d, not above the previous bucket's last uid", k, b[0].UID)
		}
	}
	if seen != len(fx.Users) || sizes[1] == 0 || sizes[4] == 0 {
		t.Fatalf("%d users in buckets of sizes %v: want all %d, buckets of 1 and of 4", seen, sizes, len(fx.Users))
	}
	if b := buckets[0]; len(b) < 2 || b[0].UID != UIDBase || b[len(b)-1].UID != UIDBase+3 || buckets[1][0].UID != UIDBase+5 {
		t.Fatalf("first buckets %v, %v: want uid %d inside the first bucket's range", b, buckets[1], UIDBase+4)
	}
	dup := append(slices.Clone(fx.Users), fx.Users[3])
	dup[len(dup)-1].Name = "other"
	if _, err := UIDBuckets(dup); err == nil {
		t.Fatal("UIDBuckets accepted a uid held by two users")
	}
}
