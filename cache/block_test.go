package cache

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// readBlocks returns every block of table in id order.
func readBlocks(t *testing.T, db *sql.DB, table string) [][]byte {
	t.Helper()
	rows, err := db.Query(`SELECT data FROM ` + table + ` ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out [][]byte
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

// decodeUsers turns passwd blocks back into users, checking each block's
// size against blockTarget: full blocks close at the first entry that
// reaches it, and only the last block may be smaller.
func decodeUsers(t *testing.T, blocks [][]byte) []User {
	t.Helper()
	var out []User
	for i, b := range blocks {
		_, err := decodeBlock(b, shapePasswd, func(num []byte, s []string) {
			out = append(out, User{Name: s[0], Passwd: s[1], UID: binary.LittleEndian.Uint32(num),
				GID: binary.LittleEndian.Uint32(num[4:]), Gecos: s[2], Dir: s[3], Shell: s[4]})
		})
		if err != nil {
			t.Fatalf("block %d: %v", i, err)
		}
		if i < len(blocks)-1 && len(b) < blockTarget {
			t.Fatalf("block %d of %d: %d bytes, below blockTarget %d", i, len(blocks), len(b), blockTarget)
		}
	}
	return out
}

// The blocks the writer publishes hold exactly the snapshot's entries, in
// order, whatever falls on a block boundary: nothing, an entry larger than
// a block, or entries filling blocks exactly.
func TestBlocksRoundTrip(t *testing.T) {
	one := len(appendUser(nil, &genSnapshot(1, 1, 0, false).Users[0]))
	for _, tc := range []struct {
		name  string
		users int
		edit  func(s *Snapshot)
	}{
		{"one user", 1, nil},
		{"a block and one", blockTarget/one + 2, nil},
		{"several blocks", 5000, nil},
		{"entries larger than a block", 50, func(s *Snapshot) {
			s.Users[0].Gecos = strings.Repeat("a", 2*blockTarget)
			s.Users[17].Gecos = strings.Repeat("b", blockTarget)
			s.Users[49].Gecos = strings.Repeat("c", 3*blockTarget)
		}},
		{"empty fields", 600, func(s *Snapshot) {
			for i := range s.Users {
				if i%3 == 0 {
					s.Users[i].Gecos, s.Users[i].Shell = "", ""
				}
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			snap := genSnapshot(tc.users, 3, 2, true)
			if tc.edit != nil {
				tc.edit(snap)
			}
			dir := testDir(t)
			opts := testOpts(dir)
			opts.Force = true
			mustPublish(t, snap, opts)
			db := openTest(t, filepath.Join(dir, MainFile))
			got := decodeUsers(t, readBlocks(t, db, "passwd_block"))
			if len(got) != len(snap.Users) {
				t.Fatalf("%d users in blocks, want %d", len(got), len(snap.Users))
			}
			for i := range got {
				if got[i] != snap.Users[i] {
					t.Fatalf("user %d = %+v, want %+v", i, got[i], snap.Users[i])
				}
			}
			var shadows []Shadow
			for _, b := range readBlocks(t, openTest(t, filepath.Join(dir, ShadowFile)), "shadow_block") {
				if _, err := decodeBlock(b, shapeShadow, func(num []byte, s []string) {
					v := func(k int) int64 { return int64(binary.LittleEndian.Uint64(num[8*k:])) }
					shadows = append(shadows, Shadow{Name: s[0], Passwd: s[1], LastChange: v(0), Min: v(1),
						Max: v(2), Warn: v(3), Inactive: v(4), Expire: v(5), Flag: v(6)})
				}); err != nil {
					t.Fatal(err)
				}
			}
			if fmt.Sprint(shadows) != fmt.Sprint(snap.Shadow) {
				t.Fatalf("shadow blocks differ from the snapshot")
			}
		})
	}
}

// Empty maps have no blocks at all (the reader's walk ends at once).
func TestBlocksEmptyMaps(t *testing.T) {
	dir := testDir(t)
	opts := testOpts(dir)
	opts.Force = true
	mustPublish(t, &Snapshot{Source: "empty", Shadow: []Shadow{}}, opts)
	for file, tables := range map[string][]string{MainFile: {"passwd_block", "grp_block"}, ShadowFile: {"shadow_block"}} {
		db := openTest(t, filepath.Join(dir, file))
		for _, table := range tables {
			if n := len(readBlocks(t, db, table)); n != 0 {
				t.Errorf("%s: %d blocks, want 0", table, n)
			}
		}
	}
}

// decodeBlock, which verify runs on every block, refuses what the C reader
// refuses (the same damages are run through the module in nss/).
func TestDecodeBlockRefusesMalformed(t *testing.T) {
	good := binary.LittleEndian.AppendUint32(nil, 2)
	good = appendUser(good, &User{Name: "a", Passwd: "x", UID: 1, GID: 2, Gecos: "g", Dir: "/", Shell: "/bin/sh"})
	good = appendUser(good, &User{Name: "b", Passwd: "x", UID: 3, GID: 4, Dir: "/"})
	if n, err := decodeBlock(good, shapePasswd, nil); n != 2 || err != nil {
		t.Fatalf("good block: %d, %v", n, err)
	}
	edit := func(f func(b []byte) []byte) []byte { return f(append([]byte(nil), good...)) }
	for name, b := range map[string][]byte{
		"empty":         {},
		"3 bytes":       good[:3],
		"count 0":       edit(func(b []byte) []byte { b[0] = 0; return b }),
		"count 3":       edit(func(b []byte) []byte { b[0] = 3; return b }),
		"count 1":       edit(func(b []byte) []byte { b[0] = 1; return b }), // bytes left over
		"trailing byte": append(append([]byte(nil), good...), 0),
		"last NUL cut":  good[:len(good)-1],
		"header cut":    good[:4+8+7],
		"length 2^32-1": edit(func(b []byte) []byte { binary.LittleEndian.PutUint32(b[12:], 1<<32-1); return b }),
		"length +1":     edit(func(b []byte) []byte { b[12]++; return b }),
		"NUL replaced":  edit(func(b []byte) []byte { b[4+8+20+1] = 'x'; return b }),
		"uid 2^32-1":    edit(func(b []byte) []byte { binary.LittleEndian.PutUint32(b[4:], 1<<32-1); return b }),
		"gid 2^32-1":    edit(func(b []byte) []byte { binary.LittleEndian.PutUint32(b[8:], 1<<32-1); return b }),
	} {
		if _, err := decodeBlock(b, shapePasswd, nil); !errors.Is(err, errBlock) {
			t.Errorf("%s: err %v, want errBlock", name, err)
		}
	}
}

// verifyFile decodes the blocks: a file whose blocks disagree with its
// rows, or break the format, is never published.
func TestVerifyRefusesBadBlocks(t *testing.T) {
	for name, stmt := range map[string]string{
		"block missing":   `DELETE FROM passwd_block WHERE id = (SELECT max(id) FROM passwd_block)`,
		"block malformed": `UPDATE grp_block SET data = substr(data, 1, 10) WHERE id = 1`,
		"no blocks table": `DROP TABLE passwd_block`,
	} {
		t.Run(name, func(t *testing.T) {
			dir := testDir(t)
			snap := genSnapshot(2000, 300, 3, false)
			mustPublish(t, snap, testOpts(dir))
			path := filepath.Join(dir, MainFile)
			db, err := sql.Open("sqlite3", uri(path, "mode=rw&_journal_mode=DELETE"))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.Exec(stmt); err != nil {
				t.Fatal(err)
			}
			db.Close()
			want := map[string]int{"users": 2000, "groups": 300, "members": 900}
			err = verifyFile(context.Background(), path, kindMain, want)
			if err == nil || !strings.Contains(err.Error(), "_block") {
				t.Fatalf("verifyFile: %v, want an error about the blocks", err)
			}
		})
	}
}

// A live version 1 cache (written before packed blocks) is read for the
// generation and the shrink guard, and replaced by the next publish
// without force: an upgraded host must not need an admin to move on.
func TestPublishReplacesVersion1(t *testing.T) {
	dir := testDir(t)
	snap := genSnapshot(300, 20, 3, true)
	mustPublish(t, snap, testOpts(dir))
	for _, f := range []string{MainFile, ShadowFile} {
		db, err := sql.Open("sqlite3", uri(filepath.Join(dir, f), "mode=rw&_journal_mode=DELETE"))
		if err != nil {
			t.Fatal(err)
		}
		stmt := `DROP TABLE passwd_block; DROP TABLE grp_block; PRAGMA user_version = 1; VACUUM`
		if f == ShadowFile {
			stmt = `DROP TABLE shadow_block; PRAGMA user_version = 1; VACUUM`
		}
		if _, err := db.Exec(stmt); err != nil {
			t.Fatal(err)
		}
		db.Close()
	}
	m, err := ReadMeta(dir)
	if err != nil || m.Generation != 1 || m.Users != 300 {
		t.Fatalf("ReadMeta of a version 1 cache: %+v, %v", m, err)
	}
	res := mustPublish(t, snap, testOpts(dir))
	if res.Meta.Generation != 2 {
		t.Fatalf("generation %d, want 2", res.Meta.Generation)
	}
	var v int
	if err := openTest(t, filepath.Join(dir, MainFile)).QueryRow(`PRAGMA user_version`).Scan(&v); err != nil || v != SchemaVersion {
		t.Fatalf("user_version %d (%v), want %d", v, err, SchemaVersion)
	}
}
