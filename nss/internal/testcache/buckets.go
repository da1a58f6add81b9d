package testcache

import (
	"database/sql"
	"fmt"
	"hash/fnv"
	"path/filepath"
	"slices"
	"sort"
)

// The name buckets of schema version 3, written here from the contract
// (c/ldapidm.h, cache/schema_main.sql), not by calling the writer:
// passwd_name(id, data), id = FNV-1a 64 of the name's bytes as an int64,
// data = one passwd block. The writer puts a few users with consecutive
// keys in a bucket under the key of the first; this builder puts exactly
// the users of one key in each (buckets of one key are a case of the same
// rule: the module takes the last bucket whose id is at most the key), so
// the reader is tested on both shapes.

// NameKeyVectors are the contract's vectors for NameKey (cache/
// schema_main.sql and c/query.c list the same): the tests check this
// package's hash and the module's against them.
var NameKeyVectors = []struct {
	Name string
	ID   uint64
}{
	{"", 0xcbf29ce484222325},
	{"a", 0xaf63dc4c8601ec8c},
	{"root", 0xa354fd1ff0c467c5},
	{"alice", 0x508b2abb65a03907},
	{"u000123", 0x1e7cf540703a6130},
}

// NameKey is the passwd_name id of name.
func NameKey(name string) int64 {
	h := fnv.New64a()
	h.Write([]byte(name))
	return int64(h.Sum64())
}

// Bucket encodes users as one block: a u32 count, then their entries.
func Bucket(users ...User) []byte {
	b := le32(nil, uint32(len(users)))
	for _, u := range users {
		b = append(b, PasswdEntry(u)...)
	}
	return b
}

// writeBuckets inserts every user into the bucket of its name. Buckets
// go in in ascending id order: SQLite then fills each table page (rowids
// inserted at random leave pages about two thirds full: at 100,000 users
// 12.2 MB instead of 9.8 MB), so a benchmark on these files sees the
// layout a sorting writer gives.
func writeBuckets(tx *sql.Tx, users []User) error {
	byKey := map[int64][]User{}
	var keys []int64
	for _, u := range users {
		k := NameKey(u.Name)
		if byKey[k] == nil {
			keys = append(keys, k)
		}
		byKey[k] = append(byKey[k], u)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if _, err := tx.Exec(`INSERT INTO passwd_name(id, data) VALUES(?, ?)`, k, Bucket(byKey[k]...)); err != nil {
			return fmt.Errorf("passwd_name bucket %#x: %w", uint64(k), err)
		}
	}
	return nil
}

// PutBucket stores data (a []byte, or any other value SQLite can hold)
// as the bucket with the given id of the version 3 cache in dir,
// replacing one that is there. It is how tests hand-build buckets the
// writer would never make: collisions, wrong ids, damage.
func PutBucket(dir string, id int64, data any) error { return putBucket(dir, "passwd_name", id, data) }

// putBucket is PutBucket for either bucket table (passwd_name, passwd_uid).
func putBucket(dir, table string, id int64, data any) error {
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(dir, "cache.db")+"?_journal_mode=DELETE")
	if err != nil {
		return err
	}
	if data == nil {
		// The schema says NOT NULL; a hostile file need not.
		if _, err := db.Exec(`CREATE TABLE ` + table + `_null (id INTEGER PRIMARY KEY, data BLOB);
			INSERT INTO ` + table + `_null SELECT id, data FROM ` + table + `;
			DROP TABLE ` + table + `;
			ALTER TABLE ` + table + `_null RENAME TO ` + table); err != nil {
			db.Close()
			return err
		}
	}
	if _, err := db.Exec(`INSERT OR REPLACE INTO `+table+`(id, data) VALUES(?, ?)`, id, data); err != nil {
		db.Close()
		return err
	}
	return db.Close()
}

// bucketOnly are damages that only make sense for a bucket; BucketDamage
// also applies every block damage (Damages) to the bucket.
var bucketOnly = map[string]func(b []byte, u User) any{
	"NULL data":    func(b []byte, u User) any { return nil },
	"integer data": func(b []byte, u User) any { return int64(1) },
	"name twice":   func(b []byte, u User) any { return Bucket(u, u) },
	"name twice, apart": func(b []byte, u User) any {
		o := u
		o.Name += "-other"
		return Bucket(u, o, u)
	},
}

// BucketDamageNames lists every damage BucketDamage applies, sorted.
func BucketDamageNames() []string {
	names := DamageNames()
	for n := range bucketOnly {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// BucketDamage applies the named damage to the bucket of user u in the
// version 3 cache in dir. Each makes the bucket one the reader must
// refuse (getpwnam_r of u: UNAVAIL) without reading outside it; nothing
// else changes, so other lookups and the walks keep working.
func BucketDamage(dir, name string, u User) error {
	id := NameKey(u.Name)
	b := Bucket(u)
	if fn, ok := bucketOnly[name]; ok {
		return PutBucket(dir, id, fn(b, u))
	}
	fn, ok := Damages[name]
	if !ok {
		return fmt.Errorf("bucket damage %q unknown", name)
	}
	if fn == nil {
		return PutBucket(dir, id, string(b)) // TEXT
	}
	return PutBucket(dir, id, fn(b, shapes["passwd_block"]))
}
