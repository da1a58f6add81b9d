package testcache

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	_ "github.com/mattn/go-sqlite3" // database/sql driver "sqlite3"
)

// SchemaDir is where cache/schema_*.sql live: $LDAPIDM_SCHEMA_DIR, else
// the cache/ directory of the source tree this package was built from.
func SchemaDir() string {
	if d := os.Getenv("LDAPIDM_SCHEMA_DIR"); d != "" {
		return d
	}
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..", "cache")
}

// Build publishes f into dir as cache.db (0644) and shadow.db (0600), at
// the current schema version (3: rows, packed blocks, name and uid
// buckets).
func Build(dir string, f Fixture) error { return BuildVersion(dir, f, Current) }

// BuildV2 publishes f as a version 2 cache: rows and packed blocks,
// passwd.name and passwd.uid UNIQUE (getpwnam_r and getpwuid_r read the
// row), no buckets.
func BuildV2(dir string, f Fixture) error { return BuildVersion(dir, f, V2) }

// BuildV1 publishes f as a version 1 cache, as the writer made it before
// packed blocks: version 2 without the *_block tables, and user_version
// 1. The module must keep serving version 1 and 2 files (hosts upgraded
// while their directory is unreachable keep them).
func BuildV1(dir string, f Fixture) error { return BuildVersion(dir, f, V1) }

// BuildVersion publishes f at schema version 1, 2 or 3 (schema.go).
func BuildVersion(dir string, f Fixture, version int) error {
	if version < V1 || version > V3 {
		return fmt.Errorf("testcache: no schema version %d", version)
	}
	if err := buildMain(dir, f, "cache.db", 0o644, version); err != nil {
		return err
	}
	return buildShadow(dir, f, "shadow.db", 0o600, version)
}

// buildMain writes the passwd/group file under the name base.
func buildMain(dir string, f Fixture, base string, mode os.FileMode, version int) error {
	members := 0
	for _, g := range f.Groups {
		members += len(g.Members)
	}
	return publish(dir, base, mode, version, "schema_main.sql", shapeMain, func(tx *sql.Tx) error {
		for _, u := range f.Users {
			if _, err := tx.Exec(`INSERT INTO passwd(name,passwd,uid,gid,gecos,dir,shell) VALUES(?,?,?,?,?,?,?)`,
				u.Name, u.Passwd, u.UID, u.GID, u.Gecos, u.Dir, u.Shell); err != nil {
				return fmt.Errorf("user %q: %w", u.Name, err)
			}
		}
		var pe, ge [][]byte
		for _, u := range f.Users {
			pe = append(pe, PasswdEntry(u))
		}
		if err := writeBlocks(tx, "passwd_block", pe); err != nil {
			return err
		}
		if version >= V3 {
			if err := writeBuckets(tx, f.Users); err != nil {
				return err
			}
			if err := writeUIDBuckets(tx, f.Users); err != nil {
				return err
			}
		}
		for _, g := range f.Groups {
			ge = append(ge, GroupEntry(g))
			if _, err := tx.Exec(`INSERT INTO grp(name,passwd,gid,members,nmembers) VALUES(?,?,?,?,?)`,
				g.Name, g.Passwd, g.GID, strings.Join(g.Members, ","), len(g.Members)); err != nil {
				return fmt.Errorf("group %q: %w", g.Name, err)
			}
			for _, m := range g.Members {
				if _, err := tx.Exec(`INSERT INTO member(name,gid) VALUES(?,?)`, m, g.GID); err != nil {
					return fmt.Errorf("member %q of %q: %w", m, g.Name, err)
				}
			}
		}
		if err := writeBlocks(tx, "grp_block", ge); err != nil {
			return err
		}
		return meta(tx, "main", f.Gen, map[string]int{"users": len(f.Users), "groups": len(f.Groups), "members": members})
	})
}

// buildShadow writes the shadow file under the name base.
func buildShadow(dir string, f Fixture, base string, mode os.FileMode, version int) error {
	return publish(dir, base, mode, version, "schema_shadow.sql", nil, func(tx *sql.Tx) error {
		var se [][]byte
		for _, s := range f.Shadow {
			se = append(se, ShadowEntry(s))
			if _, err := tx.Exec(`INSERT INTO shadow(name,passwd,lastchg,min,max,warn,inact,expire,flag) VALUES(?,?,?,?,?,?,?,?,?)`,
				s.Name, s.Passwd, null(s.LastChange), null(s.Min), null(s.Max), null(s.Warn),
				null(s.Inactive), null(s.Expire), null(s.Flag)); err != nil {
				return fmt.Errorf("shadow %q: %w", s.Name, err)
			}
		}
		if err := writeBlocks(tx, "shadow_block", se); err != nil {
			return err
		}
		return meta(tx, "shadow", f.Gen, map[string]int{"shadow": len(f.Shadow)})
	})
}

func null(v int64) any {
	if v == -1 {
		return nil
	}
	return v
}

func meta(tx *sql.Tx, kind, gen string, counts map[string]int) error {
	kv := map[string]string{"kind": kind, "generation": "1", "built_at": time.Now().UTC().Format(time.RFC3339),
		"source": "testcache gen " + gen}
	for k, v := range counts {
		kv[k] = strconv.Itoa(v)
	}
	for k, v := range kv {
		if _, err := tx.Exec(`INSERT INTO meta(key,value) VALUES(?,?)`, k, v); err != nil {
			return err
		}
	}
	return nil
}

// publish builds a temp file beside dir/base with fill, then renames it
// into place. The schema's tables are first reshaped to version (shape,
// when not nil) and its user_version set; a version 1 file is filled as
// version 2, then downgraded.
func publish(dir, base string, mode os.FileMode, version int, schemaFile string,
	shape func(*sql.DB, int) error, fill func(*sql.Tx) error) (err error) {
	schema, err := os.ReadFile(filepath.Join(SchemaDir(), schemaFile))
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return err
	}
	tmpName := tmp.Name()
	tmp.Close()
	defer func() {
		if err != nil {
			os.Remove(tmpName)
		}
	}()
	db, err := sql.Open("sqlite3", "file:"+tmpName+"?_journal_mode=DELETE")
	if err != nil {
		return err
	}
	db.SetMaxOpenConns(1)
	if _, err = db.Exec(string(schema)); err != nil {
		db.Close()
		return fmt.Errorf("schema %s: %w", schemaFile, err)
	}
	if shape != nil {
		if err = shape(db, version); err != nil {
			db.Close()
			return fmt.Errorf("schema %s at version %d: %w", schemaFile, version, err)
		}
	}
	if _, err = db.Exec(fmt.Sprintf(`PRAGMA user_version = %d`, version)); err != nil {
		db.Close()
		return err
	}
	tx, err := db.Begin()
	if err != nil {
		db.Close()
		return err
	}
	if err = fill(tx); err != nil {
		tx.Rollback()
		db.Close()
		return err
	}
	if err = tx.Commit(); err != nil {
		db.Close()
		return err
	}
	if version == 1 {
		if err = downgrade(db); err != nil {
			db.Close()
			return err
		}
	}
	if err = db.Close(); err != nil {
		return err
	}
	if err = os.Chmod(tmpName, mode); err != nil {
		return err
	}
	return os.Rename(tmpName, filepath.Join(dir, base))
}

// downgrade turns a freshly built file into its version 1 form.
func downgrade(db *sql.DB) error {
	rows, err := db.Query(`SELECT name FROM sqlite_schema WHERE type = 'table' AND name LIKE '%\_block' ESCAPE '\'`)
	if err != nil {
		return err
	}
	var tables []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return err
		}
		tables = append(tables, t)
	}
	rows.Close()
	if len(tables) == 0 {
		return fmt.Errorf("downgrade: no *_block table in the schema")
	}
	for _, t := range tables {
		if _, err := db.Exec(`DROP TABLE ` + t); err != nil {
			return err
		}
	}
	// VACUUM so the file is exactly what a version 1 writer produced (no
	// free pages left by the dropped tables).
	_, err = db.Exec(`PRAGMA user_version = 1; VACUUM`)
	return err
}
