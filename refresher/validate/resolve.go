package validate

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// The set rules, once for both maps: Users and Groups differ only in what
// they read of a candidate (candidate) and in the words and local accounts
// of their map (kind).

// candidate is a *UserCand or a *GroupCand, as the set rules see it.
type candidate interface {
	*UserCand | *GroupCand
	// rank is where the candidate stands in winner order: the index of
	// its directory, then its normalised DN.
	rank() (dir int, key string)
	// ident is what must be unique in the map: the name and the id.
	ident() (name string, id uint32)
	// dn is the DN as the server sent it, for rejections.
	dn() string
}

func (c *UserCand) rank() (int, string)      { return c.Dir, c.Key }
func (c *UserCand) ident() (string, uint32)  { return c.User.Name, c.User.UID }
func (c *UserCand) dn() string               { return c.DN }
func (c *GroupCand) rank() (int, string)     { return c.Dir, c.Key }
func (c *GroupCand) ident() (string, uint32) { return c.Group.Name, c.Group.GID }
func (c *GroupCand) dn() string              { return c.DN }

// kind is what the set rules say differently for each map.
type kind struct {
	m     string            // Rejection.Map: MapPasswd or MapGroup
	id    string            // what the id is called: "uid" or "gid"
	local string            // what a local account is: "user" or "group"
	names map[string]bool   // local names; nil without local accounts
	ids   map[uint32]string // local id -> its name; nil likewise
}

// byRank orders candidates so the winner of any duplicate comes first: the
// earlier directory in the configuration, then the lower normalised DN in
// byte order, then (for two spellings of one DN, which only a misbehaving
// server sends) the lower DN as sent. This is independent of the order
// servers return entries in.
func byRank[C candidate](a, b C) int {
	ad, ak := a.rank()
	bd, bk := b.rank()
	if c := cmp.Compare(ad, bd); c != 0 {
		return c
	}
	if c := strings.Compare(ak, bk); c != 0 {
		return c
	}
	return strings.Compare(a.dn(), b.dn())
}

// resolve is Users and Groups: it sorts cands by rank, then keeps each
// candidate greedily, first come first kept, unless its name or id is a
// local account's (a collision) or a kept candidate's (a duplicate).
// A candidate left out reserves nothing: a later one may take its id.
func resolve[C candidate](cands []C, k kind, failOnCollision bool) ([]C, []Rejection, error) {
	slices.SortFunc(cands, byRank[C])
	// The winner of each name and id so far, for "kept <its DN>".
	names := make(map[string]C, len(cands))
	ids := make(map[uint32]C, len(cands))
	// Writing kept[len(kept)] never overtakes the read position, so each
	// candidate is read before its slot is reused.
	kept := cands[:0]
	var rej, coll []Rejection
	for _, c := range cands {
		name, id := c.ident()
		r := Rejection{DN: c.dn(), Map: k.m, Name: name}
		if k.names[name] {
			r.Reason = "name collides with a local " + k.local
			coll = append(coll, r)
		} else if owner, ok := k.ids[id]; ok {
			r.Reason = fmt.Sprintf("%s %d collides with local %s %q", k.id, id, k.local, owner)
			coll = append(coll, r)
		} else if w, dup := names[name]; dup {
			r.Reason = "duplicate name; kept " + w.dn()
		} else if w, dup := ids[id]; dup {
			r.Reason = fmt.Sprintf("duplicate %s %d; kept %s", k.id, id, w.dn())
		} else {
			names[name], ids[id] = c, c
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
