package validate

import (
	"fmt"
	"sort"
	"strings"

	"github.com/go-ldap/ldap/v3"

	"github.com/ldapidm/ldapidm/cache"
)

// UserCand is a user that passed the field rules, with where it came from.
type UserCand struct {
	Dir    int    // index of its directory in the configuration
	DN     string // as the server sent it
	Key    string // NormalizeDN(DN)
	User   cache.User
	Shadow *cache.Shadow // nil unless the directory serves shadow
}

// GroupCand is a group that passed the field rules.
type GroupCand struct {
	Dir   int
	DN    string
	Key   string
	Group cache.Group
}

// NormalizeDN gives the form under which two DNs are equal: RFC 4514
// parsing (escapes, spaces, multi-valued RDN order) then case folding,
// since the naming attributes of users and groups (uid, cn) match
// case-insensitively. An unparsable DN falls back to its lowercased text.
func NormalizeDN(dn string) string {
	if key, ok := DNKey(dn); ok {
		return key
	}
	return strings.ToLower(strings.TrimSpace(dn))
}

// DNKey is the normalised form of dn when it parses as a DN with at least
// one RDN; ok is false otherwise. NormalizeDN and RFC 2307bis member
// resolution share it, so a member DN and a user's DN meet on one key.
//
// Most DNs are plain ("uid=jdoe,ou=people,dc=example,dc=org"): every RDN
// one type=value pair, no escapes, spaces, '+' or quotes. For those the
// RFC 4514 parse and re-serialisation give back the text itself, so the
// key is its lowercase, computed without the parse (which was a fifth of
// a 100,000-user pull's CPU, issue #3). FuzzDNKey checks the shortcut
// against the full parse.
func DNKey(dn string) (string, bool) {
	if plainDN(dn) {
		return strings.ToLower(dn), true
	}
	p, err := ldap.ParseDN(dn)
	if err != nil || len(p.RDNs) == 0 {
		return "", false
	}
	return strings.ToLower(p.String()), true
}

// plainDN reports whether dn is RDNs of exactly one type=value each,
// separated by ',', with a type of letters, digits and '-' starting with a
// letter (an RFC 4512 descr) and a non-empty value of letters, digits and
// ".-_@" only: nothing that RFC 4514 escapes, trims or reorders.
func plainDN(dn string) bool {
	const (
		typeStart = iota
		inType
		valueStart
		inValue
	)
	state := typeStart
	for i := 0; i < len(dn); i++ {
		c := dn[i]
		letter := (c|0x20) >= 'a' && (c|0x20) <= 'z'
		digit := c >= '0' && c <= '9'
		switch state {
		case typeStart:
			if !letter {
				return false
			}
			state = inType
		case inType:
			switch {
			case letter || digit || c == '-':
			case c == '=':
				state = valueStart
			default:
				return false
			}
		case valueStart, inValue:
			switch {
			case letter || digit || c == '.' || c == '-' || c == '_' || c == '@':
				state = inValue
			case c == ',' && state == inValue:
				state = typeStart
			default:
				return false
			}
		}
	}
	return state == inValue
}

// CollisionError fails a pull under CollisionFail: LDAP entries that
// collide with local accounts.
type CollisionError struct{ Rejections []Rejection }

func (e *CollisionError) Error() string {
	parts := make([]string, 0, len(e.Rejections))
	for _, r := range e.Rejections {
		parts = append(parts, r.String())
	}
	return "LDAP entries collide with local accounts: " + strings.Join(parts, "; ")
}

// order sorts candidates so the winner of any duplicate comes first: the
// earlier directory in the configuration, then the lower normalised DN in
// byte order. This is independent of the order servers return entries in.
func order(n int, dir func(int) int, key func(int) string, swap func(i, j int)) {
	sort.Sort(&sorter{n, func(i, j int) bool {
		if dir(i) != dir(j) {
			return dir(i) < dir(j)
		}
		return key(i) < key(j)
	}, swap})
}

type sorter struct {
	n    int
	less func(i, j int) bool
	swap func(i, j int)
}

func (s *sorter) Len() int           { return s.n }
func (s *sorter) Less(i, j int) bool { return s.less(i, j) }
func (s *sorter) Swap(i, j int)      { s.swap(i, j) }

// Users resolves duplicates among cands and collisions with local. It
// returns the kept users (in winner order), the rejections, and under
// failOnCollision a *CollisionError when any user collides.
//
// cands are pointers, so sorting moves 8 bytes instead of a candidate and
// the caller keeps its candidates where they are (no second array of
// 100,000 candidates, issue #3). cands is sorted and then compacted in
// place: kept is a prefix of its array, so the caller must not use cands
// afterwards. The rejections say which candidates were left out.
func Users(cands []*UserCand, local *Local, failOnCollision bool) ([]*UserCand, []Rejection, error) {
	order(len(cands), func(i int) int { return cands[i].Dir }, func(i int) string { return cands[i].Key },
		func(i, j int) { cands[i], cands[j] = cands[j], cands[i] })
	// The winner of each name and uid so far, for "kept <its DN>".
	names := make(map[string]*UserCand, len(cands))
	uids := make(map[uint32]*UserCand, len(cands))
	// Writing kept[len(kept)] never overtakes the read position, so each
	// candidate is read before its slot is reused.
	kept := cands[:0]
	var rej, coll []Rejection
	reject := func(c *UserCand, format string, args ...any) {
		rej = append(rej, Rejection{DN: c.DN, Map: MapPasswd, Name: c.User.Name, Reason: fmt.Sprintf(format, args...)})
	}
	for _, c := range cands {
		u := &c.User
		if local != nil && local.UserNames[u.Name] {
			r := Rejection{DN: c.DN, Map: MapPasswd, Name: u.Name, Reason: "name collides with a local user"}
			rej, coll = append(rej, r), append(coll, r)
			continue
		}
		if owner, ok := local.uid(u.UID); ok {
			r := Rejection{DN: c.DN, Map: MapPasswd, Name: u.Name, Reason: fmt.Sprintf("uid %d collides with local user %q", u.UID, owner)}
			rej, coll = append(rej, r), append(coll, r)
			continue
		}
		if w, dup := names[u.Name]; dup {
			reject(c, "duplicate name; kept %s", w.DN)
			continue
		}
		if w, dup := uids[u.UID]; dup {
			reject(c, "duplicate uid %d; kept %s", u.UID, w.DN)
			continue
		}
		names[u.Name], uids[u.UID] = c, c
		kept = append(kept, c)
	}
	if failOnCollision && len(coll) > 0 {
		return nil, rej, &CollisionError{Rejections: coll}
	}
	return kept, rej, nil
}

// Groups is Users for groups (names and gids against local groups),
// compacting cands in place the same way.
func Groups(cands []*GroupCand, local *Local, failOnCollision bool) ([]*GroupCand, []Rejection, error) {
	order(len(cands), func(i int) int { return cands[i].Dir }, func(i int) string { return cands[i].Key },
		func(i, j int) { cands[i], cands[j] = cands[j], cands[i] })
	names := make(map[string]string, len(cands))
	gids := make(map[uint32]string, len(cands))
	kept := cands[:0]
	var rej, coll []Rejection
	for _, c := range cands {
		g := &c.Group
		r := Rejection{DN: c.DN, Map: MapGroup, Name: g.Name}
		switch owner, gidTaken := local.gid(g.GID); {
		case local != nil && local.GroupNames[g.Name]:
			r.Reason = "name collides with a local group"
			coll = append(coll, r)
		case gidTaken:
			r.Reason = fmt.Sprintf("gid %d collides with local group %q", g.GID, owner)
			coll = append(coll, r)
		case names[g.Name] != "":
			r.Reason = "duplicate name; kept " + names[g.Name]
		case gids[g.GID] != "":
			r.Reason = fmt.Sprintf("duplicate gid %d; kept %s", g.GID, gids[g.GID])
		default:
			names[g.Name], gids[g.GID] = c.DN, c.DN
			kept = append(kept, c)
			continue
		}
		rej = append(rej, r)
	}
	if failOnCollision && len(coll) > 0 {
		return nil, rej, &CollisionError{Rejections: coll}
	}
	return kept, rej, nil
}

func (l *Local) uid(id uint32) (string, bool) {
	if l == nil {
		return "", false
	}
	n, ok := l.UIDs[id]
	return n, ok
}

func (l *Local) gid(id uint32) (string, bool) {
	if l == nil {
		return "", false
	}
	n, ok := l.GIDs[id]
	return n, ok
}
