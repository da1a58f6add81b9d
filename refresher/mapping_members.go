package refresher

import (
	"fmt"
	"slices"
	"strings"

	"github.com/ldapidm/ldapidm/refresher/validate"
)

// memberResolver turns raw member values into user names.
//
// A value containing '=' that parses as a DN is an RFC 2307bis member
// (member, uniqueMember): it resolves through the DNs of the users kept by
// this same pull (never a lookup of its own, so the result is one
// consistent generation), or, when it names a group of this pull and
// nesting is enabled, to that group's members. Any other value is an
// RFC 2307 memberUid name. Names need not belong to a known user: like
// nslcd, ldapidm keeps them (harmless for initgroups, and a user may be
// local); they must still be valid names, or the value is rejected.
type memberResolver struct {
	users    map[string]string // normalised DN -> name, kept users only
	refused  map[string]bool   // normalised DNs of users that were rejected
	groups   map[string]*groupEntry
	maxDepth int
	// lazy, when set, fills users, refused and groups; resolve calls it
	// at the first DN member value, so pulls without DN members never
	// build them.
	lazy func()
}

// isDN reports whether a member value is a DN (and its normalised form).
// Valid names never contain '=', so nothing is misread.
func isDN(v string) (string, bool) {
	if !strings.Contains(v, "=") {
		return "", false
	}
	return validate.DNKey(v)
}

// resolve returns g's member names, direct members first, then nested
// groups' members level by level (breadth first, so each group is expanded
// at its shallowest depth, at most once: nesting loops end there). Only g's
// own values are reported; a nested group's bad values are reported when
// that group itself is resolved.
func (r *memberResolver) resolve(g *groupEntry) ([]string, []validate.Rejection) {
	var (
		out     = make([]string, 0, len(g.raw))
		rej     []validate.Rejection
		seen    memberSet
		visited map[string]bool // made at the first DN: memberUid groups never need it
		level   = []*groupEntry{g}
	)
	report := func(format string, args ...any) {
		rej = append(rej, validate.Rejection{DN: g.cand.DN, Map: validate.MapGroup, Name: g.cand.Group.Name,
			Reason: fmt.Sprintf(format, args...)})
	}
	for depth := 0; len(level) > 0; depth++ {
		var next []*groupEntry
		for _, ge := range level {
			top := depth == 0
			for _, v := range ge.raw {
				key, dn := isDN(v)
				if dn && r.lazy != nil {
					r.lazy()
					r.lazy = nil
				}
				if dn && visited == nil {
					visited = map[string]bool{g.cand.Key: true}
				}
				if !dn {
					if err := validate.Member(v); err != nil {
						if top {
							report("member value rejected: %v", err)
						}
						continue
					}
					out = seen.add(out, v)
					continue
				}
				if name, ok := r.users[key]; ok {
					out = seen.add(out, name)
					continue
				}
				sub, isGroup := r.groups[key]
				switch {
				case isGroup && visited[key]:
					// Already expanded (a loop, or two paths to it).
				case isGroup && depth < r.maxDepth:
					visited[key] = true
					next = append(next, sub)
				case isGroup && top:
					report("member %q is a group; nested groups are not expanded (nested depth %d)", v, r.maxDepth)
				case isGroup:
					// Deeper than the configured depth: ignored by design.
				case top && r.refused[key]:
					report("member %q is a rejected user; left out", v)
				case top:
					report("member DN %q is not a user or group of this pull; left out", v)
				}
			}
		}
		level = next
	}
	return out, rej
}

// memberSet remembers the names already in a member list, so each is
// listed once. Most groups are short: for them a scan of the list is
// cheaper than a map per group (10,000 groups per pull at issue #3's
// benchmark); past linearMembers the names move into a map.
type memberSet struct{ m map[string]struct{} }

const linearMembers = 16

// add appends v to out unless it is already there.
func (s *memberSet) add(out []string, v string) []string {
	if s.m == nil {
		if slices.Contains(out, v) {
			return out
		}
		if len(out) < linearMembers {
			return append(out, v)
		}
		s.m = make(map[string]struct{}, 2*len(out))
		for _, o := range out {
			s.m[o] = struct{}{}
		}
	}
	if _, dup := s.m[v]; dup {
		return out
	}
	s.m[v] = struct{}{}
	return append(out, v)
}
