package validate

import (
	"errors"
	"math/rand"
	"reflect"
	"strings"
	"testing"

	"github.com/ldapidm/ldapidm/cache"
)

// cand is one candidate of a hostile pattern, fed to Users as a user and to
// Groups as a group: the set rules must treat both the same.
type cand struct {
	dir  int
	dn   string
	name string
	id   uint32
}

// sameLocal holds the same names and ids as local users and as local
// groups, so that a pattern collides the same way in both maps.
var sameLocal = &Local{
	UserNames: map[string]bool{"root": true, "local": true}, UIDs: map[uint32]string{0: "root", 1000: "local"},
	GroupNames: map[string]bool{"root": true, "local": true}, GIDs: map[uint32]string{0: "root", 1000: "local"},
}

// The same hostile duplicate patterns, as users and as groups, in many
// input orders: the same candidates kept, in the same order, and the same
// rejections with the same words (ID is "uid" or "gid", LOCAL "user" or
// "group"), whatever order the servers sent them in.
func TestSetRulesSameForBothMaps(t *testing.T) {
	cases := []struct {
		name   string
		in     []cand
		kept   []string          // DNs, in winner order
		reject map[string]string // DN -> reason
	}{
		{"earlier directory wins over a lower DN", []cand{
			{1, "cn=a,dc=x", "x", 5001}, {0, "cn=z,dc=x", "x", 5002}, {2, "cn=0,dc=x", "y", 5002},
		}, []string{"cn=z,dc=x"}, map[string]string{
			"cn=a,dc=x": "duplicate name; kept cn=z,dc=x",
			"cn=0,dc=x": "duplicate ID 5002; kept cn=z,dc=x",
		}},
		// The normalised DN decides, not the bytes the server sent:
		// "CN=C" sorts before "cn=b" as sent, after it normalised, and
		// the escaped `\61b` ("ab") before "aa" as sent, after it
		// normalised.
		{"normalised DN, not the raw one", []cand{
			{0, "CN=C, DC=X", "c", 5001}, {0, "cn=b,dc=x", "c", 5002},
			{0, `cn=\61b,dc=x`, "d", 5003}, {0, "cn=aa,dc=x", "e", 5003},
		}, []string{"cn=aa,dc=x", "cn=b,dc=x"}, map[string]string{
			"CN=C, DC=X":   "duplicate name; kept cn=b,dc=x",
			`cn=\61b,dc=x`: "duplicate ID 5003; kept cn=aa,dc=x",
		}},
		// A candidate left out reserves nothing: b loses its name to a,
		// so c may take b's id; d then loses its name to c.
		{"greedy: the rejected reserve nothing", []cand{
			{0, "cn=a,dc=x", "p", 6001}, {0, "cn=b,dc=x", "p", 6002},
			{0, "cn=c,dc=x", "q", 6002}, {0, "cn=d,dc=x", "q", 6003}, {0, "cn=e,dc=x", "r", 6003},
		}, []string{"cn=a,dc=x", "cn=c,dc=x", "cn=e,dc=x"}, map[string]string{
			"cn=b,dc=x": "duplicate name; kept cn=a,dc=x",
			"cn=d,dc=x": "duplicate name; kept cn=c,dc=x",
		}},
		// Local collisions come first (a name before an id) and reserve
		// nothing either; a duplicate of both name and id is a name
		// duplicate.
		{"local collisions, then name, then id", []cand{
			{0, "cn=a,dc=x", "local", 0}, {0, "cn=b,dc=x", "b", 1000}, {0, "cn=c,dc=x", "root", 7001},
			{0, "cn=d,dc=x", "local2", 1000 + 1}, {1, "cn=e,dc=x", "b", 7001}, {1, "cn=f,dc=x", "b", 7001},
		}, []string{"cn=d,dc=x", "cn=e,dc=x"}, map[string]string{
			"cn=a,dc=x": "name collides with a local LOCAL",
			"cn=b,dc=x": `ID 1000 collides with local LOCAL "local"`,
			"cn=c,dc=x": "name collides with a local LOCAL",
			"cn=f,dc=x": "duplicate name; kept cn=e,dc=x",
		}},
		// Two spellings of one DN (same normalised key) from one
		// directory: the DN as sent breaks the tie, so the winner does
		// not depend on which the server sent first.
		{"two spellings of one DN", []cand{
			{0, "cn=t,dc=x", "t", 9001}, {0, "CN=t,DC=x", "t", 9002}, {0, "Cn=t,dc=X", "t2", 9003},
		}, []string{"CN=t,DC=x", "Cn=t,dc=X"}, map[string]string{
			"cn=t,dc=x": "duplicate name; kept CN=t,DC=x",
		}},
		// What no server should send: an empty DN (it sorts first and
		// still wins, so its duplicates name it as ""), an unparsable
		// one (keyed by its lowercased text), the largest id.
		{"empty, unparsable and extreme", []cand{
			{0, "", "e", 4294967295}, {0, "cn=e,dc=x", "e", 8001}, {0, "cn=f,dc=x", "f", 4294967295},
			{0, "NOT A DN", "g", 8002}, {0, "cn=g,dc=x", "g", 8003},
		}, []string{"", "cn=g,dc=x"}, map[string]string{
			"cn=e,dc=x": "duplicate name; kept ",
			"cn=f,dc=x": "duplicate ID 4294967295; kept ",
			"NOT A DN":  "duplicate name; kept cn=g,dc=x",
		}},
	}
	type outcome struct {
		kept []string
		rej  []Rejection
	}
	users := func(in []cand, fail bool) (outcome, error) {
		c := make([]*UserCand, len(in))
		for i, x := range in {
			c[i] = &UserCand{Dir: x.dir, DN: x.dn, Key: NormalizeDN(x.dn), User: cache.User{Name: x.name, UID: x.id}}
		}
		kept, rej, err := Users(c, sameLocal, fail)
		o := outcome{rej: rej}
		for _, k := range kept {
			o.kept = append(o.kept, k.DN)
		}
		return o, err
	}
	groups := func(in []cand, fail bool) (outcome, error) {
		c := make([]*GroupCand, len(in))
		for i, x := range in {
			c[i] = &GroupCand{Dir: x.dir, DN: x.dn, Key: NormalizeDN(x.dn), Group: cache.Group{Name: x.name, GID: x.id}}
		}
		kept, rej, err := Groups(c, sameLocal, fail)
		o := outcome{rej: rej}
		for _, k := range kept {
			o.kept = append(o.kept, k.DN)
		}
		return o, err
	}
	kinds := []struct {
		m, id, local string
		run          func([]cand, bool) (outcome, error)
	}{
		{MapPasswd, "uid", "user", users},
		{MapGroup, "gid", "group", groups},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, k := range kinds {
				words := strings.NewReplacer("ID", k.id, "LOCAL", k.local)
				var first *outcome
				for seed := int64(0); seed < 50; seed++ {
					in := append([]cand(nil), tc.in...)
					rand.New(rand.NewSource(seed)).Shuffle(len(in), func(a, b int) { in[a], in[b] = in[b], in[a] })
					got, err := k.run(in, false)
					if err != nil {
						t.Fatalf("%s: %v", k.m, err)
					}
					if first != nil {
						if !reflect.DeepEqual(got, *first) {
							t.Fatalf("%s, order %d: %+v; the first order gave %+v", k.m, seed, got, *first)
						}
						continue
					}
					first = &got
					if !reflect.DeepEqual(got.kept, tc.kept) {
						t.Fatalf("%s kept %q, want %q", k.m, got.kept, tc.kept)
					}
					if len(got.rej) != len(tc.reject) {
						t.Fatalf("%s rejected %+v, want %d", k.m, got.rej, len(tc.reject))
					}
					byName := map[string]string{}
					for _, x := range tc.in {
						byName[x.dn] = x.name
					}
					for _, r := range got.rej {
						want := Rejection{DN: r.DN, Map: k.m, Name: byName[r.DN], Reason: words.Replace(tc.reject[r.DN])}
						if r != want {
							t.Errorf("%s rejection %+v, want %+v", k.m, r, want)
						}
					}
				}
				// Under CollisionFail only the local collisions fail the
				// pull, and the rejections are still all reported.
				var collide []string
				for dn, why := range tc.reject {
					if strings.Contains(why, "collides") {
						collide = append(collide, dn)
					}
				}
				got, err := k.run(tc.in, true)
				var ce *CollisionError
				switch {
				case len(collide) == 0 && err != nil:
					t.Errorf("%s: CollisionFail without a collision: %v", k.m, err)
				case len(collide) > 0 && (!errors.As(err, &ce) || len(ce.Rejections) != len(collide)):
					t.Errorf("%s: CollisionFail gave %v, want %d collisions", k.m, err, len(collide))
				case len(collide) > 0 && (got.kept != nil || len(got.rej) != len(tc.reject)):
					t.Errorf("%s: failed pull kept %q, reported %d rejections", k.m, got.kept, len(got.rej))
				}
			}
		})
	}
}
