package cache

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	_ "github.com/mattn/go-sqlite3" // registers "sqlite3"; built with -tags=libsqlite3
)

// uri turns a path into an SQLite URI with query parameters. '%', '?' and
// '#' would otherwise be read as URI syntax, so a directory named "a?b"
// would open some other file.
func uri(path, query string) string {
	r := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23")
	return "file:" + r.Replace(path) + "?" + query
}

// pinned is one SQLite connection held for the life of one file. A
// database/sql pool may open a second connection by path, and after a rename
// that path names a different file (NOTES.md), so the pool is capped at one
// and the single connection is held explicitly.
type pinned struct {
	db   *sql.DB
	conn *sql.Conn
}

func openPinned(ctx context.Context, dsn string) (*pinned, error) {
	db, err := sql.Open("sqlite3", dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	conn, err := db.Conn(ctx)
	if err != nil {
		db.Close()
		return nil, err
	}
	return &pinned{db: db, conn: conn}, nil
}

func (p *pinned) Close() error {
	err := p.conn.Close()
	if err2 := p.db.Close(); err == nil {
		err = err2
	}
	return err
}

// openReadOnly opens a published (never modified again) file. immutable=1
// tells SQLite there is no journal to look for and no lock to take, which is
// also what lets a reader keep an old generation open across a rename.
func openReadOnly(ctx context.Context, path string) (*pinned, error) {
	return openPinned(ctx, uri(path, "mode=ro&immutable=1"))
}

// createTemp makes an empty file for a new generation of final, with
// O_EXCL so two builders (or a symlink planted in the directory) can never
// share it, and mode 0600 so nobody reads it before its final mode is set.
func createTemp(dir, final string) (string, error) {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	path := filepath.Join(dir, tmpPrefix(final)+hex.EncodeToString(b[:]))
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", fmt.Errorf("cache: create temp file: %w", err)
	}
	return path, f.Close()
}

// fsyncPath flushes a file's data and inode (mode, owner) to disk.
func fsyncPath(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	err = f.Sync()
	if err2 := f.Close(); err == nil {
		err = err2
	}
	return err
}
