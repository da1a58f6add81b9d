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

// Build publishes f into dir as cache.db (0644) and shadow.db (0600).
func Build(dir string, f Fixture) error {
	if err := BuildMain(dir, f, "cache.db", 0o644); err != nil {
		return err
	}
	return BuildShadow(dir, f, "shadow.db", 0o600)
}

// BuildMain writes the passwd/group file under the name base.
func BuildMain(dir string, f Fixture, base string, mode os.FileMode) error {
	members := 0
	for _, g := range f.Groups {
		members += len(g.Members)
	}
	return publish(dir, base, mode, "schema_main.sql", func(tx *sql.Tx) error {
		for _, u := range f.Users {
			if _, err := tx.Exec(`INSERT INTO passwd(name,passwd,uid,gid,gecos,dir,shell) VALUES(?,?,?,?,?,?,?)`,
				u.Name, u.Passwd, u.UID, u.GID, u.Gecos, u.Dir, u.Shell); err != nil {
				return fmt.Errorf("user %q: %w", u.Name, err)
			}
		}
		for _, g := range f.Groups {
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
		return meta(tx, "main", f.Gen, map[string]int{"users": len(f.Users), "groups": len(f.Groups), "members": members})
	})
}

// BuildShadow writes the shadow file under the name base.
func BuildShadow(dir string, f Fixture, base string, mode os.FileMode) error {
	return publish(dir, base, mode, "schema_shadow.sql", func(tx *sql.Tx) error {
		for _, s := range f.Shadow {
			if _, err := tx.Exec(`INSERT INTO shadow(name,passwd,lastchg,min,max,warn,inact,expire,flag) VALUES(?,?,?,?,?,?,?,?,?)`,
				s.Name, s.Passwd, null(s.LastChange), null(s.Min), null(s.Max), null(s.Warn),
				null(s.Inactive), null(s.Expire), null(s.Flag)); err != nil {
				return fmt.Errorf("shadow %q: %w", s.Name, err)
			}
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
// into place.
func publish(dir, base string, mode os.FileMode, schemaFile string, fill func(*sql.Tx) error) (err error) {
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
	if err = db.Close(); err != nil {
		return err
	}
	if err = os.Chmod(tmpName, mode); err != nil {
		return err
	}
	return os.Rename(tmpName, filepath.Join(dir, base))
}
