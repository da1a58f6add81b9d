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
//	2  passwd.name UNIQUE, no passwd_name table
//	3  passwd.name not UNIQUE, passwd_name (id INTEGER PRIMARY KEY, data
//	   BLOB NOT NULL): FNV-1a 64 of the name -> its bucket (buckets.go)
const (
	V1      = 1
	V2      = 2
	V3      = 3
	Current = V3
)

// passwdName is passwd's name column as the schema declares it, with or
// without UNIQUE. Only the passwd table's CREATE statement is searched.
var passwdName = regexp.MustCompile(`(?i)\bname\s+TEXT\s+NOT\s+NULL(\s+UNIQUE)?`)

// shapeMain turns a freshly created cache.db schema into version's tables
// (before any row is written) and checks the result.
func shapeMain(db *sql.DB, version int) error {
	if err := setNameUnique(db, version < V3); err != nil {
		return err
	}
	if version >= V3 {
		_, err := db.Exec(`CREATE TABLE IF NOT EXISTS passwd_name (id INTEGER PRIMARY KEY, data BLOB NOT NULL)`)
		return err
	}
	_, err := db.Exec(`DROP TABLE IF EXISTS passwd_name`)
	return err
}

// setNameUnique re-creates the empty passwd table with or without UNIQUE
// on name (SQLite cannot alter a column constraint), keeping any other
// index on it, and verifies what SQLite then reports.
func setNameUnique(db *sql.DB, unique bool) error {
	var ddl string
	if err := db.QueryRow(`SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'passwd'`).Scan(&ddl); err != nil {
		return fmt.Errorf("schema: passwd table: %w", err)
	}
	loc := passwdName.FindStringSubmatchIndex(ddl)
	if loc == nil {
		return fmt.Errorf("schema: no `name TEXT NOT NULL` column in passwd: %s", ddl)
	}
	col := ddl[loc[0]:loc[1]] // name TEXT NOT NULL [UNIQUE]
	if loc[2] >= 0 {
		col = ddl[loc[0]:loc[2]]
	}
	if unique {
		col += " UNIQUE"
	}
	want := ddl[:loc[0]] + col + ddl[loc[1]:]
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
	got, err := nameUnique(db)
	if err != nil {
		return err
	}
	if got != unique {
		return fmt.Errorf("schema: passwd.name UNIQUE is %v after reshaping, want %v", got, unique)
	}
	return nil
}

// nameUnique reports whether a UNIQUE index covers exactly passwd(name).
func nameUnique(db *sql.DB) (bool, error) {
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
		if len(cols) == 1 && cols[0] == "name" {
			return true, nil
		}
	}
	return false, nil
}
