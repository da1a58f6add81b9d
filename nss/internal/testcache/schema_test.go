package testcache

import (
	"bytes"
	"database/sql"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The contract's vectors (c/query.c documents the same).
func TestNameKeyVectors(t *testing.T) {
	for _, v := range []struct {
		name string
		id   uint64
	}{
		{"", 0xcbf29ce484222325},
		{"a", 0xaf63dc4c8601ec8c},
		{"root", 0xa354fd1ff0c467c5},
		{"alice", 0x508b2abb65a03907},
		{"u000123", 0x1e7cf540703a6130},
	} {
		if got := NameKey(v.name); got != int64(v.id) {
			t.Errorf("NameKey(%q) = %#x, want %#x", v.name, uint64(got), v.id)
		}
	}
}

// v3Schema rewrites a version 2 schema_main.sql as the writer's version 3
// will read (passwd.name without UNIQUE, passwd_name, user_version 3); a
// file that is already version 3 comes out unchanged.
func v3Schema(t *testing.T, main string) string {
	t.Helper()
	passwd := regexp.MustCompile(`(?s)CREATE TABLE passwd \(.*?\n\);`)
	ddl := passwd.FindString(main)
	if ddl == "" {
		t.Fatal("no CREATE TABLE passwd in schema_main.sql")
	}
	main = strings.Replace(main, ddl, regexp.MustCompile(`(name\s+TEXT\s+NOT\s+NULL)\s+UNIQUE`).ReplaceAllString(ddl, "$1"), 1)
	main = regexp.MustCompile(`PRAGMA user_version = \d+;`).ReplaceAllString(main, "PRAGMA user_version = 3;")
	if !strings.Contains(main, "CREATE TABLE passwd_name") {
		main += "\nCREATE TABLE passwd_name (\n    id   INTEGER PRIMARY KEY,\n    data BLOB NOT NULL\n);\n"
	}
	d := passwd.FindString(main)
	if regexp.MustCompile(`\bname\s+TEXT\s+NOT\s+NULL\s+UNIQUE`).MatchString(d) ||
		!regexp.MustCompile(`\buid\s+INTEGER\s+NOT\s+NULL\s+UNIQUE`).MatchString(d) {
		t.Fatalf("simulated version 3 passwd table:\n%s", d)
	}
	return main
}

// Every version comes out right whichever version the schema files in
// cache/ describe: today's, and the writer's version 3 (simulated).
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
	unique, err := nameUnique(db)
	if err != nil {
		t.Fatal(err)
	}
	if unique != (version < V3) || has("passwd_name") != (version >= V3) || has("passwd_block") != (version >= V2) {
		t.Fatalf("version %d: passwd.name UNIQUE %v, passwd_name %v, passwd_block %v",
			version, unique, has("passwd_name"), has("passwd_block"))
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
}
