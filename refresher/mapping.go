package refresher

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/go-ldap/ldap/v3"

	"github.com/ldapidm/ldapidm/cache"
	"github.com/ldapidm/ldapidm/refresher/config"
	"github.com/ldapidm/ldapidm/refresher/ldapsrc"
	"github.com/ldapidm/ldapidm/refresher/validate"
)

// userFields and groupFields are the fields each map reads; the LDAP
// attribute list requested is built from them (only what the mapping needs).
var (
	userFields = []config.Field{config.FieldName, config.FieldPasswd, config.FieldUID, config.FieldGID,
		config.FieldGecos, config.FieldHome, config.FieldShell}
	shadowFields = []config.Field{config.FieldShadowLastChange, config.FieldShadowMin, config.FieldShadowMax,
		config.FieldShadowWarning, config.FieldShadowInactive, config.FieldShadowExpire, config.FieldShadowFlag}
	groupFields = []config.Field{config.FieldGroupName, config.FieldGroupPasswd, config.FieldGroupGID,
		config.FieldGroupMembers}
)

// attrList is the sorted, de-duplicated list of LDAP attributes fields map
// to. An empty list would ask for every attribute, so "1.1" (RFC 4511
// §4.5.1.8: no attributes) stands in for it.
func attrList(d *config.Directory, fields []config.Field) []string {
	set := map[string]bool{}
	for _, f := range fields {
		if a, ok := d.Attr[f]; ok && a != "" {
			set[strings.ToLower(a)] = true
		}
		if a, ok := d.List[f]; ok && a != "" {
			set[strings.ToLower(a)] = true
		}
	}
	out := make([]string, 0, len(set))
	for a := range set {
		out = append(out, a)
	}
	sort.Strings(out)
	if len(out) == 0 {
		out = []string{"1.1"}
	}
	return out
}

func userAttrs(d *config.Directory) []string {
	if d.Shadow {
		return attrList(d, append(append([]config.Field{}, userFields...), shadowFields...))
	}
	return attrList(d, userFields)
}

func groupAttrs(d *config.Directory) []string { return attrList(d, groupFields) }

// values returns what field f maps to in e: the Fixed constant, or every
// value of the mapped attribute (Attr or List).
func values(d *config.Directory, e *ldapsrc.Entry, f config.Field) []string {
	if v, ok := d.Fixed[f]; ok {
		return []string{v}
	}
	if a, ok := d.Attr[f]; ok {
		return e.Attrs[lower(a)]
	}
	if a, ok := d.List[f]; ok {
		return e.Attrs[lower(a)]
	}
	return nil
}

// lowered memoises strings.ToLower of configured attribute names: values
// looks one up per field per entry, and lowering "uidNumber" allocates
// every time (a million allocations per 100,000-user pull).
var lowered sync.Map

func lower(s string) string {
	if v, ok := lowered.Load(s); ok {
		return v.(string)
	}
	l := strings.ToLower(s)
	lowered.Store(s, l)
	return l
}

// one returns the single value of f. Free-text fields take the first value
// (cn is often multi-valued); identity fields (name, ids) must be
// unambiguous, except that a multi-valued name attribute is settled by the
// entry's RDN when the RDN carries one of the values (uid=jdoe with uid:
// jdoe and uid: john.doe), as nslcd does.
func one(d *config.Directory, e *ldapsrc.Entry, f config.Field, identity bool) (string, error) {
	vs := values(d, e, f)
	switch {
	case len(vs) == 0:
		if identity {
			return "", fmt.Errorf("%s: missing (attribute %q)", f, d.Attr[f])
		}
		return "", nil
	case len(vs) == 1 || !identity:
		return vs[0], nil
	}
	if f == config.FieldName || f == config.FieldGroupName {
		if v, ok := rdnValue(e.DN, d.Attr[f], vs); ok {
			return v, nil
		}
	}
	return "", fmt.Errorf("%s: %d values for attribute %q, expected one", f, len(vs), d.Attr[f])
}

func rdnValue(dn, attr string, vs []string) (string, bool) {
	p, err := ldap.ParseDN(dn)
	if err != nil || len(p.RDNs) == 0 {
		return "", false
	}
	for _, av := range p.RDNs[0].Attributes {
		if !strings.EqualFold(av.Type, attr) {
			continue
		}
		for _, v := range vs {
			if v == av.Value {
				return v, true
			}
		}
	}
	return "", false
}

// idRanges are the configured uid and gid ranges.
type idRanges struct{ uid, gid validate.Range }

// mapUser turns a passwd entry into a candidate, or says why not.
//
// passwd is "x" when the directory serves shadow (the user then always has
// a shadow entry, whose hash is "*" when LDAP has none usable) and "*"
// otherwise: a hash never goes into the world-readable cache.db.
func mapUser(d *config.Directory, dir int, e *ldapsrc.Entry, r idRanges) (validate.UserCand, error) {
	c := validate.UserCand{Dir: dir, DN: e.DN, Key: validate.NormalizeDN(e.DN)}
	u := &c.User
	var err error
	if u.Name, err = one(d, e, config.FieldName, true); err != nil {
		return c, err
	}
	uid, err := one(d, e, config.FieldUID, true)
	if err != nil {
		return c, err
	}
	if u.UID, err = validate.ID("uid", uid, r.uid); err != nil {
		return c, err
	}
	gid, err := one(d, e, config.FieldGID, true)
	if err != nil {
		return c, err
	}
	// The primary gid must be inside gidrange like any group's gid
	// (validate.PrimaryGID says why).
	if u.GID, err = validate.PrimaryGID(gid, r.gid); err != nil {
		return c, err
	}
	u.Gecos, _ = one(d, e, config.FieldGecos, false)
	u.Dir, _ = one(d, e, config.FieldHome, false)
	u.Shell, _ = one(d, e, config.FieldShell, false)
	u.Passwd = "*"
	if d.Shadow {
		u.Passwd = "x"
		if c.Shadow, err = mapShadow(d, e, u.Name); err != nil {
			return c, err
		}
	}
	return c, validate.User(u)
}

// mapShadow builds the shadow entry. The hash is taken only from a
// userPassword value in {CRYPT} form (RFC 2307 §5.2 userPassword syntax,
// scheme case-insensitive); any other scheme ({SSHA}, plain text) is not a
// crypt(3) hash, so the entry gets "*" — never "!", which sshd treats as a
// locked account and refuses key logins for. Absent numbers stay Unset.
func mapShadow(d *config.Directory, e *ldapsrc.Entry, name string) (*cache.Shadow, error) {
	s := &cache.Shadow{Name: name, Passwd: "*"}
	if _, fixed := d.Fixed[config.FieldPasswd]; !fixed {
		for _, v := range values(d, e, config.FieldPasswd) {
			if len(v) > 7 && strings.EqualFold(v[:7], "{crypt}") {
				s.Passwd = v[7:]
				break
			}
		}
	}
	for _, f := range []struct {
		field config.Field
		dst   *int64
	}{
		{config.FieldShadowLastChange, &s.LastChange}, {config.FieldShadowMin, &s.Min},
		{config.FieldShadowMax, &s.Max}, {config.FieldShadowWarning, &s.Warn},
		{config.FieldShadowInactive, &s.Inactive}, {config.FieldShadowExpire, &s.Expire},
		{config.FieldShadowFlag, &s.Flag},
	} {
		v, err := one(d, e, f.field, true)
		if err != nil && len(values(d, e, f.field)) > 0 {
			return nil, err
		}
		if *f.dst, err = validate.ShadowNumber(string(f.field), v); err != nil {
			return nil, err
		}
	}
	return s, validate.Shadow(s)
}

// groupEntry is a mapped group before member resolution: raw member values
// (names or DNs) in the order the entry lists them.
type groupEntry struct {
	cand validate.GroupCand
	raw  []string
}

// mapGroup maps a group entry. Group passwords are "*" unless a Fixed
// value is configured: a hash from LDAP would be world-readable in cache.db.
func mapGroup(d *config.Directory, dir int, e *ldapsrc.Entry, r idRanges) (*groupEntry, error) {
	g := &groupEntry{cand: validate.GroupCand{Dir: dir, DN: e.DN, Key: validate.NormalizeDN(e.DN)}}
	gr := &g.cand.Group
	var err error
	if gr.Name, err = one(d, e, config.FieldGroupName, true); err != nil {
		return g, err
	}
	gid, err := one(d, e, config.FieldGroupGID, true)
	if err != nil {
		return g, err
	}
	if gr.GID, err = validate.ID("groupgid", gid, r.gid); err != nil {
		return g, err
	}
	gr.Passwd = "*"
	if v, ok := d.Fixed[config.FieldGroupPasswd]; ok {
		gr.Passwd = v
	}
	g.raw = values(d, e, config.FieldGroupMembers)
	return g, validate.Group(gr)
}
