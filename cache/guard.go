package cache

// checkShrink refuses a snapshot that empties the users or groups map, or
// shrinks either by more than maxPct against the live cache. An empty-but-
// successful LDAP search (a wrong base DN, an ACL change) must not log every
// directory user out of every host; ypldap publishes exactly that.
//
// With no live cache only an empty users map is refused: a first import may
// legitimately carry users but no groups. A map that is already empty in the
// live cache may stay empty: nothing is lost, and refusing it would make a
// directory without groups fail every refresh after the first.
//
// maxPct is 0..100 here (Publish resolves the default); 0 refuses any loss.
func checkShrink(live *Meta, snap *Snapshot, maxPct int) error {
	users, groups := len(snap.Users), len(snap.Groups)
	if live == nil {
		if users == 0 {
			return &ShrinkError{Map: "passwd", MaxPct: maxPct}
		}
		return nil
	}
	for _, c := range []struct {
		name     string
		old, new int
	}{{"passwd", live.Users, users}, {"group", live.Groups, groups}} {
		if c.new == 0 && c.old > 0 || shrinksTooMuch(c.old, c.new, maxPct) {
			return &ShrinkError{Map: c.name, Old: c.old, New: c.new, MaxPct: maxPct}
		}
	}
	return nil
}

// shrinksTooMuch reports whether going from old to new entries loses more
// than pct percent. Integer arithmetic: (old-new)*100 > pct*old, so 20% of
// 10 allows exactly 8 and refuses 7.
func shrinksTooMuch(old, new, pct int) bool {
	if new >= old {
		return false
	}
	return int64(old-new)*100 > int64(pct)*int64(old)
}
