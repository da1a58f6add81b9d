package testcache

import (
	"database/sql"
	"fmt"
	"regexp"
)

// The versions this package writes. The module reads all three; the
// schema files in cache/ describe one of them (the writer's current
// version), so every build reshapes what they create into the version
// asked for, from either side: the tests keep working on the day the
// writer's schema moves from 2 to 3.
//
//	1  version 2 without the *_block tables (downgrade, after filling)
//	2  passwd.name and passwd.uid UNIQUE, no passwd_name, passwd_uid
//	3  passwd.name and passwd.uid not UNIQUE; passwd_name (id INTEGER
//	   PRIMARY KEY, data BLOB NOT NULL): FNV-1a 64 of the name -> its
//	   bucket (buckets.go); passwd_uid (the same columns): uid -> the
//	   bucket that can hold it (uidbuckets.go)
//
// (Version 3 was amended before release: it first kept passwd.uid UNIQUE
// and had no passwd_uid. The schema files in cache/ may describe either;
// both are reshaped into the amended form.)
const (
	V1      = 1
	V2      = 2
	V3      = 3
	Current = V3
)

// passwdCol matches passwd's name and uid columns as the schema declares
// them, with or without UNIQUE. Only the passwd table's CREATE statement
// is searched.
var passwdCol = map[string]*regexp.Regexp{
	"name": regexp.MustCompile(`(?i)\bname\s+TEXT\s+NOT\s+NULL(\s+UNIQUE)?`),
	"uid":  regexp.MustCompile(`(?i)\buid\s+INTEGER\s+NOT\s+NULL(\s+UNIQUE)?`),
}

// bucketTables are version 3's bucket tables.
var bucketTables = []string{"passwd_name", "passwd_uid"}

// shapeMain turns a freshly created cache.db schema into version's tables
// (before any row is written) and checks the result.
func shapeMain(db *sql.DB, version int) error {
	for _, col := range []string{"name", "uid"} {
		if err := setUnique(db, col, version < V3); err != nil {
			return err
		}
	}
	for _, t := range bucketTables {
		stmt := `DROP TABLE IF EXISTS ` + t
		if version >= V3 {
			stmt = `CREATE TABLE IF NOT EXISTS ` + t + ` (id INTEGER PRIMARY KEY, data BLOB NOT NULL)`
		}
		if _, err := db.Exec(stmt); err != nil {
			return err
		}
	}
	return nil
}

// setUnique re-creates the empty passwd table with or without UNIQUE on
// column col (name or uid; SQLite cannot alter a column constraint),
// keeping any other index on it, and verifies what SQLite then reports.
func setUnique(db *sql.DB, col string, unique bool) error {
	var ddl string
	if err := db.QueryRow(`SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'passwd'`).Scan(&ddl); err != nil {
		return fmt.Errorf("schema: passwd table: %w", err)
	}
	loc := passwdCol[col].FindStringSubmatchIndex(ddl)
	if loc == nil {
		return fmt.Errorf("schema: no %q column in passwd: %s", passwdCol[col], ddl)
	}
	decl := ddl[loc[0]:loc[1]] // name TEXT NOT NULL [UNIQUE]
	if loc[2] >= 0 {
		decl = ddl[loc[0]:loc[2]]
	}
	if unique {
		decl += " UNIQUE"
	}
	want := ddl[:loc[0]] + decl + ddl[loc[1]:]
	if want != ddl {
		var idx []string
		rows, err := db.Query(`SELECT sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'passwd' AND sql IS NOT NULL`)
		if err != nil {
			return err
		}
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				rows.Close()
				return err
			}
			idx = append(idx, s)
		}
		rows.Close()
		for _, s := range append([]string{`DROP TABLE passwd`, want}, idx...) {
			if _, err := db.Exec(s); err != nil {
				return fmt.Errorf("schema: reshaping passwd: %s: %w", s, err)
			}
		}
	}
	got, err := columnUnique(db, col)
	if err != nil {
		return err
	}
	if got != unique {
		return fmt.Errorf("schema: passwd.%s UNIQUE is %v after reshaping, want %v", col, got, unique)
	}
	return nil
}

// columnUnique reports whether a UNIQUE index covers exactly passwd(col).
func columnUnique(db *sql.DB, col string) (bool, error) {
	rows, err := db.Query(`SELECT il.name FROM pragma_index_list('passwd') AS il WHERE il."unique" = 1`)
	if err != nil {
		return false, err
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return false, err
		}
		names = append(names, n)
	}
	rows.Close()
	for _, n := range names {
		var cols []string
		r, err := db.Query(`SELECT name FROM pragma_index_info(?)`, n)
		if err != nil {
			return false, err
		}
		for r.Next() {
			var c string
			if err := r.Scan(&c); err != nil {
				r.Close()
				return false, err
			}
			cols = append(cols, c)
		}
		r.Close()
		if len(cols) == 1 && cols[0] == col {
			return true, nil
		}
	}
	return false, nil
}
