package nss

import (
	"errors"
	"reflect"
	"syscall"
	"testing"
)

func TestEnumerateEveryMap(t *testing.T) {
	useDir(t, dirA)
	for round := 0; round < 2; round++ { // a second walk starts over
		users, err := Users()
		if err != nil || len(users) != len(fxA.Users) {
			t.Fatalf("Users: %d, %v; want %d", len(users), err, len(fxA.Users))
		}
		for i, u := range fxA.Users {
			if users[i] != wantPasswd(u) {
				t.Fatalf("Users[%d] = %+v, want %+v", i, users[i], wantPasswd(u))
			}
		}
		groups, err := Groups()
		if err != nil || len(groups) != len(fxA.Groups) {
			t.Fatalf("Groups: %d, %v; want %d", len(groups), err, len(fxA.Groups))
		}
		for i, g := range fxA.Groups {
			if !reflect.DeepEqual(groups[i], wantGroup(g)) {
				t.Fatalf("Groups[%d] = %s (%d members), want %s", i, groups[i].Name, len(groups[i].Members), g.Name)
			}
		}
		shadows, err := Shadows()
		if err != nil || len(shadows) != len(fxA.Shadow) {
			t.Fatalf("Shadows: %d, %v", len(shadows), err)
		}
		for i, s := range fxA.Shadow {
			if shadows[i] != wantShadow(s) {
				t.Fatalf("Shadows[%d] = %+v, want %+v", i, shadows[i], wantShadow(s))
			}
		}
	}
}

// After ERANGE the walk must hand out the same entry again, and reaching
// the end is NOTFOUND/ENOENT, repeatedly, until the next setent.
func TestEnumerateERANGEKeepsEntry(t *testing.T) {
	useDir(t, dirA)
	defer rawEndEnt(mapGroup)
	if st := rawSetEnt(mapGroup); st != statusSuccess {
		t.Fatalf("setgrent: %d", st)
	}
	for i, g := range fxA.Groups {
		tiny := 1 + i%16
		st, errno, _ := rawGroup(next, "", 0, tiny)
		if st != statusTryAgain || errno != syscall.ERANGE {
			t.Fatalf("group %d at %d bytes: status %d errno %v, want TRYAGAIN/ERANGE", i, tiny, st, errno)
		}
		st, _, got := rawGroup(next, "", 0, 1<<20)
		if st != statusSuccess || !reflect.DeepEqual(got, wantGroup(g)) {
			t.Fatalf("group %d after ERANGE: status %d, got %s, want %s", i, st, got.Name, g.Name)
		}
	}
	for k := 0; k < 3; k++ {
		if st, errno, _ := rawGroup(next, "", 0, 1<<20); st != statusNotFound || errno != syscall.ENOENT {
			t.Fatalf("end of walk: status %d errno %v, want NOTFOUND/ENOENT", st, errno)
		}
	}
	if st := rawSetEnt(mapGroup); st != statusSuccess {
		t.Fatal("setgrent again")
	}
	if st, _, got := rawGroup(next, "", 0, 1<<20); st != statusSuccess || got.Name != fxA.Groups[0].Name {
		t.Fatalf("after setgrent: status %d, %q; want %q", st, got.Name, fxA.Groups[0].Name)
	}
}

// getXXent_r without setXXent starts a walk.
func TestEnumerateWithoutSetent(t *testing.T) {
	useDir(t, dirA)
	rawEndEnt(mapPasswd)
	defer rawEndEnt(mapPasswd)
	st, _, got := rawPasswd(next, "", 0, 1<<16)
	if st != statusSuccess || got != wantPasswd(fxA.Users[0]) {
		t.Fatalf("getpwent_r without setpwent: status %d, %+v", st, got)
	}
}

func TestEnumerateUnavailable(t *testing.T) {
	useDir(t, newDir(t))
	if _, err := Users(); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("Users on an empty dir: %v, want ErrUnavailable", err)
	}
}
