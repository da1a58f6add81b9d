package cache

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
)

// verifyFile re-reads a freshly built file through a new read-only
// connection — what a reader will see, not what the writer's connection
// believes — and checks version, kind, integrity and that every count
// equals what was meant to be written.
func verifyFile(ctx context.Context, path, kind string, want map[string]int) error {
	p, err := openPinned(ctx, uri(path, "mode=ro"))
	if err != nil {
		return fmt.Errorf("cache: verify %s: open: %w", path, err)
	}
	defer p.Close()
	fail := func(format string, a ...any) error {
		return fmt.Errorf("cache: verify %s: "+format, append([]any{path}, a...)...)
	}
	var version int
	if err := p.conn.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&version); err != nil {
		return fail("user_version: %w", err)
	}
	if version != SchemaVersion {
		return fail("user_version %d, want %d", version, SchemaVersion)
	}
	var journal string
	if err := p.conn.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&journal); err != nil {
		return fail("journal_mode: %w", err)
	}
	if journal != "delete" {
		return fail("journal_mode %q, want delete", journal)
	}
	var integrity string
	if err := p.conn.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&integrity); err != nil {
		return fail("integrity_check: %w", err)
	}
	if integrity != "ok" {
		return fail("integrity_check: %s", integrity)
	}
	meta, err := readMetaRows(ctx, p.conn)
	if err != nil {
		return fail("%w", err)
	}
	if meta["kind"] != kind {
		return fail("meta kind %q, want %q", meta["kind"], kind)
	}
	for key, n := range want {
		if meta[key] != strconv.Itoa(n) {
			return fail("meta %s = %q, want %d", key, meta[key], n)
		}
	}
	for _, c := range countQueries[kind] {
		var got int
		if err := p.conn.QueryRowContext(ctx, c.query).Scan(&got); err != nil {
			return fail("%s: %w", c.key, err)
		}
		if got != want[c.key] {
			return fail("%s: table holds %d, want %d", c.key, got, want[c.key])
		}
	}
	return nil
}

// countQueries recount each map from its table. "members" is checked twice:
// the member index must hold exactly the pairs grp.members lists, which is
// what initgroups (member table) and getgrnam (grp row) each rely on.
var countQueries = map[string][]struct{ key, query string }{
	kindMain: {
		{"users", `SELECT count(*) FROM passwd`},
		{"groups", `SELECT count(*) FROM grp`},
		{"members", `SELECT count(*) FROM member`},
		{"members", `SELECT coalesce(sum(nmembers), 0) FROM grp`},
	},
	kindShadow: {
		{"shadow", `SELECT count(*) FROM shadow`},
	},
}

func readMetaRows(ctx context.Context, conn *sql.Conn) (map[string]string, error) {
	rows, err := conn.QueryContext(ctx, `SELECT key, value FROM meta`)
	if err != nil {
		return nil, fmt.Errorf("meta: %w", err)
	}
	defer rows.Close()
	m := make(map[string]string)
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, fmt.Errorf("meta: %w", err)
		}
		m[k] = v
	}
	return m, rows.Err()
}
