package validate

import (
	"errors"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/ldapidm/ldapidm/cache"
)

func writeLocal(t *testing.T) *Local {
	t.Helper()
	dir := t.TempDir()
	pw := filepath.Join(dir, "passwd")
	gr := filepath.Join(dir, "group")
	os.WriteFile(pw, []byte("root:x:0:0::/root:/bin/sh\n#x:x:1:1\n+nisuser\n\nbroken\nlocal:x:1000:1000::/:/bin/sh\nweird:x:abc:1::/:/bin/sh\n"), 0o644)
	os.WriteFile(gr, []byte("root:x:0:\nusers:x:100:\nlocal:x:1000:\n"), 0o644)
	l, err := ReadLocal(pw, gr)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestReadLocal(t *testing.T) {
	l := writeLocal(t)
	for _, n := range []string{"root", "local", "weird", "broken"} {
		if !l.UserNames[n] {
			t.Errorf("local user %q not read", n)
		}
	}
	if l.UserNames["+nisuser"] || l.UserNames["#x"] || l.UIDs[1000] != "local" || l.UIDs[0] != "root" || len(l.UIDs) != 2 {
		t.Errorf("local users %+v", l)
	}
	if !l.GroupNames["users"] || l.GIDs[100] != "users" {
		t.Errorf("local groups %+v", l)
	}
	if _, err := ReadLocal("/nonexistent/passwd", "/etc/group"); err == nil {
		t.Error("missing passwd file accepted")
	}
}

// ptrs gives pointers to copies of in, as Users and Groups take them.
func ptrs[T any](in []T) []*T {
	out := make([]*T, len(in))
	for i := range in {
		v := in[i]
		out[i] = &v
	}
	return out
}

func user(dir int, dn, name string, uid uint32) UserCand {
	return UserCand{Dir: dir, DN: dn, Key: NormalizeDN(dn), User: cache.User{Name: name, UID: uid}}
}

// The winner of a duplicate does not depend on input order.
func TestUsersDeterministic(t *testing.T) {
	in := []UserCand{
		user(1, "uid=a,ou=p,dc=x", "a", 2000),       // later directory: loses to dir 0
		user(0, "uid=b,ou=p,dc=x", "a", 2001),       // dir 0, name a: wins
		user(0, "uid=c,ou=p,dc=x", "c", 2001),       // uid taken by b (lower DN)
		user(0, "UID=D, OU=P,DC=X", "d", 2002),      // normalised: uid=d,ou=p,dc=x
		user(0, "uid=root,ou=p,dc=x", "root", 2003), // local name
		user(0, "uid=e,ou=p,dc=x", "e", 1000),       // local uid
		user(0, "uid=f,ou=p,dc=x", "f", 2004),
	}
	var first []string
	for i := 0; i < 20; i++ {
		c := ptrs(in)
		rand.New(rand.NewSource(int64(i))).Shuffle(len(c), func(a, b int) { c[a], c[b] = c[b], c[a] })
		kept, rej, err := Users(c, writeLocal(t), false)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, k := range kept {
			got = append(got, k.DN)
		}
		if first == nil {
			first = got
			want := []string{"uid=b,ou=p,dc=x", "UID=D, OU=P,DC=X", "uid=f,ou=p,dc=x"}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("kept %v, want %v", got, want)
			}
			if len(rej) != 4 {
				t.Fatalf("rejections %v", rej)
			}
		} else if !reflect.DeepEqual(got, first) {
			t.Fatalf("order %d kept %v, first run kept %v", i, got, first)
		}
	}
	_, _, err := Users(ptrs(in), writeLocal(t), true)
	var ce *CollisionError
	if !errors.As(err, &ce) || len(ce.Rejections) != 2 || !strings.Contains(err.Error(), "root") {
		t.Fatalf("CollisionFail: %v", err)
	}
}

func TestGroups(t *testing.T) {
	g := func(dn, name string, gid uint32) GroupCand {
		return GroupCand{DN: dn, Key: NormalizeDN(dn), Group: cache.Group{Name: name, GID: gid}}
	}
	kept, rej, err := Groups(ptrs([]GroupCand{
		g("cn=b,dc=x", "b", 3000), g("cn=a,dc=x", "b", 3001), g("cn=c,dc=x", "c", 3001),
		g("cn=users,dc=x", "users", 3002), g("cn=d,dc=x", "d", 100), g("cn=e,dc=x", "e", 3003),
	}), writeLocal(t), false)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, k := range kept {
		names = append(names, k.DN)
	}
	if !reflect.DeepEqual(names, []string{"cn=a,dc=x", "cn=e,dc=x"}) || len(rej) != 4 {
		t.Fatalf("kept %v, rejected %v", names, rej)
	}
}

func TestNormalizeDN(t *testing.T) {
	for _, tc := range []struct{ a, b string }{
		{"uid=Alice,ou=People,dc=Example,dc=org", "UID=alice, OU=people, DC=example, DC=ORG"},
		{"cn=a\\2cb,dc=x", "cn=a\\,b,dc=x"},
		{"cn=x+uid=y,dc=z", "uid=y+cn=x,dc=z"},
	} {
		if NormalizeDN(tc.a) != NormalizeDN(tc.b) {
			t.Errorf("%q and %q normalise differently: %q vs %q", tc.a, tc.b, NormalizeDN(tc.a), NormalizeDN(tc.b))
		}
	}
	if NormalizeDN("uid=a,dc=x") == NormalizeDN("uid=b,dc=x") {
		t.Error("different DNs normalise equal")
	}
}
