package nss

import (
	"database/sql"
	"errors"
	"path/filepath"
	"reflect"
	"syscall"
	"testing"

	"github.com/ldapidm/ldapidm/nss/internal/testcache"
)

// enumerateAll walks the three maps; it returns what each delivered and
// the error that ended it (nil: NOTFOUND at the end).
func enumerateAll() (users []Passwd, groups []Group, shadows []Shadow, errs [3]error) {
	users, errs[0] = Users()
	groups, errs[1] = Groups()
	shadows, errs[2] = Shadows()
	return
}

func checkEnumeration(t *testing.T, fx testcache.Fixture) {
	t.Helper()
	users, groups, shadows, errs := enumerateAll()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("map %d: %v", i, err)
		}
	}
	checkPrefix(t, fx, users, groups, shadows)
	if len(users) != len(fx.Users) || len(groups) != len(fx.Groups) || len(shadows) != len(fx.Shadow) {
		t.Fatalf("enumerated %d/%d/%d, want %d/%d/%d", len(users), len(groups), len(shadows),
			len(fx.Users), len(fx.Groups), len(fx.Shadow))
	}
}

// checkPrefix: every entry delivered is the fixture's entry at that
// position (nothing skipped, repeated or altered).
func checkPrefix(t *testing.T, fx testcache.Fixture, users []Passwd, groups []Group, shadows []Shadow) {
	t.Helper()
	for i, u := range users {
		if i >= len(fx.Users) || u != wantPasswd(fx.Users[i]) {
			t.Fatalf("user %d = %+v", i, u)
		}
	}
	for i, g := range groups {
		if i >= len(fx.Groups) || !reflect.DeepEqual(g, wantGroup(fx.Groups[i])) {
			t.Fatalf("group %d = %s", i, g.Name)
		}
	}
	for i, s := range shadows {
		if i >= len(fx.Shadow) || s != wantShadow(fx.Shadow[i]) {
			t.Fatalf("shadow %d = %+v", i, s)
		}
	}
}

// A version 1 cache (no packed blocks), as left on a host upgraded while
// its directory was unreachable, is still served: lookups and a row-by-row
// enumeration equal to the fixture.
func TestVersion1CacheServed(t *testing.T) {
	dir := newDir(t)
	fx := testcache.Synthetic(700, 12, "A")
	if err := testcache.BuildV1(dir, fx); err != nil {
		t.Fatal(err)
	}
	useDir(t, dir)
	for _, u := range fx.Users[:10] {
		if got, err := LookupUser(u.Name); err != nil || got != wantPasswd(u) {
			t.Fatalf("LookupUser(%s) = %+v, %v", u.Name, got, err)
		}
	}
	checkEnumeration(t, fx)
}

// Every malformed block (testcache.Damages) ends that enumeration with
// UNAVAIL after the intact blocks before it were delivered correctly, and
// leaves point lookups working. A crash or an over-read would show here
// (and under valgrind in c/tests/run.sh, which runs the same damages).
func TestDamagedBlocksUnavailable(t *testing.T) {
	fx := testcache.Synthetic(60, 5, "D")
	for _, name := range testcache.DamageNames() {
		t.Run(name, func(t *testing.T) {
			dir := newDir(t)
			if err := testcache.Build(dir, fx); err != nil {
				t.Fatal(err)
			}
			if err := testcache.Damage(dir, name); err != nil {
				t.Fatal(err)
			}
			useDir(t, dir)
			users, groups, shadows, errs := enumerateAll()
			for i, err := range errs {
				if !errors.Is(err, ErrUnavailable) {
					t.Errorf("map %d: err %v, want ErrUnavailable", i, err)
				}
			}
			checkPrefix(t, fx, users, groups, shadows)
			for i, n := range []int{len(users), len(groups), len(shadows)} {
				if n < testcache.DeliveredBefore {
					t.Errorf("map %d: %d entries before the damaged block, want at least %d", i, n, testcache.DeliveredBefore)
				}
			}
			u := fx.Users[4] // lives in the damaged block
			if got, err := LookupUser(u.Name); err != nil || got != wantPasswd(u) {
				t.Errorf("LookupUser(%s) = %+v, %v", u.Name, got, err)
			}
			if _, err := LookupShadow(u.Name); err != nil {
				t.Errorf("LookupShadow(%s): %v", u.Name, err)
			}
		})
	}
}

// An id of 2^32-1 inside a block is refused like one in a row.
func TestBlockIDMaxRefused(t *testing.T) {
	fx := testcache.Synthetic(60, 5, "D")
	dir := newDir(t)
	if err := testcache.Build(dir, fx); err != nil {
		t.Fatal(err)
	}
	// The rows keep a valid uid; only the block entry carries 2^32-1.
	// Block 2 held users 1 and 2; it now holds the bad one only, so the
	// count matches its content: only the id is wrong.
	bad := fx.Users[2]
	bad.UID = 1<<32 - 1
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(dir, "cache.db")+"?_journal_mode=DELETE")
	if err != nil {
		t.Fatal(err)
	}
	_, err = db.Exec(`UPDATE passwd_block SET data = ? WHERE id = 2`, append([]byte{1, 0, 0, 0}, testcache.PasswdEntry(bad)...))
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	useDir(t, dir)
	users, err := Users()
	if !errors.Is(err, ErrUnavailable) || len(users) != 1 {
		t.Fatalf("Users: %d entries, %v; want 1 then ErrUnavailable", len(users), err)
	}
}

// ERANGE on any entry of a block — first, middle, last — hands out the same
// entry on the retry; nothing is skipped or repeated across the blocks.
func TestBlockERANGEResumesSameEntry(t *testing.T) {
	useDir(t, dirA)
	defer rawEndEnt(mapPasswd)
	if st := rawSetEnt(mapPasswd); st != statusSuccess {
		t.Fatalf("setpwent: %d", st)
	}
	for i, u := range fxA.Users {
		for k := 0; k < 1+i%3; k++ { // one to three ERANGEs in a row
			st, errno, _ := rawPasswd(next, "", 0, 1+(i+k)%len(u.Name))
			if st != statusTryAgain || errno != syscall.ERANGE {
				t.Fatalf("user %d: status %d errno %v, want TRYAGAIN/ERANGE", i, st, errno)
			}
		}
		st, _, got := rawPasswd(next, "", 0, 1<<16)
		if st != statusSuccess || got != wantPasswd(u) {
			t.Fatalf("user %d after ERANGE: status %d, %+v", i, st, got)
		}
	}
	if st, errno, _ := rawPasswd(next, "", 0, 1<<16); st != statusNotFound || errno != syscall.ENOENT {
		t.Fatalf("end: status %d errno %v", st, errno)
	}
}

// A walk whose connection is reopened (what a forked child does; here
// forced by SetCacheDir to the same directory) resumes at the next entry,
// wherever in a block it stopped. Reopened onto a cache of the other
// version, it cannot know where it was: UNAVAIL, not a guess.
func TestBlockWalkResumesAfterReopen(t *testing.T) {
	for _, stop := range []int{1, 2, 3, 4, 5, 6, 44, 45, 46, len(fxA.Users) - 1} {
		useDir(t, dirA)
		rawEndEnt(mapShadow)
		var got []Shadow
		for i := 0; ; i++ {
			if i == stop {
				SetCacheDir(dirA)
			}
			st, _, s := rawShadow(next, "", 1<<16)
			if st == statusNotFound {
				break
			}
			if st != statusSuccess {
				t.Fatalf("stop %d, entry %d: status %d", stop, i, st)
			}
			got = append(got, s)
		}
		rawEndEnt(mapShadow)
		if len(got) != len(fxA.Shadow) {
			t.Fatalf("stop %d: %d entries, want %d", stop, len(got), len(fxA.Shadow))
		}
		for i, s := range fxA.Shadow {
			if got[i] != wantShadow(s) {
				t.Fatalf("stop %d: entry %d = %+v", stop, i, got[i])
			}
		}
	}

	v1 := newDir(t)
	if err := testcache.BuildV1(v1, fxA); err != nil {
		t.Fatal(err)
	}
	useDir(t, dirA)
	defer rawEndEnt(mapPasswd)
	rawSetEnt(mapPasswd)
	if st, _, _ := rawPasswd(next, "", 0, 1<<16); st != statusSuccess {
		t.Fatalf("first entry: %d", st)
	}
	SetCacheDir(v1)
	if st, errno, _ := rawPasswd(next, "", 0, 1<<16); st != statusUnavail || errno != syscall.ENOENT {
		t.Fatalf("resumed on a version 1 file: status %d errno %v, want UNAVAIL", st, errno)
	}
}
