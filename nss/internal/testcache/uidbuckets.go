package testcache

import (
	"database/sql"
	"fmt"
	"slices"
	"sort"
)

// The uid buckets of schema version 3, written here from the contract
// (c/ldapidm.h, cache/schema_main.sql), not by calling the writer:
// passwd_uid(id, data), the users in uid order cut into buckets, id = the
// uid of a bucket's first user, data = one passwd block of the bucket's
// users. The writer cuts every four users; this builder cuts 4, 3, 2, 1,
// 4, 3, ... users in turn, so every cache it builds has buckets of one
// user and of several (the bucket seek, `id <= uid ORDER BY id DESC`, is
// then tested on a user at every position of a bucket), and a uid missing
// from the sequence (Synthetic's user 4 holds MaxUID instead of
// UIDBase+4) falls inside a several-user bucket's range.

// uidBucketLen is how many users bucket k holds (the last may hold fewer).
func uidBucketLen(k int) int { return 4 - k%4 }

// UIDBuckets returns users in uid order, cut as BuildVersion cuts them
// into passwd_uid's buckets; each bucket's id is its first user's UID.
// It fails when two users share a uid (the contract's uids are distinct;
// version 3's passwd.uid has no UNIQUE to catch it).
func UIDBuckets(users []User) ([][]User, error) {
	sorted := slices.Clone(users)
	slices.SortStableFunc(sorted, func(a, b User) int {
		switch {
		case a.UID < b.UID:
			return -1
		case a.UID > b.UID:
			return 1
		}
		return 0
	})
	for i := 1; i < len(sorted); i++ {
		if sorted[i].UID == sorted[i-1].UID {
			return nil, fmt.Errorf("uid %d: users %q and %q", sorted[i].UID, sorted[i-1].Name, sorted[i].Name)
		}
	}
	var out [][]User
	for k, i := 0, 0; i < len(sorted); k++ {
		n := min(uidBucketLen(k), len(sorted)-i)
		out = append(out, sorted[i:i+n])
		i += n
	}
	return out, nil
}

// writeUIDBuckets inserts users' uid buckets, in ascending id order (as
// writeBuckets does, so that table pages are full).
func writeUIDBuckets(tx *sql.Tx, users []User) error {
	buckets, err := UIDBuckets(users)
	if err != nil {
		return fmt.Errorf("passwd_uid: %w", err)
	}
	for _, b := range buckets {
		if _, err := tx.Exec(`INSERT INTO passwd_uid(id, data) VALUES(?, ?)`, b[0].UID, Bucket(b...)); err != nil {
			return fmt.Errorf("passwd_uid bucket %d: %w", b[0].UID, err)
		}
	}
	return nil
}

// PutUIDBucket stores data as the passwd_uid bucket with the given id of
// the version 3 cache in dir, replacing one that is there (PutBucket's
// counterpart for uids).
func PutUIDBucket(dir string, id int64, data any) error {
	return putBucket(dir, "passwd_uid", id, data)
}

// uidBucketOnly are damages that only make sense for a uid bucket; each
// gets the intact bucket holding u and u. They leave every entry well
// formed, so only u's lookup is refused.
var uidBucketOnly = map[string]func(bucket []User, u User) []User{
	"uid twice": func(bucket []User, u User) []User {
		var out []User
		for _, v := range bucket {
			out = append(out, v)
			if v.UID == u.UID {
				out = append(out, renamed(u))
			}
		}
		return out
	},
	"uid twice, apart": func(bucket []User, u User) []User {
		return append([]User{u}, append(slices.DeleteFunc(slices.Clone(bucket), func(v User) bool {
			return v.UID == u.UID
		}), renamed(u))...)
	},
}

// valueDamages are the bucketOnly damages that replace the whole value
// (NULL, an integer): they apply to a uid bucket as they are.
var valueDamages = []string{"NULL data", "integer data"}

// renamed is u under another name: the same uid, a second entry.
func renamed(u User) User {
	u.Name += "-twin"
	return u
}

// UIDBucketDamageNames lists every damage UIDBucketDamage applies, sorted.
func UIDBucketDamageNames() []string {
	names := DamageNames()
	names = append(names, valueDamages...)
	for n := range uidBucketOnly {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// UIDBucketDamage applies the named damage to the uid bucket holding user
// u in the version 3 cache in dir, built from users. It returns the users
// whose getpwuid_r must now be UNAVAIL: every user of the bucket when the
// blob is malformed (the reader checks a bucket whole before answering
// from it), only u when u's uid is there twice. Nothing else changes, so
// every other lookup and the walks keep working.
func UIDBucketDamage(dir, name string, users []User, u User) ([]User, error) {
	buckets, err := UIDBuckets(users)
	if err != nil {
		return nil, err
	}
	var bucket []User
	for _, b := range buckets {
		if slices.ContainsFunc(b, func(v User) bool { return v.UID == u.UID }) {
			bucket = b
		}
	}
	if bucket == nil {
		return nil, fmt.Errorf("uid %d in no bucket", u.UID)
	}
	id := int64(bucket[0].UID)
	if fn, ok := uidBucketOnly[name]; ok {
		return []User{u}, PutUIDBucket(dir, id, Bucket(fn(bucket, u)...))
	}
	b := Bucket(bucket...)
	switch fn, ok := Damages[name]; {
	case slices.Contains(valueDamages, name):
		return bucket, PutUIDBucket(dir, id, bucketOnly[name](b, u))
	case !ok:
		return nil, fmt.Errorf("uid bucket damage %q unknown", name)
	case fn == nil:
		return bucket, PutUIDBucket(dir, id, string(b)) // TEXT
	default:
		return bucket, PutUIDBucket(dir, id, fn(b, shapes["passwd_block"]))
	}
}
