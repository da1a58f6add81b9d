package cache

import (
	"cmp"
	"context"
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
	return inTx(ctx, path, schemaMain, func(c *wconn) error {
		if err := insertUsers(ctx, c, snap.Users); err != nil {
			return err
		}
		if err := insertUserBuckets(ctx, c, snap.Users); err != nil {
			return err
		}
		if err := step(ctx, stageUsersInserted, snap.Source); err != nil {
			return err
		}
		if err := insertGroups(ctx, c, snap.Groups); err != nil {
			return err
		}
		return insertMeta(ctx, c, [][2]string{
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
	return inTx(ctx, path, schemaShadow, func(c *wconn) error {
		if err := insertShadow(ctx, c, snap.Shadow); err != nil {
			return err
		}
		if err := step(ctx, stageShadowInserted, snap.Source); err != nil {
			return err
		}
		return insertMeta(ctx, c, [][2]string{
			{"kind", kindShadow},
			{"generation", strconv.FormatInt(meta.Generation, 10)},
			{"shadow", strconv.Itoa(len(snap.Shadow))},
		})
	})
}

// inTx opens the temp file at path, sets the build pragmas, and runs schema
// and fill in one transaction. Any error leaves the transaction
// uncommitted: closing the connection rolls it back, and the temp file is
// removed by the publication's cleanup.
func inTx(ctx context.Context, path, schema string, fill func(*wconn) error) (err error) {
	c, err := openBuild(path)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := c.close(); err == nil {
			err = cerr
		}
	}()
	if err := c.exec(buildPragmas); err != nil {
		return fmt.Errorf("cache: pragmas: %w", err)
	}
	if err := c.exec("BEGIN"); err != nil {
		return fmt.Errorf("cache: begin: %w", err)
	}
	if err := c.exec(schema); err != nil {
		return fmt.Errorf("cache: schema: %w", err)
	}
	if err := fill(c); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("cache: publish cancelled before commit: %w", err)
	}
	if err := c.exec("COMMIT"); err != nil {
		return fmt.Errorf("cache: commit: %w", err)
	}
	return nil
}

// insertUsers writes each user twice, in the same order: a passwd row
// (point lookups) and an entry of passwd_block (enumeration, block.go).
func insertUsers(ctx context.Context, c *wconn, users []User) error {
	t, err := newTable(ctx, c, "passwd", "name, passwd, uid, gid, gecos, dir, shell", 7)
	if err != nil {
		return err
	}
	defer t.close()
	bw, err := newBlockWriter(ctx, c, shapePasswd)
	if err != nil {
		return err
	}
	defer bw.close()
	for i := range users {
		u := &users[i]
		r := &t.rows
		r.text(u.Name)
		r.text(u.Passwd)
		r.int(int64(u.UID))
		r.int(int64(u.GID))
		r.text(u.Gecos)
		r.text(u.Dir)
		r.text(u.Shell)
		if err := t.end(); err != nil {
			return err
		}
		if err := bw.end(appendUser(bw.start(), u)); err != nil {
			return err
		}
	}
	if err := t.flush(); err != nil {
		return err
	}
	return bw.flush()
}

func insertGroups(ctx context.Context, c *wconn, groups []Group) error {
	gt, err := newTable(ctx, c, "grp", "name, passwd, gid, members, nmembers", 5)
	if err != nil {
		return err
	}
	defer gt.close()
	mt, err := newTable(ctx, c, "member", "name, gid", 2)
	if err != nil {
		return err
	}
	defer mt.close()
	bw, err := newBlockWriter(ctx, c, shapeGroup)
	if err != nil {
		return err
	}
	defer bw.close()
	var pairs []memberPair
	for i := range groups {
		g := &groups[i]
		members := dedupMembers(g.Members)
		joined := strings.Join(members, ",")
		r := &gt.rows
		r.text(g.Name)
		r.text(g.Passwd)
		r.int(int64(g.GID))
		r.text(joined)
		r.int(int64(len(members)))
		if err := gt.end(); err != nil {
			return err
		}
		if err := bw.end(appendGroup(bw.start(), g, joined)); err != nil {
			return err
		}
		for _, m := range members {
			pairs = append(pairs, memberPair{m, g.GID})
		}
	}
	if err := gt.flush(); err != nil {
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
		mt.rows.text(p.name)
		mt.rows.int(int64(p.gid))
		if err := mt.end(); err != nil {
			return err
		}
	}
	return mt.flush()
}

// memberPair is one member row.
type memberPair struct {
	name string
	gid  uint32
}

// nullable stores Unset as SQL NULL: an empty shadow(5) field.
func nullable(r *rowBuf, v int64) {
	if v == Unset {
		r.null()
	} else {
		r.int(v)
	}
}

func insertShadow(ctx context.Context, c *wconn, entries []Shadow) error {
	t, err := newTable(ctx, c, "shadow", "name, passwd, lastchg, min, max, warn, inact, expire, flag", 9)
	if err != nil {
		return err
	}
	defer t.close()
	bw, err := newBlockWriter(ctx, c, shapeShadow)
	if err != nil {
		return err
	}
	defer bw.close()
	for i := range entries {
		s := &entries[i]
		r := &t.rows
		r.text(s.Name)
		r.text(s.Passwd)
		for _, v := range [...]int64{s.LastChange, s.Min, s.Max, s.Warn, s.Inactive, s.Expire, s.Flag} {
			nullable(r, v)
		}
		if err := t.end(); err != nil {
			return err
		}
		if err := bw.end(appendShadow(bw.start(), s)); err != nil {
			return err
		}
	}
	if err := t.flush(); err != nil {
		return err
	}
	return bw.flush()
}

func insertMeta(ctx context.Context, c *wconn, kv [][2]string) error {
	t, err := newTable(ctx, c, "meta", "key, value", 2)
	if err != nil {
		return err
	}
	defer t.close()
	for _, e := range kv {
		t.rows.text(e[0])
		t.rows.text(e[1])
		t.rows.end()
	}
	return t.flush()
}
