package refresher

import (
	"fmt"
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
		out     []string
		rej     []validate.Rejection
		seen    = map[string]bool{}
		visited = map[string]bool{g.cand.Key: true}
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
				if !dn {
					if err := validate.Member(v); err != nil {
						if top {
							report("member value rejected: %v", err)
						}
						continue
					}
					if !seen[v] {
						seen[v] = true
						out = append(out, v)
					}
					continue
				}
				if name, ok := r.users[key]; ok {
					if !seen[name] {
						seen[name] = true
						out = append(out, name)
					}
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
