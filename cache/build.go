package cache

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// buildPragmas prepare a temp file for one bulk transaction. synchronous=OFF
// is safe here: the file is fsynced explicitly before it is published, and a
// crash mid-build only leaves a temp file that the next publisher removes.
// journal_mode=DELETE is the mode the published file must have (never WAL).
const buildPragmas = `PRAGMA journal_mode=DELETE; PRAGMA synchronous=OFF; PRAGMA cache_size=-65536;`

// buildDSN opens a temp file for writing without SQLite's per-connection
// mutex (SQLITE_OPEN_NOMUTEX): the connection is pinned (sqlite.go) and
// database/sql never uses one connection from two goroutines at once, so
// the lock/unlock around every bind and step (7% of a publish's CPU in
// perf) bought nothing.
const buildDSN = "mode=rw&_mutex=no"

// dedupMembers returns g's members without repeats, first occurrence kept.
// Publish calls it twice per group (the meta count, then the rows), and a
// snapshot from the refresher has no repeats already: the list itself is
// returned, without allocating, unless it has one.
func dedupMembers(members []string) []string {
	if len(members) < 2 {
		return members
	}
	seen := make(map[string]struct{}, len(members))
	for i, m := range members {
		if _, dup := seen[m]; dup {
			return dropRepeats(members, i, seen)
		}
		seen[m] = struct{}{}
	}
	return members
}

// dropRepeats finishes dedupMembers from the first repeat, at index i;
// seen holds members[:i].
func dropRepeats(members []string, i int, seen map[string]struct{}) []string {
	out := append(make([]string, 0, len(members)), members[:i]...)
	for _, m := range members[i+1:] {
		if _, dup := seen[m]; !dup {
			seen[m] = struct{}{}
			out = append(out, m)
		}
	}
	return out
}

// buildMain writes the passwd and group maps and the meta rows into the
// empty file at path, in one transaction.
func buildMain(ctx context.Context, path string, snap *Snapshot, meta *Meta) error {
	p, err := openPinned(ctx, uri(path, buildDSN))
	if err != nil {
		return fmt.Errorf("cache: open %s: %w", path, err)
	}
	defer p.Close()
	return inTx(ctx, p, schemaMain, func(tx *sql.Tx) error {
		if err := insertUsers(ctx, tx, snap.Users); err != nil {
			return err
		}
		if err := step(ctx, stageUsersInserted, snap.Source); err != nil {
			return err
		}
		if err := insertGroups(ctx, tx, snap.Groups); err != nil {
			return err
		}
		return insertMeta(ctx, tx, [][2]string{
			{"kind", kindMain},
			{"generation", strconv.FormatInt(meta.Generation, 10)},
			{"built_at", meta.BuiltAt.UTC().Format(builtAtFmt)},
			{"source", meta.Source},
			{"users", strconv.Itoa(meta.Users)},
			{"groups", strconv.Itoa(meta.Groups)},
			{"members", strconv.Itoa(meta.Members)},
			{"shadow", strconv.Itoa(meta.Shadow)},
		})
	})
}

// buildShadow writes the shadow map and its meta rows.
func buildShadow(ctx context.Context, path string, snap *Snapshot, meta *Meta) error {
	p, err := openPinned(ctx, uri(path, buildDSN))
	if err != nil {
		return fmt.Errorf("cache: open %s: %w", path, err)
	}
	defer p.Close()
	return inTx(ctx, p, schemaShadow, func(tx *sql.Tx) error {
		if err := insertShadow(ctx, tx, snap.Shadow); err != nil {
			return err
		}
		if err := step(ctx, stageShadowInserted, snap.Source); err != nil {
			return err
		}
		return insertMeta(ctx, tx, [][2]string{
			{"kind", kindShadow},
			{"generation", strconv.FormatInt(meta.Generation, 10)},
			{"shadow", strconv.Itoa(len(snap.Shadow))},
		})
	})
}

// inTx sets the build pragmas, then runs schema and fill in one transaction.
func inTx(ctx context.Context, p *pinned, schema string, fill func(*sql.Tx) error) error {
	if _, err := p.conn.ExecContext(ctx, buildPragmas); err != nil {
		return fmt.Errorf("cache: pragmas: %w", err)
	}
	tx, err := p.conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("cache: begin: %w", err)
	}
	defer tx.Rollback() // no-op after Commit
	if _, err := tx.ExecContext(ctx, schema); err != nil {
		return fmt.Errorf("cache: schema: %w", err)
	}
	if err := fill(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("cache: commit: %w", err)
	}
	return nil
}

// insertUsers writes each user twice, in the same order: a passwd row
// (point lookups) and an entry of passwd_block (enumeration, block.go).
func insertUsers(ctx context.Context, tx *sql.Tx, users []User) error {
	b, err := newBatcher(ctx, tx, "passwd", "name, passwd, uid, gid, gecos, dir, shell")
	if err != nil {
		return err
	}
	defer b.close()
	bw, err := newBlockWriter(ctx, tx, shapePasswd)
	if err != nil {
		return err
	}
	defer bw.close()
	for i := range users {
		u := &users[i]
		if err := b.add(u.Name, u.Name, u.Passwd, int64(u.UID), int64(u.GID), u.Gecos, u.Dir, u.Shell); err != nil {
			return err
		}
		if err := bw.end(appendUser(bw.start(), u)); err != nil {
			return err
		}
	}
	if err := b.flush(); err != nil {
		return err
	}
	return bw.flush()
}

func insertGroups(ctx context.Context, tx *sql.Tx, groups []Group) error {
	gb, err := newBatcher(ctx, tx, "grp", "name, passwd, gid, members, nmembers")
	if err != nil {
		return err
	}
	defer gb.close()
	mb, err := newBatcher(ctx, tx, "member", "name, gid")
	if err != nil {
		return err
	}
	defer mb.close()
	bw, err := newBlockWriter(ctx, tx, shapeGroup)
	if err != nil {
		return err
	}
	defer bw.close()
	var pairs []memberPair
	for i := range groups {
		g := &groups[i]
		members := dedupMembers(g.Members)
		joined := strings.Join(members, ",")
		if err := gb.add(g.Name, g.Name, g.Passwd, int64(g.GID), joined, len(members)); err != nil {
			return err
		}
		if err := bw.end(appendGroup(bw.start(), g, joined)); err != nil {
			return err
		}
		for _, m := range members {
			pairs = append(pairs, memberPair{m, g.GID, g.Name})
		}
	}
	if err := gb.flush(); err != nil {
		return err
	}
	if err := bw.flush(); err != nil {
		return err
	}
	// In key order, each insert appends to the right edge of the member
	// b-tree instead of landing on a random leaf (and splitting it).
	slices.SortFunc(pairs, func(a, b memberPair) int {
		if c := strings.Compare(a.name, b.name); c != 0 {
			return c
		}
		return cmp.Compare(a.gid, b.gid)
	})
	for _, p := range pairs {
		if err := mb.add(p.group, p.name, int64(p.gid)); err != nil {
			return err
		}
	}
	return mb.flush()
}

// memberPair is one member row; group names it in an error message.
type memberPair struct {
	name  string
	gid   uint32
	group string
}

// nullable stores Unset as SQL NULL: an empty shadow(5) field.
func nullable(v int64) any {
	if v == Unset {
		return nil
	}
	return v
}

func insertShadow(ctx context.Context, tx *sql.Tx, entries []Shadow) error {
	b, err := newBatcher(ctx, tx, "shadow", "name, passwd, lastchg, min, max, warn, inact, expire, flag")
	if err != nil {
		return err
	}
	defer b.close()
	bw, err := newBlockWriter(ctx, tx, shapeShadow)
	if err != nil {
		return err
	}
	defer bw.close()
	for i := range entries {
		s := &entries[i]
		if err := b.add(s.Name, s.Name, s.Passwd, nullable(s.LastChange), nullable(s.Min), nullable(s.Max),
			nullable(s.Warn), nullable(s.Inactive), nullable(s.Expire), nullable(s.Flag)); err != nil {
			return err
		}
		if err := bw.end(appendShadow(bw.start(), s)); err != nil {
			return err
		}
	}
	if err := b.flush(); err != nil {
		return err
	}
	return bw.flush()
}

func insertMeta(ctx context.Context, tx *sql.Tx, kv [][2]string) error {
	for _, e := range kv {
		if _, err := tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES (?,?)`, e[0], e[1]); err != nil {
			return fmt.Errorf("cache: insert meta %s: %w", e[0], err)
		}
	}
	return nil
}
