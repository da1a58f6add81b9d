package nss

import (
	"errors"
	"fmt"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/ldapidm/ldapidm/nss/internal/testcache"
)

// Schema version 3 (amended): getpwuid_r reads the bucket of passwd_uid
// that can hold the uid (the last whose id is at most it; c/ldapidm.h),
// never passwd. testcache cuts the users 4, 3, 2, 1, 4, ... to a bucket,
// so every test here and in main_test.go's fixture sees buckets of one
// user and of several.

// uidBucketsOf returns fx's uid buckets as testcache builds them.
func uidBucketsOf(t *testing.T, fx testcache.Fixture) [][]testcache.User {
	t.Helper()
	b, err := testcache.UIDBuckets(fx.Users)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The lookup path follows the file's version: with passwd's uid changed
// behind the buckets' back, a version 3 file still answers the old uid
// (its bucket) and not the new one; a version 2 file (rows) the reverse.
// Without the passwd table at all, a version 3 file answers every uid.
func TestPwuidPathFollowsVersion(t *testing.T) {
	fx := testcache.Synthetic(60, 5, "H")
	u := fx.Users[9]
	const moved = 4000000000
	for _, v := range []int{testcache.V2, testcache.V3} {
		dir := newDir(t)
		if err := testcache.BuildVersion(dir, fx, v); err != nil {
			t.Fatal(err)
		}
		sqlExec(t, filepath.Join(dir, "cache.db"), fmt.Sprintf(`UPDATE passwd SET uid = %d WHERE uid = %d`, moved, u.UID))
		useDir(t, dir)
		_, errOld := LookupUserID(u.UID)
		_, errNew := LookupUserID(moved)
		if v == testcache.V3 && (errOld != nil || !errors.Is(errNew, ErrNotFound)) {
			t.Errorf("version 3: uid %d: %v, moved: %v; want found, ErrNotFound", u.UID, errOld, errNew)
		}
		if v == testcache.V2 && (!errors.Is(errOld, ErrNotFound) || errNew != nil) {
			t.Errorf("version 2: uid %d: %v, moved: %v; want ErrNotFound, found", u.UID, errOld, errNew)
		}
	}
	dir := newDir(t)
	if err := testcache.Build(dir, fx); err != nil {
		t.Fatal(err)
	}
	sqlExec(t, filepath.Join(dir, "cache.db"), `DROP TABLE passwd`)
	useDir(t, dir)
	checkOthersAnswer(t, fx, nil, nil)
}

// Every user is found by uid wherever it sits in its bucket, with every
// field. Users after the first of a bucket are stored under another id
// than their uid, so this fails if the bucket query looks for the uid
// itself (`id = ?1`) instead of the last bucket at or below it.
func TestUIDBucketSeek(t *testing.T) {
	_, fx := smallV3(t)
	notFirst := 0
	for _, b := range uidBucketsOf(t, fx) {
		for i, u := range b {
			if got, err := LookupUserID(u.UID); err != nil || got != wantPasswd(u) {
				t.Errorf("LookupUserID(%d), entry %d of %d in bucket %d: %+v, %v", u.UID, i+1, len(b), b[0].UID, got, err)
			}
			if i > 0 {
				notFirst++
			}
		}
	}
	if notFirst == 0 {
		t.Fatal("every user is first in its bucket: the test could not catch an exact-id query")
	}
	// A user in the middle of a bucket (the 4,000-byte gecos) at every
	// buffer size: ERANGE below its need, the exact entry from there (the
	// other entries' sizes do not count).
	u := fx.Users[6]
	need := len(u.Name) + len(u.Passwd) + len(u.Gecos) + len(u.Dir) + len(u.Shell) + 5
	for size := 0; size <= need; size++ {
		st, errno, got := rawPasswd(byID, "", u.UID, size)
		if size < need && (st != statusTryAgain || errno != syscall.ERANGE) {
			t.Fatalf("size %d: status %d errno %v, want TRYAGAIN/ERANGE", size, st, errno)
		}
		if size == need && (st != statusSuccess || got != wantPasswd(u)) {
			t.Fatalf("size %d: status %d, %+v", size, st, got)
		}
	}
}

// uids that no user has are NOTFOUND (not UNAVAIL) wherever they fall:
// below the first bucket (no bucket at all), between two users of a
// bucket, between a bucket's last user and the next bucket's id, and
// above the last user's uid (in the last bucket's range), up to the
// largest uid.
func TestUIDMisses(t *testing.T) {
	fx := testcache.Synthetic(60, 5, "M")
	for i := range fx.Users {
		fx.Users[i].UID = testcache.UIDBase + 10*uint32(i)
	}
	dir := newDir(t)
	if err := testcache.Build(dir, fx); err != nil {
		t.Fatal(err)
	}
	useDir(t, dir)
	buckets := uidBucketsOf(t, fx)
	first, last := buckets[0], buckets[len(buckets)-1]
	if len(first) < 2 {
		t.Fatalf("first bucket holds %d users: want several", len(first))
	}
	misses := map[string][]uint32{
		"below the first bucket": {0, 1, testcache.UIDBase - 1},
		"between users of a bucket": {first[0].UID + 1, first[1].UID - 1,
			first[len(first)-1].UID - 1},
		"between buckets": {first[len(first)-1].UID + 1, buckets[1][0].UID - 1},
		"above the last user": {last[len(last)-1].UID + 1, last[len(last)-1].UID + 1000,
			testcache.MaxUID - 1, testcache.MaxUID},
		"(uid_t)-1": {4294967295},
	}
	for where, ids := range misses {
		for _, id := range ids {
			if got, err := LookupUserID(id); !errors.Is(err, ErrNotFound) {
				t.Errorf("%s: LookupUserID(%d) = %+v, %v; want ErrNotFound", where, id, got, err)
			}
		}
	}
	checkOthersAnswer(t, fx, nil, nil)
}

// Every malformed uid bucket (testcache.UIDBucketDamageNames), holding a
// user at the start of a four-user bucket, in the middle of a three-user
// one, alone, or last of all, makes getpwuid_r of the users it refuses
// UNAVAIL (all of the bucket's when the blob is malformed: it is checked
// whole; only the victim when its uid is there twice), without a crash or
// an over-read (c/tests/run.sh runs the same damages under valgrind);
// every other uid, every name, the groups and the walks still answer.
func TestDamagedUIDBucketsUnavailable(t *testing.T) {
	fx := testcache.Synthetic(60, 5, "H")
	buckets := uidBucketsOf(t, fx)
	victims := []testcache.User{buckets[0][0], buckets[1][1], buckets[3][0], buckets[len(buckets)-1][len(buckets[len(buckets)-1])-1]}
	if len(buckets[0]) != 4 || len(buckets[1]) != 3 || len(buckets[3]) != 1 {
		t.Fatalf("bucket sizes %d, %d, %d: want 4, 3, 1", len(buckets[0]), len(buckets[1]), len(buckets[3]))
	}
	for _, name := range testcache.UIDBucketDamageNames() {
		for _, victim := range victims {
			t.Run(fmt.Sprintf("%s/%d", name, victim.UID), func(t *testing.T) {
				dir := newDir(t)
				if err := testcache.Build(dir, fx); err != nil {
					t.Fatal(err)
				}
				refused, err := testcache.UIDBucketDamage(dir, name, fx.Users, victim)
				if err != nil {
					t.Fatal(err)
				}
				useDir(t, dir)
				for _, u := range refused {
					for round := 0; round < 2; round++ {
						if st, errno, got := rawPasswd(byID, "", u.UID, 1<<16); st != statusUnavail || errno != syscall.ENOENT {
							t.Fatalf("getpwuid_r(%d) = status %d errno %v %+v; want UNAVAIL/ENOENT", u.UID, st, errno, got)
						}
					}
				}
				checkOthersAnswer(t, fx, nil, skipUsers(refused...))
			})
		}
	}
	t.Run("no passwd_uid table", func(t *testing.T) {
		dir := newDir(t)
		if err := testcache.Build(dir, fx); err != nil {
			t.Fatal(err)
		}
		sqlExec(t, filepath.Join(dir, "cache.db"), `DROP TABLE passwd_uid`)
		useDir(t, dir)
		for _, u := range fx.Users[:5] {
			if _, err := LookupUserID(u.UID); !errors.Is(err, ErrUnavailable) {
				t.Fatalf("LookupUserID(%d): %v, want ErrUnavailable", u.UID, err)
			}
		}
		checkOthersAnswer(t, fx, nil, skipAll)
	})
}
