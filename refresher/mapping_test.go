package refresher

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unsafe"

	"github.com/ldapidm/ldapidm/cache"
	"github.com/ldapidm/ldapidm/refresher/config"
	"github.com/ldapidm/ldapidm/refresher/ldapsrc"
	"github.com/ldapidm/ldapidm/refresher/validate"
)

func mapDir(shadow bool) *config.Directory {
	d := &config.Directory{
		Attr: map[config.Field]string{
			config.FieldName: "uid", config.FieldUID: "uidNumber", config.FieldGID: "gidNumber",
			config.FieldGecos: "cn", config.FieldHome: "homeDirectory", config.FieldShell: "loginShell",
			config.FieldGroupName: "cn", config.FieldGroupGID: "gidNumber",
			config.FieldPasswd: "userPassword", config.FieldShadowLastChange: "shadowLastChange",
			config.FieldShadowMax: "shadowMax", config.FieldShadowExpire: "shadowExpire",
		},
		Fixed:  map[config.Field]string{},
		List:   map[config.Field]string{config.FieldGroupMembers: "memberUid"},
		Shadow: shadow,
	}
	return d
}

// entry builds the Entry a search asking for attrs decodes: attribute
// names matched case-insensitively, values of unrequested ones dropped.
func entry(attrs []string, dn string, kv ...string) *ldapsrc.Entry {
	e := &ldapsrc.Entry{DN: dn, Vals: make([][]string, len(attrs))}
	for i := 0; i+1 < len(kv); i += 2 {
		if k := slices.Index(attrs, strings.ToLower(kv[i])); k >= 0 {
			e.Vals[k] = append(e.Vals[k], kv[i+1])
		}
	}
	return e
}

// mapUser maps a user entry of directory 0 of d as a pull would.
func mapUser(d *config.Directory, dn string, kv ...string) (validate.UserCand, error) {
	m := newMapper(d, 0, ranges)
	return m.user(entry(m.userAttrs, dn, kv...))
}

func mapGroup(d *config.Directory, dn string, kv ...string) (*groupEntry, error) {
	m := newMapper(d, 0, ranges)
	return m.group(entry(m.groupAttrs, dn, kv...))
}

var ranges = idRanges{uid: validate.Range{Min: 1000, Max: 60000}, gid: validate.Range{Min: 1000, Max: 60000}}

func TestMapUser(t *testing.T) {
	base := []string{"uid", "alice", "uidNumber", "1500", "gidNumber", "1100", "cn", "Alice", "homeDirectory", "/home/alice", "loginShell", "/bin/sh"}
	with := func(kv ...string) []string {
		out := append([]string{}, kv...)
		for i := 0; i < len(base); i += 2 {
			found := false
			for j := 0; j < len(kv); j += 2 {
				found = found || kv[j] == base[i]
			}
			if !found {
				out = append(out, base[i], base[i+1])
			}
		}
		return out
	}
	for _, tc := range []struct {
		name   string
		dn     string
		kv     []string
		want   *cache.User
		reason string
	}{
		{"plain", "uid=alice,dc=x", base, &cache.User{Name: "alice", Passwd: "*", UID: 1500, GID: 1100, Gecos: "Alice", Dir: "/home/alice", Shell: "/bin/sh"}, ""},
		{"multi-valued cn takes the first", "uid=alice,dc=x", with("cn", "Alice", "cn", "A. Liddell"), &cache.User{Name: "alice", Passwd: "*", UID: 1500, GID: 1100, Gecos: "Alice", Dir: "/home/alice", Shell: "/bin/sh"}, ""},
		{"missing optional fields", "uid=alice,dc=x", []string{"uid", "alice", "uidNumber", "1500", "gidNumber", "1100"}, &cache.User{Name: "alice", Passwd: "*", UID: 1500, GID: 1100}, ""},
		{"two uids settled by the RDN", "uid=jdoe,dc=x", with("uid", "john.doe", "uid", "jdoe"), &cache.User{Name: "jdoe", Passwd: "*", UID: 1500, GID: 1100, Gecos: "Alice", Dir: "/home/alice", Shell: "/bin/sh"}, ""},
		{"two uids, RDN elsewhere", "cn=j,dc=x", with("uid", "john.doe", "uid", "jdoe"), nil, "2 values"},
		{"two uidNumbers", "uid=alice,dc=x", with("uidNumber", "1500", "uidNumber", "1501"), nil, "2 values"},
		{"missing name", "uid=alice,dc=x", []string{"uidNumber", "1500", "gidNumber", "1100"}, nil, "missing"},
		{"missing uid", "uid=alice,dc=x", []string{"uid", "alice", "gidNumber", "1100"}, nil, "missing"},
		{"uid 0", "uid=alice,dc=x", with("uidNumber", "0"), nil, "reserved"},
		{"uid below range", "uid=alice,dc=x", with("uidNumber", "999"), nil, "range"},
		{"uid above range", "uid=alice,dc=x", with("uidNumber", "60001"), nil, "range"},
		{"uid not a number", "uid=alice,dc=x", with("uidNumber", "15OO"), nil, "decimal"},
		{"gid 0", "uid=alice,dc=x", with("gidNumber", "0"), nil, "reserved"},
		{"primary gid at the range floor", "uid=alice,dc=x", with("gidNumber", "1000"), &cache.User{Name: "alice", Passwd: "*", UID: 1500, GID: 1000, Gecos: "Alice", Dir: "/home/alice", Shell: "/bin/sh"}, ""},
		{"primary gid at the range ceiling", "uid=alice,dc=x", with("gidNumber", "60000"), &cache.User{Name: "alice", Passwd: "*", UID: 1500, GID: 60000, Gecos: "Alice", Dir: "/home/alice", Shell: "/bin/sh"}, ""},
		// Local system groups are privileges: LDAP must not hand them out
		// as a primary group (sudo, shadow, adm, Debian's users).
		{"primary gid sudo", "uid=alice,dc=x", with("gidNumber", "27"), nil, "primary gid 27 outside gidrange 1000-60000"},
		{"primary gid shadow", "uid=alice,dc=x", with("gidNumber", "42"), nil, "primary gid 42 outside gidrange 1000-60000"},
		{"primary gid adm", "uid=alice,dc=x", with("gidNumber", "4"), nil, "primary gid 4 outside gidrange 1000-60000"},
		{"primary gid users", "uid=alice,dc=x", with("gidNumber", "100"), nil, "primary gid 100 outside gidrange"},
		{"primary gid below range", "uid=alice,dc=x", with("gidNumber", "999"), nil, "primary gid 999 outside gidrange"},
		{"primary gid above range", "uid=alice,dc=x", with("gidNumber", "60001"), nil, "primary gid 60001 outside gidrange"},
		{"name with colon", "uid=alice,dc=x", with("uid", "ali:ce"), nil, "not allowed"},
		{"name with newline", "uid=alice,dc=x", with("uid", "ali\nce"), nil, "not allowed"},
		{"name with comma", "uid=alice,dc=x", with("uid", "ali,ce"), nil, "not allowed"},
		{"uppercase name", "uid=alice,dc=x", with("uid", "Alice"), nil, "not allowed"},
		{"shell with newline", "uid=alice,dc=x", with("loginShell", "/bin/sh\nroot::0:0::/:/bin/sh"), nil, "control"},
		{"home with colon", "uid=alice,dc=x", with("homeDirectory", "/home/a:0:0"), nil, "':'"},
		{"gecos over the entry limit", "uid=alice,dc=x", with("cn", strings.Repeat("x", 3000)), nil, "1024-byte"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := mapUser(mapDir(false), tc.dn, tc.kv...)
			if tc.want == nil {
				if err == nil || !strings.Contains(err.Error(), tc.reason) {
					t.Fatalf("err %v, want one mentioning %q", err, tc.reason)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(c.User, *tc.want) || c.Shadow != nil {
				t.Fatalf("got %+v (shadow %v), want %+v", c.User, c.Shadow, *tc.want)
			}
		})
	}
}

func TestMapShadow(t *testing.T) {
	u := []string{"uid", "alice", "uidNumber", "1500", "gidNumber", "1100"}
	unset := cache.Shadow{Name: "alice", Passwd: "*", LastChange: cache.Unset, Min: cache.Unset, Max: cache.Unset,
		Warn: cache.Unset, Inactive: cache.Unset, Expire: cache.Unset, Flag: cache.Unset}
	with := func(f func(*cache.Shadow)) *cache.Shadow { s := unset; f(&s); return &s }
	for _, tc := range []struct {
		name   string
		kv     []string
		want   *cache.Shadow
		reason string
	}{
		{"no password, no numbers: all unset, never 0", nil, &unset, ""},
		{"crypt hash", []string{"userPassword", "{CRYPT}$6$s$h"}, with(func(s *cache.Shadow) { s.Passwd = "$6$s$h" }), ""},
		{"scheme case-insensitive", []string{"userPassword", "{crypt}$y$j$h"}, with(func(s *cache.Shadow) { s.Passwd = "$y$j$h" }), ""},
		{"SSHA is not crypt: star, never bang", []string{"userPassword", "{SSHA}abc"}, &unset, ""},
		{"clear text is not crypt", []string{"userPassword", "secret"}, &unset, ""},
		{"first crypt value among several", []string{"userPassword", "{SSHA}x", "userPassword", "{CRYPT}$6$a$b"}, with(func(s *cache.Shadow) { s.Passwd = "$6$a$b" }), ""},
		{"empty crypt is not a password", []string{"userPassword", "{CRYPT}"}, &unset, ""},
		{"numbers", []string{"shadowLastChange", "19000", "shadowMax", "99999", "shadowExpire", "-1"}, with(func(s *cache.Shadow) { s.LastChange, s.Max = 19000, 99999 }), ""},
		{"lastchange 0 is kept as 0", []string{"shadowLastChange", "0"}, with(func(s *cache.Shadow) { s.LastChange = 0 }), ""},
		{"hash with colon", []string{"userPassword", "{CRYPT}$6$a:b"}, nil, "':'"},
		{"hash with newline", []string{"userPassword", "{CRYPT}$6$a\nroot::0"}, nil, "control"},
		{"bad number", []string{"shadowExpire", "tomorrow"}, nil, "decimal"},
		{"two values", []string{"shadowMax", "1", "shadowMax", "2"}, nil, "2 values"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := mapUser(mapDir(true), "uid=alice,dc=x", append(append([]string{}, u...), tc.kv...)...)
			if tc.want == nil {
				if err == nil || !strings.Contains(err.Error(), tc.reason) {
					t.Fatalf("err %v, want one mentioning %q", err, tc.reason)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.User.Passwd != "x" || c.Shadow == nil || !reflect.DeepEqual(*c.Shadow, *tc.want) {
				t.Fatalf("passwd %q, shadow %+v; want %+v", c.User.Passwd, c.Shadow, tc.want)
			}
		})
	}
}

func TestAttrList(t *testing.T) {
	got := userAttrs(mapDir(false))
	want := []string{"cn", "gidnumber", "homedirectory", "loginshell", "uid", "uidnumber", "userpassword"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("user attrs %v, want %v", got, want)
	}
	if got := groupAttrs(mapDir(false)); !reflect.DeepEqual(got, []string{"cn", "gidnumber", "memberuid"}) {
		t.Fatalf("group attrs %v", got)
	}
	if got := attrList(&config.Directory{}, userFields); !reflect.DeepEqual(got, []string{"1.1"}) {
		t.Fatalf("empty mapping asks for %v, want 1.1 (no attributes)", got)
	}
	d := mapDir(false)
	d.Fixed[config.FieldShell] = "/bin/false"
	delete(d.Attr, config.FieldShell)
	c, err := mapUser(d, "uid=a,dc=x", "uid", "a", "uidNumber", "1500", "gidNumber", "1100", "loginShell", "/bin/zsh")
	if err != nil || c.User.Shell != "/bin/false" {
		t.Fatalf("fixed shell: %+v %v", c.User, err)
	}
}

func TestMapGroup(t *testing.T) {
	d := mapDir(false)
	g, err := mapGroup(d, "cn=g,dc=x", "cn", "g", "gidNumber", "2000", "memberUid", "a", "memberUid", "b")
	if err != nil || g.cand.Group.Passwd != "*" || !reflect.DeepEqual(g.raw, []string{"a", "b"}) {
		t.Fatalf("%+v %v", g, err)
	}
	for _, bad := range [][]string{
		{"cn", "g", "gidNumber", "0"}, {"cn", "g"}, {"cn", "G", "gidNumber", "2000"},
		{"cn", "g", "gidNumber", "999"}, {"cn", "g:x", "gidNumber", "2000"},
	} {
		if _, err := mapGroup(d, "cn=g,dc=x", bad...); err == nil {
			t.Errorf("group %v accepted", bad)
		}
	}
}

// A mapped grouppasswd attribute (ypldap.conf's `attribute grouppasswd maps
// to "userPassword"`) is accepted but never read: the group search does not
// ask for it, and a group that carries it still gets "*".
func TestGroupPasswdNotRequested(t *testing.T) {
	for _, attr := range []string{"userPassword", "USERPASSWORD"} {
		t.Run(attr, func(t *testing.T) {
			text := "directory \"ldap.example.com\" {\n\tbasedn \"dc=example,dc=com\"\n" +
				"\tattribute grouppasswd maps to \"" + attr + "\"\n}\n"
			cfg, err := config.Parse("t.conf", strings.NewReader(text))
			if err != nil {
				t.Fatal(err)
			}
			d := cfg.Directories[0]
			if d.Attr[config.FieldGroupPasswd] != attr {
				t.Fatalf("precondition: grouppasswd maps to %q, want %q", d.Attr[config.FieldGroupPasswd], attr)
			}
			got := groupAttrs(d)
			if want := []string{"cn", "gidnumber", "memberuid"}; !reflect.DeepEqual(got, want) {
				t.Fatalf("group search asks for %v, want %v", got, want)
			}
			m := newMapper(d, 0, ranges)
			g, err := m.group(entry(m.groupAttrs, "cn=g,dc=x", "cn", "g", "gidNumber", "2000",
				"userPassword", "{CRYPT}$6$salt$hash", "memberUid", "a"))
			if err != nil || g.cand.Group.Passwd != "*" {
				t.Fatalf("group password %q (err %v), want *", g.cand.Group.Passwd, err)
			}
		})
	}
}

func TestResolveMembers(t *testing.T) {
	grp := func(dn string, raw ...string) *groupEntry {
		g := &groupEntry{raw: raw}
		g.cand.DN, g.cand.Key = dn, validate.NormalizeDN(dn)
		g.cand.Group.Name = strings.TrimPrefix(strings.SplitN(dn, ",", 2)[0], "cn=")
		return g
	}
	a := grp("cn=a,dc=x", "uid=u1,dc=x", "cn=b,dc=x", "plainname", "UID=U1, DC=X", "bad name", "uid=gone,dc=x", "uid=rej,dc=x")
	b := grp("cn=b,dc=x", "uid=u2,dc=x", "cn=c,dc=x", "bad,name")
	c := grp("cn=c,dc=x", "uid=u3,dc=x", "cn=a,dc=x", "cn=b,dc=x")
	r := &memberResolver{
		users:   map[string]string{"uid=u1,dc=x": "u1", "uid=u2,dc=x": "u2", "uid=u3,dc=x": "u3"},
		refused: map[string]bool{"uid=rej,dc=x": true},
		groups:  map[string]*groupEntry{a.cand.Key: a, b.cand.Key: b, c.cand.Key: c},
	}
	for _, tc := range []struct {
		depth int
		want  []string
		rejs  int
	}{
		{0, []string{"u1", "plainname"}, 4}, // nested off is reported, with the 3 bad values
		{1, []string{"u1", "plainname", "u2"}, 3},
		{2, []string{"u1", "plainname", "u2", "u3"}, 3},
		{10, []string{"u1", "plainname", "u2", "u3"}, 3}, // the loop a->b->c->a ends
	} {
		r.maxDepth = tc.depth
		got, rej := r.resolve(a)
		if !reflect.DeepEqual(got, tc.want) || len(rej) != tc.rejs {
			t.Errorf("depth %d: members %v, want %v; rejections %v", tc.depth, got, tc.want, rej)
		}
		for _, x := range rej {
			if x.DN != "cn=a,dc=x" || x.Name != "a" || x.Map != validate.MapGroup {
				t.Errorf("rejection not about group a: %+v", x)
			}
		}
	}
}

func TestSourceOf(t *testing.T) {
	for in, want := range map[string]string{
		"ldap://127.0.0.1:389":   "ldap 127.0.0.1 port 389",
		"ldaps://[::1]:636":      "ldaps %3A%3A1 port 636",
		"ldaps://ldap.example:1": "ldaps ldap.example port 1",
	} {
		if got := sourceOf(in); got != want || strings.Contains(got, ":") {
			t.Errorf("sourceOf(%q) = %q, want %q", in, got, want)
		}
	}
}

// A kept user must not pin its entry's message: every string it keeps is
// a copy (detach), equal to what the entry said. The entry's DN and values
// are carved out of one backing string here, as the decoder does.
func TestMapUserDetaches(t *testing.T) {
	for _, tc := range []struct {
		name, dn string
		shadow   bool
		wantKey  string
	}{
		{"lowercase DN, key shared with the DN", "uid=alice,ou=people,dc=x", false, "uid=alice,ou=people,dc=x"},
		{"mixed-case DN, own key", "UID=Alice,OU=People,DC=X", false, "uid=alice,ou=people,dc=x"},
		{"DN with spaces, parsed key", "uid=alice, ou=people, dc=x", false, "uid=alice,ou=people,dc=x"},
		{"shadow hash copied too", "uid=alice,dc=x", true, "uid=alice,dc=x"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := mapDir(tc.shadow)
			m := newMapper(d, 0, ranges)
			vals := []string{"alice", "1500", "1100", "Alice Liddell", "/home/alice", "/bin/sh", "{CRYPT}$6$s$h"}
			msg := tc.dn + strings.Join(vals, "")
			off := len(tc.dn)
			kv := []string{"uid", "uidNumber", "gidNumber", "cn", "homeDirectory", "loginShell", "userPassword"}
			var args []string
			for i, v := range vals {
				args = append(args, kv[i], msg[off:off+len(v)])
				off += len(v)
			}
			c, err := m.user(entry(m.userAttrs, msg[:len(tc.dn)], args...))
			if err != nil {
				t.Fatal(err)
			}
			u := c.User
			want := cache.User{Name: "alice", Passwd: "*", UID: 1500, GID: 1100, Gecos: "Alice Liddell", Dir: "/home/alice", Shell: "/bin/sh"}
			if tc.shadow {
				want.Passwd = "x"
			}
			if u != want || c.DN != tc.dn || c.Key != tc.wantKey {
				t.Fatalf("got %+v dn %q key %q; want %+v dn %q key %q", u, c.DN, c.Key, want, tc.dn, tc.wantKey)
			}
			kept := []string{c.DN, c.Key, u.Name, u.Gecos, u.Dir, u.Shell}
			if tc.shadow {
				if c.Shadow == nil || c.Shadow.Passwd != "$6$s$h" || c.Shadow.Name != "alice" {
					t.Fatalf("shadow %+v", c.Shadow)
				}
				kept = append(kept, c.Shadow.Passwd, c.Shadow.Name)
			}
			lo := uintptr(unsafe.Pointer(unsafe.StringData(msg)))
			hi := lo + uintptr(len(msg))
			for _, s := range kept {
				if p := uintptr(unsafe.Pointer(unsafe.StringData(s))); len(s) > 0 && p >= lo && p < hi {
					t.Errorf("%q points into the entry's message", s)
				}
			}
		})
	}
}

// memberSet keeps the first occurrence of each name, in order, below and
// above the size where it switches from a scan to a map.
func TestMemberSet(t *testing.T) {
	many := func(n, distinct int) []string {
		var vs []string
		for i := 0; i < n; i++ {
			vs = append(vs, fmt.Sprintf("u%d", (i*7)%distinct))
		}
		return vs
	}
	for _, in := range [][]string{
		nil,
		{"a"},
		{"a", "a", "b", "a", "b"},
		{"", "", "x"},
		many(linearMembers, linearMembers),
		many(linearMembers+1, linearMembers+1),
		many(3*linearMembers, linearMembers+3),
		many(5000, 4999),
		append(many(linearMembers, linearMembers), many(linearMembers, linearMembers)...),
	} {
		var want []string
		seen := map[string]bool{}
		for _, v := range in {
			if !seen[v] {
				seen[v] = true
				want = append(want, v)
			}
		}
		var s memberSet
		var got []string
		for _, v := range in {
			got = s.add(got, v)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%d values: got %d names, want %d (%v...)", len(in), len(got), len(want), got[:min(len(got), 5)])
		}
	}
}
