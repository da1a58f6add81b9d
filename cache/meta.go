package cache

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// ReadMeta reads the meta rows of the live cache.db in dir. When there is
// no cache.db the error satisfies errors.Is(err, fs.ErrNotExist). A file of
// a schema version the module does not read (1 and 2 have the same meta
// rows) or of another kind is an error, as it is for the module.
func ReadMeta(dir string) (*Meta, error) {
	path := filepath.Join(dir, MainFile)
	// Stat first: SQLite reports a missing file as a generic open error.
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("cache: %w", err)
	}
	ctx := context.Background()
	p, err := openReadOnly(ctx, path)
	if err != nil {
		return nil, fmt.Errorf("cache: open %s: %w", path, err)
	}
	defer p.Close()
	var version int
	if err := p.conn.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&version); err != nil {
		return nil, fmt.Errorf("cache: %s: %w", path, err)
	}
	if version < oldestReadableVersion || version > SchemaVersion {
		return nil, fmt.Errorf("cache: %s: schema version %d, this build knows %d..%d", path, version, oldestReadableVersion, SchemaVersion)
	}
	rows, err := readMetaRows(ctx, p.conn)
	if err != nil {
		return nil, fmt.Errorf("cache: %s: %w", path, err)
	}
	return parseMeta(path, rows)
}

func parseMeta(path string, rows map[string]string) (*Meta, error) {
	if rows["kind"] != kindMain {
		return nil, fmt.Errorf("cache: %s: meta kind %q, want %q", path, rows["kind"], kindMain)
	}
	m := &Meta{Source: rows["source"]}
	var err error
	if m.Generation, err = strconv.ParseInt(rows["generation"], 10, 64); err != nil {
		return nil, fmt.Errorf("cache: %s: meta generation %q: %w", path, rows["generation"], err)
	}
	if m.BuiltAt, err = time.Parse(builtAtFmt, rows["built_at"]); err != nil {
		return nil, fmt.Errorf("cache: %s: meta built_at %q: %w", path, rows["built_at"], err)
	}
	// The counts are the ones cache.db's description lists (job.go).
	for _, c := range mainFile.counts {
		v, ok := rows[c.key]
		if !ok && c.optional {
			continue
		}
		if *c.field(m), err = strconv.Atoi(v); err != nil {
			return nil, fmt.Errorf("cache: %s: meta %s %q: %w", path, c.key, v, err)
		}
	}
	return m, nil
}
