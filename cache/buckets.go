package cache

import (
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"fmt"
	"slices"
)

// getpwnam's and getpwuid's tables (schema version 3, schema_main.sql):
// every user once more in each, packed as in passwd_block, in key order, a
// few to a bucket: passwd_name keyed by nameHash of the name, passwd_uid by
// the uid. The module finds the bucket of a key with one descent of an
// integer-keyed B-tree (the last bucket whose id is at most the key) and
// picks the entry in it; the indexes they replace cost a descent of their
// own, then one of passwd.

// bucketEntries is how many entries a bucket holds (more when names share
// a hash, which are never split). One row per user cost ~90 ms of SQLite
// inserts a publish at 100,000 users; four per row a quarter of that, and
// lookups in a prototype were as fast (random hits 1.20 -> 1.14 us,
// repeated 0.54 -> 0.56 us; eight: 1.33 and 0.59).
const bucketEntries = 4

// nameHash is FNV-1a 64 of name's bytes, read as an SQLite rowid (a
// two's-complement int64). The C reader computes the same (vectors in
// schema_main.sql and buckets_test.go).
func nameHash[S string | []byte](name S) int64 {
	h := uint64(0xcbf29ce484222325)
	for i := 0; i < len(name); i++ {
		h ^= uint64(name[i])
		h *= 0x100000001b3
	}
	return int64(h)
}

// keyedTable is a table of buckets: the entries in key order, cut into
// blocks of about bucketEntries, each under the key of its first entry.
// key and ident read an entry as decodeBlockBytes hands it over: key is
// what orders and finds it, ident what must not repeat.
type keyedTable struct {
	table string
	shape blockShape
	key   func(num []byte, fields [][]byte) int64
	ident func(num []byte, fields [][]byte) []byte
}

var (
	// passwd_name: getpwnam's buckets, keyed by nameHash of the name.
	passwdName = keyedTable{table: "passwd_name", shape: shapePasswd,
		key:   func(_ []byte, f [][]byte) int64 { return nameHash(f[0]) },
		ident: func(_ []byte, f [][]byte) []byte { return f[0] }}
	// passwd_uid: getpwuid's buckets, keyed by the uid itself.
	passwdUID = keyedTable{table: "passwd_uid", shape: shapePasswd,
		key:   func(num []byte, _ [][]byte) int64 { return int64(binary.LittleEndian.Uint32(num)) },
		ident: func(num []byte, _ [][]byte) []byte { return num[:4] }}
)

// insertUserBuckets writes passwd_name and passwd_uid for users (already
// validated: names and uids unique).
func insertUserBuckets(ctx context.Context, c *wconn, users []User) error {
	entry := func(b []byte, i int) []byte { return appendUser(b, &users[i]) }
	if err := insertBuckets(ctx, c, passwdName, len(users), func(i int) int64 { return nameHash(users[i].Name) }, entry); err != nil {
		return err
	}
	return insertBuckets(ctx, c, passwdUID, len(users), func(i int) int64 { return int64(users[i].UID) }, entry)
}

// insertBuckets writes n entries into kt, entry i under key(i) (which
// must be kt.key of the entry appendEntry writes). Buckets go in in id
// order, so each insert appends at the right edge of the B-tree.
func insertBuckets(ctx context.Context, c *wconn, kt keyedTable, n int, key func(i int) int64, appendEntry func([]byte, int) []byte) error {
	type keyed struct {
		id int64
		i  int
	}
	ks := make([]keyed, n)
	for i := range ks {
		ks[i] = keyed{key(i), i}
	}
	// Ties (a 64-bit collision) keep input order, so a bucket's entries
	// are the same every publish.
	slices.SortFunc(ks, func(a, b keyed) int { return cmp.Or(cmp.Compare(a.id, b.id), cmp.Compare(a.i, b.i)) })
	t, err := newTable(ctx, c, kt.table, "id, data", 2)
	if err != nil {
		return err
	}
	defer t.close()
	blk := make([]byte, 0, 1024)
	for j := 0; j < len(ks); {
		k := j
		blk = append(blk[:0], 0, 0, 0, 0)
		// Up to bucketEntries, then on while the key repeats: equal keys
		// share a bucket, so a lookup never needs two.
		for ; k < len(ks) && (k-j < bucketEntries || ks[k].id == ks[k-1].id); k++ {
			blk = appendEntry(blk, ks[k].i)
		}
		binary.LittleEndian.PutUint32(blk, uint32(k-j))
		t.rows.int(ks[j].id)
		t.rows.blob(blk)
		if err := t.end(); err != nil {
			return err
		}
		j = k
	}
	return t.flush()
}

// countBuckets decodes every bucket of kt in the file at path as the
// module would and returns the number of entries. It checks what a lookup
// relies on: each bucket's id is the key of its first entry, every entry's
// key lies between its bucket's id and the next bucket's (so the last
// bucket whose id is at most a key is the only one that can hold it), and
// no name repeats in a bucket (equal names have equal keys, so none
// repeats in the table). It reads through SQLite's C API (scanBlobs):
// 100,000 rows through database/sql cost ~90 ms a publish.
func countBuckets(ctx context.Context, path string, kt keyedTable) (int, error) {
	c, err := openRead(path)
	if err != nil {
		return 0, err
	}
	defer c.close()
	total := 0
	var prevMax int64
	first := true
	err = c.scanBlobs(ctx, "SELECT id, data FROM "+kt.table+" ORDER BY id", func(id int64, data []byte) error {
		var bad error
		var seen [][]byte // idents of this bucket, to catch a repeat
		lo, hi := int64(0), int64(0)
		n, err := decodeBlockBytes(data, kt.shape, func(num []byte, fields [][]byte) {
			key, ident := kt.key(num, fields), kt.ident(num, fields)
			if len(seen) == 0 || key < lo {
				lo = key
			}
			if len(seen) == 0 || key > hi {
				hi = key
			}
			if bad == nil && slices.ContainsFunc(seen, func(o []byte) bool { return bytes.Equal(o, ident) }) {
				bad = fmt.Errorf("%q (%q) twice in bucket %d", fields[0], ident, id)
			}
			seen = append(seen, ident)
		})
		switch {
		case err != nil:
		case bad != nil:
			err = bad
		case lo != id:
			err = fmt.Errorf("lowest key in bucket %d is %d", id, lo)
		case !first && prevMax >= id:
			err = fmt.Errorf("bucket %d follows one holding key %d", id, prevMax)
		}
		if err == nil {
			err = bad
		}
		if err != nil {
			return fmt.Errorf("%s bucket %d: %w", kt.table, id, err)
		}
		total += n
		prevMax, first = hi, false
		return nil
	})
	return total, err
}
