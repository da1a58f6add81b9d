package validate

import (
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
	k := kind{m: MapPasswd, id: "uid", local: "user"}
	if local != nil {
		k.names, k.ids = local.UserNames, local.UIDs
	}
	return resolve(cands, k, failOnCollision)
}

// Groups is Users for groups (names and gids against local groups),
// compacting cands in place the same way.
func Groups(cands []*GroupCand, local *Local, failOnCollision bool) ([]*GroupCand, []Rejection, error) {
	k := kind{m: MapGroup, id: "gid", local: "group"}
	if local != nil {
		k.names, k.ids = local.GroupNames, local.GIDs
	}
	return resolve(cands, k, failOnCollision)
}
