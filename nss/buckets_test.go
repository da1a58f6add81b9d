package nss

import (
	"errors"
	"path/filepath"
	"reflect"
	"syscall"
	"testing"

	"github.com/ldapidm/ldapidm/nss/internal/testcache"
)

// Schema version 3: getpwnam_r reads the name's bucket in passwd_name
// (c/ldapidm.h), never passwd.name. The other lookups and the walks are
// version 2's; main_test.go's fixture is version 3, so every other test
// in this package runs on it too.

// smallV3 builds a 60-user version 3 cache and points the module at it.
func smallV3(t *testing.T) (string, testcache.Fixture) {
	t.Helper()
	fx := testcache.Synthetic(60, 5, "H")
	dir := newDir(t)
	if err := testcache.Build(dir, fx); err != nil {
		t.Fatal(err)
	}
	useDir(t, dir)
	return dir, fx
}

// The lookup path follows the file's version: with passwd's row renamed
// behind the buckets' back, a version 3 file still answers the old name
// (its bucket) and not the new one; a version 2 file (rows) the reverse.
func TestPwnamPathFollowsVersion(t *testing.T) {
	fx := testcache.Synthetic(60, 5, "H")
	u := fx.Users[9]
	for _, v := range []int{testcache.V2, testcache.V3} {
		dir := newDir(t)
		if err := testcache.BuildVersion(dir, fx, v); err != nil {
			t.Fatal(err)
		}
		sqlExec(t, filepath.Join(dir, "cache.db"), `UPDATE passwd SET name = 'renamed' WHERE name = '`+u.Name+`'`)
		useDir(t, dir)
		_, errOld := LookupUser(u.Name)
		_, errNew := LookupUser("renamed")
		if v == testcache.V3 && (errOld != nil || !errors.Is(errNew, ErrNotFound)) {
			t.Errorf("version 3: %s: %v, renamed: %v; want found, ErrNotFound", u.Name, errOld, errNew)
		}
		if v == testcache.V2 && (!errors.Is(errOld, ErrNotFound) || errNew != nil) {
			t.Errorf("version 2: %s: %v, renamed: %v; want ErrNotFound, found", u.Name, errOld, errNew)
		}
	}
}

// The C hash against the contract's vectors: buckets stored under the
// literal ids (not computed by testcache) must be found by their names.
func TestNameHashVectors(t *testing.T) {
	dir, fx := smallV3(t)
	sqlExec(t, filepath.Join(dir, "cache.db"), `DELETE FROM passwd_name`)
	vectors := testcache.NameKeyVectors
	for i, v := range vectors {
		u := fx.Users[10+i]
		u.Name = v.Name
		if err := testcache.PutBucket(dir, int64(v.ID), testcache.Bucket(u)); err != nil {
			t.Fatal(err)
		}
	}
	// Looked up only once every bucket is in: a file rewritten in place
	// within one timestamp tick may go unnoticed by an open connection.
	for i, v := range vectors {
		u := fx.Users[10+i]
		u.Name = v.Name
		if got, err := LookupUser(v.Name); err != nil || got != wantPasswd(u) {
			t.Errorf("LookupUser(%q) under id %#x: %+v, %v", v.Name, v.ID, got, err)
		}
	}
}

// A bucket with several users: the reader walks it and compares names byte
// for byte (it does not re-hash entries), so each name is found wherever
// it sits, and a prefix or an extension of a name in a bucket is not.
func TestNameBucketCollision(t *testing.T) {
	dir, fx := smallV3(t)
	pair, pai := fx.Users[20], fx.Users[21]
	pair.Name, pai.Name = "pair", "pai"
	shared := testcache.Bucket(pai, pair)
	sqlExec(t, filepath.Join(dir, "cache.db"), `DELETE FROM passwd_name`)
	// "pai" first, "pair" second; "pairx" and "pa" have a bucket holding
	// only the others; "pairy" has none.
	for _, n := range []string{"pair", "pai", "pairx", "pa"} {
		if err := testcache.PutBucket(dir, testcache.NameKey(n), shared); err != nil {
			t.Fatal(err)
		}
	}
	for _, u := range []testcache.User{pai, pair} {
		if got, err := LookupUser(u.Name); err != nil || got != wantPasswd(u) {
			t.Errorf("LookupUser(%q): %+v, %v", u.Name, got, err)
		}
	}
	for _, n := range []string{"pairx", "pa", "pairy", fx.Users[20].Name} {
		if got, err := LookupUser(n); !errors.Is(err, ErrNotFound) {
			t.Errorf("LookupUser(%q): %+v, %v; want ErrNotFound", n, got, err)
		}
	}
	// The second entry at every buffer size: ERANGE below its need, the
	// exact entry from there (the first entry's size does not count).
	need := len(pair.Name) + len(pair.Passwd) + len(pair.Gecos) + len(pair.Dir) + len(pair.Shell) + 5
	for size := 0; size <= need; size++ {
		st, errno, got := rawPasswd(byName, "pair", 0, size)
		if size < need && (st != statusTryAgain || errno != syscall.ERANGE) {
			t.Fatalf("size %d: status %d errno %v, want TRYAGAIN/ERANGE", size, st, errno)
		}
		if size == need && (st != statusSuccess || got != wantPasswd(pair)) {
			t.Fatalf("size %d: status %d, %+v", size, st, got)
		}
	}
	// The rows are untouched: uid lookups and the walk still answer.
	if got, err := LookupUserID(fx.Users[20].UID); err != nil || got != wantPasswd(fx.Users[20]) {
		t.Errorf("LookupUserID: %+v, %v", got, err)
	}
	checkEnumeration(t, fx)
}

// Every malformed bucket (testcache.BucketDamageNames) makes getpwnam_r of
// its user UNAVAIL, without a crash or an over-read (c/tests/run.sh runs
// the same damages under valgrind); every other user, the uid lookup of
// the same user, the groups and the walks still answer.
func TestDamagedBucketsUnavailable(t *testing.T) {
	fx := testcache.Synthetic(60, 5, "H")
	victim := fx.Users[4]
	for _, name := range testcache.BucketDamageNames() {
		t.Run(name, func(t *testing.T) {
			dir := newDir(t)
			if err := testcache.Build(dir, fx); err != nil {
				t.Fatal(err)
			}
			if err := testcache.BucketDamage(dir, name, victim); err != nil {
				t.Fatal(err)
			}
			useDir(t, dir)
			if got, err := LookupUser(victim.Name); !errors.Is(err, ErrUnavailable) {
				t.Fatalf("LookupUser(%s) = %+v, %v; want ErrUnavailable", victim.Name, got, err)
			}
			checkOthersAnswer(t, fx, skipUsers(victim), nil)
		})
	}
	t.Run("no passwd_name table", func(t *testing.T) {
		dir := newDir(t)
		if err := testcache.Build(dir, fx); err != nil {
			t.Fatal(err)
		}
		sqlExec(t, filepath.Join(dir, "cache.db"), `DROP TABLE passwd_name`)
		useDir(t, dir)
		for _, u := range fx.Users[:5] {
			if _, err := LookupUser(u.Name); !errors.Is(err, ErrUnavailable) {
				t.Fatalf("LookupUser(%s): %v, want ErrUnavailable", u.Name, err)
			}
		}
		checkOthersAnswer(t, fx, skipAll, nil)
	})
}

// checkOthersAnswer: every lookup and walk answers as fx says, except
// getpwnam_r of the users skipName reports and getpwuid_r of those
// skipUID reports (nil: none).
func checkOthersAnswer(t *testing.T, fx testcache.Fixture, skipName, skipUID func(testcache.User) bool) {
	t.Helper()
	for i, u := range fx.Users {
		if skipName == nil || !skipName(u) {
			if got, err := LookupUser(u.Name); err != nil || got != wantPasswd(u) {
				t.Fatalf("LookupUser(%s) = %+v, %v", u.Name, got, err)
			}
		}
		if skipUID == nil || !skipUID(u) {
			if got, err := LookupUserID(u.UID); err != nil || got != wantPasswd(u) {
				t.Fatalf("LookupUserID(%d) = %+v, %v", u.UID, got, err)
			}
		}
		if got, err := LookupShadow(u.Name); err != nil || got != wantShadow(fx.Shadow[i]) {
			t.Fatalf("LookupShadow(%s) = %+v, %v", u.Name, got, err)
		}
	}
	for _, g := range fx.Groups {
		if got, err := LookupGroup(g.Name); err != nil || !reflect.DeepEqual(got, wantGroup(g)) {
			t.Fatalf("LookupGroup(%s): %v", g.Name, err)
		}
	}
	if got, err := GroupsOf(fx.Users[0].Name, ^uint32(0)); err != nil || !reflect.DeepEqual(got, fx.GroupsOf(fx.Users[0].Name, ^uint32(0))) {
		t.Fatalf("GroupsOf: %v, %v", got, err)
	}
	checkEnumeration(t, fx)
}

// skipAll and skipUsers(...) are checkOthersAnswer's skip sets.
func skipAll(testcache.User) bool { return true }

func skipUsers(us ...testcache.User) func(testcache.User) bool {
	return func(u testcache.User) bool {
		for _, v := range us {
			if u.Name == v.Name {
				return true
			}
		}
		return false
	}
}

// Version 2 files stay in service (a host upgraded while its directory is
// unreachable keeps one): getpwnam_r and getpwuid_r read passwd's rows, at
// every buffer size as on version 3, and everything else answers as before.
func TestVersion2CacheServed(t *testing.T) {
	dir := newDir(t)
	fx := testcache.Synthetic(700, 12, "A")
	if err := testcache.BuildV2(dir, fx); err != nil {
		t.Fatal(err)
	}
	useDir(t, dir)
	checkOthersAnswer(t, fx, nil, nil)
	u := fx.Users[6] // 4,000-byte gecos
	for _, o := range []op{byName, byID} {
		for size := 0; ; size++ {
			st, errno, got := rawPasswd(o, u.Name, u.UID, size)
			if st == statusTryAgain && errno == syscall.ERANGE {
				continue
			}
			if st != statusSuccess || got != wantPasswd(u) {
				t.Fatalf("op %d at %d bytes: status %d errno %v", o, size, st, errno)
			}
			break
		}
	}
}
