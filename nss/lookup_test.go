package nss

import (
	"errors"
	"reflect"
	"strings"
	"syscall"
	"testing"

	"github.com/ldapidm/ldapidm/nss/internal/testcache"
)

func TestLookupEveryUser(t *testing.T) {
	useDir(t, dirA)
	for i, u := range fxA.Users {
		want := wantPasswd(u)
		got, err := LookupUser(u.Name)
		if err != nil || got != want {
			t.Fatalf("LookupUser(%q) = %+v, %v; want %+v", u.Name, got, err, want)
		}
		got, err = LookupUserID(u.UID)
		if err != nil || got != want {
			t.Fatalf("LookupUserID(%d) = %+v, %v; want %+v", u.UID, got, err, want)
		}
		s, err := LookupShadow(u.Name)
		if ws := wantShadow(fxA.Shadow[i]); err != nil || s != ws {
			t.Fatalf("LookupShadow(%q) = %+v, %v; want %+v", u.Name, s, err, ws)
		}
	}
}

func TestLookupEveryGroup(t *testing.T) {
	useDir(t, dirA)
	for _, g := range fxA.Groups {
		want := wantGroup(g)
		got, err := LookupGroup(g.Name)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("LookupGroup(%q) = %v members, %v; want %d", g.Name, len(got.Members), err, len(want.Members))
		}
		got, err = LookupGroupID(g.GID)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("LookupGroupID(%d) = %v members, %v; want %d", g.GID, len(got.Members), err, len(want.Members))
		}
	}
	big, err := LookupGroupID(testcache.BigGID)
	if err != nil || len(big.Members) != testcache.BigSize {
		t.Fatalf("big group: %d members, %v", len(big.Members), err)
	}
}

// Keys that must not match anything: near misses, SQL and LIKE
// metacharacters, separators, a NUL that C would truncate at, huge keys.
func TestLookupHostileKeys(t *testing.T) {
	useDir(t, dirA)
	names := []string{
		"", "A", "a ", " a", "a\n", "a:b", "a,b", "' OR 1=1 --", "a' --", "%", "_", "u0000%",
		"a\x00", "a\x00b", "host", "host$$", "mixed.case-name_9", strings.Repeat("a", 100000),
		"\xff\xfe", "g000", // a group name is not a user name
	}
	for _, n := range names {
		if _, err := LookupUser(n); !errors.Is(err, ErrNotFound) {
			t.Errorf("LookupUser(%q): err = %v, want ErrNotFound", trunc(n), err)
		}
		if _, err := LookupShadow(n); !errors.Is(err, ErrNotFound) {
			t.Errorf("LookupShadow(%q): err = %v, want ErrNotFound", trunc(n), err)
		}
		if n != "g000" {
			if _, err := LookupGroup(n); !errors.Is(err, ErrNotFound) {
				t.Errorf("LookupGroup(%q): err = %v, want ErrNotFound", trunc(n), err)
			}
		}
		if g, err := GroupsOf(n, 0); err != nil || len(g) != 0 {
			t.Errorf("GroupsOf(%q) = %v, %v; want none", trunc(n), g, err)
		}
	}
	for _, id := range []uint32{0, 1, testcache.UIDBase - 1, testcache.UIDBase + 5200, 4294967295} {
		if _, err := LookupUserID(id); !errors.Is(err, ErrNotFound) {
			t.Errorf("LookupUserID(%d): err = %v, want ErrNotFound", id, err)
		}
	}
	for _, id := range []uint32{0, 1, testcache.GroupBase - 1, 4294967295} {
		if _, err := LookupGroupID(id); !errors.Is(err, ErrNotFound) {
			t.Errorf("LookupGroupID(%d): err = %v, want ErrNotFound", id, err)
		}
	}
	var le *LookupError
	if _, err := LookupUser("nobody-here"); !errors.As(err, &le) || le.Op != "user" || le.Key != "nobody-here" {
		t.Errorf("error %v is not a *LookupError naming the lookup", err)
	}
}

func trunc(s string) string {
	if len(s) > 20 {
		return s[:20] + "…"
	}
	return s
}

func TestGroupsOf(t *testing.T) {
	useDir(t, dirA)
	for i, u := range fxA.Users {
		if i%7 != 0 && i > 10 {
			continue
		}
		skip := u.GID
		got, err := GroupsOf(u.Name, skip)
		want := fxA.GroupsOf(u.Name, skip)
		if err != nil || !reflect.DeepEqual(got, append([]uint32{}, want...)) {
			t.Fatalf("GroupsOf(%q, %d) = %v, %v; want %v", u.Name, skip, got, err, want)
		}
	}
}

// initgroups_dyn must grow the caller's array from any starting capacity
// and never past limit.
func TestInitgroupsGrowthAndLimit(t *testing.T) {
	useDir(t, dirA)
	user := testcache.UserName(0) // a: several ordinary groups, big, solo
	all := fxA.GroupsOf(user, ^uint32(0))
	if len(all) < 4 {
		t.Fatalf("fixture: %q is in only %d groups", user, len(all))
	}
	for _, size := range []int{1, 2, 3, 64} {
		st, _, got := rawInitgroups(user, ^uint32(0), size, 0)
		if st != statusSuccess || !reflect.DeepEqual(got, all) {
			t.Errorf("size %d: status %d, %v; want %v", size, st, got, all)
		}
	}
	for _, limit := range []int{1, 2, len(all) - 1, len(all), len(all) + 5} {
		st, _, got := rawInitgroups(user, ^uint32(0), 1, limit)
		n := min(limit, len(all))
		if st != statusSuccess || !reflect.DeepEqual(got, all[:n]) {
			t.Errorf("limit %d: status %d, %v; want %v", limit, st, got, all[:n])
		}
	}
	st, errno, got := rawInitgroups("no-such-user", 0, 4, 0)
	if st != statusNotFound || errno != syscall.ENOENT || len(got) != 0 {
		t.Errorf("unknown user: status %d errno %v groups %v; want NOTFOUND/ENOENT", st, errno, got)
	}
}

// A short buffer is TRYAGAIN + ERANGE at every size below the need and
// SUCCESS with the exact entry from the first size that fits.
func TestERANGEEverySize(t *testing.T) {
	useDir(t, dirA)
	check := func(what string, call func(size int) (status, syscall.Errno, any), want any) {
		t.Helper()
		for size := 0; size < 1<<20; size++ {
			st, errno, got := call(size)
			if st == statusTryAgain && errno == syscall.ERANGE {
				continue
			}
			if st != statusSuccess || !reflect.DeepEqual(got, want) {
				t.Fatalf("%s at %d bytes: status %d errno %v got %+v", what, size, st, errno, got)
			}
			return
		}
		t.Fatalf("%s never fit", what)
	}
	u := fxA.Users[6] // 4,000-byte gecos
	check("getpwnam", func(n int) (status, syscall.Errno, any) { s, e, v := rawPasswd(byName, u.Name, 0, n); return s, e, v }, wantPasswd(u))
	check("getpwuid", func(n int) (status, syscall.Errno, any) { s, e, v := rawPasswd(byID, "", u.UID, n); return s, e, v }, wantPasswd(u))
	check("getspnam", func(n int) (status, syscall.Errno, any) { s, e, v := rawShadow(byName, u.Name, n); return s, e, v }, wantShadow(fxA.Shadow[6]))
	for _, g := range fxA.Groups[len(fxA.Groups)-3:] { // big, empty, solo
		check("getgrnam "+g.Name, func(n int) (status, syscall.Errno, any) { s, e, v := rawGroup(byName, g.Name, 0, n); return s, e, v }, wantGroup(g))
	}
}
