package refresher

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/go-ldap/ldap/v3"

	"github.com/ldapidm/ldapidm/cache"
	"github.com/ldapidm/ldapidm/refresher/config"
	"github.com/ldapidm/ldapidm/refresher/ldapsrc"
	"github.com/ldapidm/ldapidm/refresher/validate"
)

// userFields and groupFields are the fields each map reads; the LDAP
// attribute list requested is built from them (only what the mapping needs).
// grouppasswd is not among them: a mapped grouppasswd attribute is accepted
// for ypldap.conf compatibility but never read (mapper.group says why), so
// it is not asked for either.
var (
	userFields = []config.Field{config.FieldName, config.FieldPasswd, config.FieldUID, config.FieldGID,
		config.FieldGecos, config.FieldHome, config.FieldShell}
	// shadowFields is an array: mapper.shadow and mapShadow follow its order.
	shadowFields = [...]config.Field{config.FieldShadowLastChange, config.FieldShadowMin, config.FieldShadowMax,
		config.FieldShadowWarning, config.FieldShadowInactive, config.FieldShadowExpire, config.FieldShadowFlag}
	groupFields = []config.Field{config.FieldGroupName, config.FieldGroupGID, config.FieldGroupMembers}
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
		return attrList(d, append(append([]config.Field{}, userFields...), shadowFields[:]...))
	}
	return attrList(d, userFields)
}

func groupAttrs(d *config.Directory) []string { return attrList(d, groupFields) }

// source is where one field's values come from in the entries of one
// search: a Fixed constant, or the attribute at idx in the search's
// attribute list (Entry.Vals[idx]). Resolved once per directory, so mapping
// an entry indexes a slice instead of lowering and hashing attribute names
// (issue #3: that was a tenth of a 100,000-user pull's CPU).
type source struct {
	field config.Field
	attr  string   // the configured attribute, for messages and RDN matching
	fixed []string // the Fixed value as a one-value list; nil unless fixed
	idx   int      // index in the attribute list; -1 when the field is unmapped
}

// newSource resolves field f against attrs, the list attrList built for
// the search: Fixed wins over Attr, which wins over List, as in the
// configuration's rules.
func newSource(d *config.Directory, attrs []string, f config.Field) source {
	s := source{field: f, attr: d.Attr[f], idx: -1}
	if v, ok := d.Fixed[f]; ok {
		s.fixed = []string{v}
		return s
	}
	a, ok := d.Attr[f]
	if !ok {
		a, ok = d.List[f]
		s.attr = a
	}
	if ok && a != "" {
		s.idx = slices.Index(attrs, strings.ToLower(a))
	}
	return s
}

// values returns what the field maps to in e: the Fixed constant, or every
// value of the mapped attribute. The fixed list is shared: callers only
// read it.
func (s *source) values(e *ldapsrc.Entry) []string {
	if s.fixed != nil {
		return s.fixed
	}
	if s.idx < 0 || s.idx >= len(e.Vals) {
		return nil
	}
	return e.Vals[s.idx]
}

// one returns the single value of the field. Free-text fields take the
// first value (cn is often multi-valued); identity fields (name, ids) must
// be unambiguous, except that a multi-valued name attribute is settled by
// the entry's RDN when the RDN carries one of the values (uid=jdoe with
// uid: jdoe and uid: john.doe), as nslcd does.
func (s *source) one(e *ldapsrc.Entry, identity bool) (string, error) {
	vs := s.values(e)
	switch {
	case len(vs) == 0:
		if identity {
			return "", fmt.Errorf("%s: missing (attribute %q)", s.field, s.attr)
		}
		return "", nil
	case len(vs) == 1 || !identity:
		return vs[0], nil
	}
	if s.field == config.FieldName || s.field == config.FieldGroupName {
		if v, ok := rdnValue(e.DN, s.attr, vs); ok {
			return v, nil
		}
	}
	return "", fmt.Errorf("%s: %d values for attribute %q, expected one", s.field, len(vs), s.attr)
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

// mapper maps the entries of one directory: the attribute lists its two
// searches ask for, and each field's source resolved against them.
type mapper struct {
	d          *config.Directory
	dir        int // index of the directory in the configuration
	r          idRanges
	userAttrs  []string
	groupAttrs []string

	name, passwd, uid, gid, gecos, home, shell source
	shadow                                     [len(shadowFields)]source
	groupName, groupGID, members               source
}

func newMapper(d *config.Directory, dir int, r idRanges) *mapper {
	m := &mapper{d: d, dir: dir, r: r, userAttrs: userAttrs(d), groupAttrs: groupAttrs(d)}
	u := func(f config.Field) source { return newSource(d, m.userAttrs, f) }
	m.name, m.passwd, m.uid, m.gid = u(config.FieldName), u(config.FieldPasswd), u(config.FieldUID), u(config.FieldGID)
	m.gecos, m.home, m.shell = u(config.FieldGecos), u(config.FieldHome), u(config.FieldShell)
	for i, f := range shadowFields {
		m.shadow[i] = u(f)
	}
	g := func(f config.Field) source { return newSource(d, m.groupAttrs, f) }
	m.groupName, m.groupGID, m.members = g(config.FieldGroupName), g(config.FieldGroupGID), g(config.FieldGroupMembers)
	return m
}

// user turns a passwd entry into a candidate, or says why not.
//
// passwd is "x" when the directory serves shadow (the user then always has
// a shadow entry, whose hash is "*" when LDAP has none usable) and "*"
// otherwise: a hash never goes into the world-readable cache.db.
//
// A kept candidate holds no reference into the entry: its strings are
// copied out together (detach), so the entry's message (~200 bytes at
// issue #3's benchmark, most of it attribute names and values the cache
// never stores) is freed once its page is mapped.
func (m *mapper) user(e *ldapsrc.Entry) (validate.UserCand, error) {
	c := validate.UserCand{Dir: m.dir, DN: e.DN, Key: validate.NormalizeDN(e.DN)}
	u := &c.User
	var err error
	if u.Name, err = m.name.one(e, true); err != nil {
		return c, err
	}
	uid, err := m.uid.one(e, true)
	if err != nil {
		return c, err
	}
	if u.UID, err = validate.ID("uid", uid, m.r.uid); err != nil {
		return c, err
	}
	gid, err := m.gid.one(e, true)
	if err != nil {
		return c, err
	}
	// The primary gid must be inside gidrange like any group's gid
	// (validate.PrimaryGID says why).
	if u.GID, err = validate.PrimaryGID(gid, m.r.gid); err != nil {
		return c, err
	}
	u.Gecos, _ = m.gecos.one(e, false)
	u.Dir, _ = m.home.one(e, false)
	u.Shell, _ = m.shell.one(e, false)
	u.Passwd = "*"
	if m.d.Shadow {
		u.Passwd = "x"
		if c.Shadow, err = m.mapShadow(e, u.Name); err != nil {
			return c, err
		}
	}
	if err := validate.User(u); err != nil {
		return c, err
	}
	detach(&c)
	return c, nil
}

// detach copies every string c keeps that may point into its entry's
// message (DN, key, name, gecos, home, shell, shadow hash) into one new
// string, and points the fields into it: one allocation per user instead
// of keeping the whole message alive.
func detach(c *validate.UserCand) {
	u := &c.User
	fields := [...]*string{&c.DN, &c.Key, &u.Name, &u.Gecos, &u.Dir, &u.Shell, nil}
	nf := len(fields) - 1
	if c.Shadow != nil {
		fields[nf] = &c.Shadow.Passwd
		nf++
	}
	keySame := c.Key == c.DN // the usual lowercase DN: stored once
	if keySame {
		fields[1] = new(string)
	}
	n := 0
	for _, f := range fields[:nf] {
		n += len(*f)
	}
	var b strings.Builder
	b.Grow(n)
	for _, f := range fields[:nf] {
		b.WriteString(*f)
	}
	all, off := b.String(), 0
	for _, f := range fields[:nf] {
		*f = all[off : off+len(*f)]
		off += len(*f)
	}
	if keySame {
		c.Key = c.DN
	}
	if c.Shadow != nil {
		c.Shadow.Name = u.Name
	}
}

// mapShadow builds the shadow entry. The hash is taken only from a
// userPassword value in {CRYPT} form (RFC 2307 §5.2 userPassword syntax,
// scheme case-insensitive); any other scheme ({SSHA}, plain text) is not a
// crypt(3) hash, so the entry gets "*" — never "!", which sshd treats as a
// locked account and refuses key logins for. Absent numbers stay Unset.
func (m *mapper) mapShadow(e *ldapsrc.Entry, name string) (*cache.Shadow, error) {
	s := &cache.Shadow{Name: name, Passwd: "*"}
	if m.passwd.fixed == nil {
		for _, v := range m.passwd.values(e) {
			if len(v) > 7 && strings.EqualFold(v[:7], "{crypt}") {
				s.Passwd = v[7:]
				break
			}
		}
	}
	dst := [len(shadowFields)]*int64{&s.LastChange, &s.Min, &s.Max, &s.Warn, &s.Inactive, &s.Expire, &s.Flag}
	for i := range m.shadow {
		src := &m.shadow[i]
		v, err := src.one(e, true)
		if err != nil && len(src.values(e)) > 0 {
			return nil, err
		}
		if *dst[i], err = validate.ShadowNumber(string(src.field), v); err != nil {
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

// group maps a group entry. Group passwords are "*" unless a Fixed value
// is configured: a hash from LDAP would be world-readable in cache.db, so a
// mapped grouppasswd attribute is neither requested nor read.
// A group keeps its entry alive: the member values, most of the entry, are
// substrings of it.
func (m *mapper) group(e *ldapsrc.Entry) (*groupEntry, error) {
	g := &groupEntry{cand: validate.GroupCand{Dir: m.dir, DN: e.DN, Key: validate.NormalizeDN(e.DN)}}
	gr := &g.cand.Group
	var err error
	if gr.Name, err = m.groupName.one(e, true); err != nil {
		return g, err
	}
	gid, err := m.groupGID.one(e, true)
	if err != nil {
		return g, err
	}
	if gr.GID, err = validate.ID("groupgid", gid, m.r.gid); err != nil {
		return g, err
	}
	gr.Passwd = "*"
	if v, ok := m.d.Fixed[config.FieldGroupPasswd]; ok {
		gr.Passwd = v
	}
	g.raw = m.members.values(e)
	return g, validate.Group(gr)
}
