package config

import (
	"os"
	"reflect"
	"strings"
	"testing"
	"time"
)

// The stock OpenBSD example (examples/ypldap.conf) parses unchanged: the
// mapping is the one written, BSD-only and YP-only statements are listed in
// exactly one notice, and the clear-text bind gets its own notice.
func TestStockYpldapConf(t *testing.T) {
	text, err := os.ReadFile("../../examples/ypldap.conf")
	if err != nil {
		t.Fatal(err)
	}
	c := mustParse(t, string(text))
	if c.Interval != 60*time.Second || c.Jitter != 6*time.Second {
		t.Errorf("interval %v jitter %v, want 1m0s 6s", c.Interval, c.Jitter)
	}
	if len(c.Directories) != 1 {
		t.Fatalf("%d directories", len(c.Directories))
	}
	d := c.Directories[0]
	if d.URL(0) != "ldap://ldap.example.com:389" || d.TLS != TLSNone {
		t.Errorf("URL %s TLS %v", d.URL(0), d.TLS)
	}
	if d.BindDN != "cn=Manager,dc=example,dc=com" || d.BindCred != "secret" || d.BaseDN != "dc=example,dc=com" || d.GroupDN != "" {
		t.Errorf("bind/base wrong: %+v", d)
	}
	wantAttr := map[Field]string{
		FieldName: "uid", FieldUID: "uidNumber", FieldGID: "gidNumber", FieldGecos: "cn",
		FieldHome: "homeDirectory", FieldShell: "loginShell", FieldGroupName: "cn", FieldGroupGID: "gidNumber",
		FieldShadowLastChange: "shadowLastChange", FieldShadowMin: "shadowMin", FieldShadowMax: "shadowMax",
		FieldShadowWarning: "shadowWarning", FieldShadowInactive: "shadowInactive",
		FieldShadowExpire: "shadowExpire", FieldShadowFlag: "shadowFlag",
	}
	if !reflect.DeepEqual(d.Attr, wantAttr) {
		t.Errorf("Attr\n got %v\nwant %v", d.Attr, wantAttr)
	}
	wantFixed := map[Field]string{FieldPasswd: "*", FieldChange: "0", FieldExpire: "0", FieldClass: "ldap", FieldGroupPasswd: "*"}
	if !reflect.DeepEqual(d.Fixed, wantFixed) {
		t.Errorf("Fixed\n got %v\nwant %v", d.Fixed, wantFixed)
	}
	if !reflect.DeepEqual(d.List, map[Field]string{FieldGroupMembers: "memberUid"}) {
		t.Errorf("List %v", d.List)
	}
	if len(c.Notices) != 2 {
		t.Fatalf("notices %q, want 2", c.Notices)
	}
	for _, want := range []string{"domain (line 11)", "provide map (lines 13, 14, 15, 16, 17)", "field change (line 37)", "field expire (line 38)", "field class (line 39)"} {
		if !strings.Contains(c.Notices[0], want) {
			t.Errorf("notice %q lacks %q", c.Notices[0], want)
		}
	}
	if !strings.Contains(c.Notices[1], "unencrypted") {
		t.Errorf("second notice %q", c.Notices[1])
	}
}

// ypldap's man page example of a macro: ypldap itself would split the value
// into three words; here it is one value.
func TestManPageMacroExample(t *testing.T) {
	c := mustParse(t, "fixed_gecos=\"Pulled from LDAP\"\n\n"+block("fixed attribute gecos $fixed_gecos"))
	if got := c.Directories[0].Fixed[FieldGecos]; got != "Pulled from LDAP" {
		t.Errorf("gecos %q", got)
	}
	if _, ok := c.Directories[0].Attr[FieldGecos]; ok {
		t.Error("gecos both fixed and mapped")
	}
}

func TestDefaults(t *testing.T) {
	c := mustParse(t, block(""))
	want := DefaultConfig()
	want.File = "t.conf"
	got := *c
	got.Directories, got.Notices = nil, nil
	if !reflect.DeepEqual(&got, want) {
		t.Errorf("defaults\n got %+v\nwant %+v", got, *want)
	}
	d := c.Directories[0]
	if d.PasswdFilter != "(objectClass=posixAccount)" || d.GroupFilter != "(objectClass=posixGroup)" {
		t.Errorf("filters %q %q", d.PasswdFilter, d.GroupFilter)
	}
	if d.Fixed[FieldPasswd] != "*" || d.Fixed[FieldGroupPasswd] != "*" || d.List[FieldGroupMembers] != "memberUid" {
		t.Errorf("fixed %v list %v", d.Fixed, d.List)
	}
	if d.Shadow || d.NestedDepth != 0 || d.TLS != TLSNone || d.BindDN != "" || len(c.Notices) != 0 {
		t.Errorf("unexpected non-default: %+v notices %q", d, c.Notices)
	}
	// every Linux field has exactly one source; BSD-only ones none
	for _, f := range fields {
		n := 0
		for _, m := range []map[Field]string{d.Attr, d.Fixed, d.List} {
			if _, ok := m[f]; ok {
				n++
			}
		}
		if want := map[bool]int{true: 0, false: 1}[bsdOnly(f)]; n != want {
			t.Errorf("field %s has %d sources, want %d", f, n, want)
		}
	}
	// shadow yes switches the password source to userPassword
	d = mustParse(t, block("shadow yes")).Directories[0]
	if d.Attr[FieldPasswd] != "userPassword" || d.Fixed[FieldPasswd] != "" {
		t.Errorf("shadow passwd source attr %q fixed %q", d.Attr[FieldPasswd], d.Fixed[FieldPasswd])
	}
}

// Every directive, each checked on the value it sets.
func TestDirectives(t *testing.T) {
	cases := []struct {
		name, text string
		check      func(*Config) bool
	}{
		{"interval", "interval 3600\n" + block(""), func(c *Config) bool { return c.Interval == time.Hour && c.Jitter == 6*time.Minute }},
		{"jitter", "interval 100\njitter 0\n" + block(""), func(c *Config) bool { return c.Jitter == 0 }},
		{"cachedir", "cachedir \"/srv/cache\"\n" + block(""), func(c *Config) bool { return c.CacheDir == "/srv/cache" }},
		{"uidrange", "uidrange 5000 6000\n" + block(""), func(c *Config) bool { return c.UIDMin == 5000 && c.UIDMax == 6000 && c.GIDMin == 1000 }},
		{"gidrange", "gidrange 1 4294967294\n" + block(""), func(c *Config) bool { return c.GIDMin == 1 && c.GIDMax == 4294967294 }},
		{"collisions fail", "collisions fail\n" + block(""), func(c *Config) bool { return c.Collisions == CollisionFail }},
		{"collisions skip", "collisions skip\n" + block(""), func(c *Config) bool { return c.Collisions == CollisionSkip }},
		{"localfiles", "localfiles \"/a/passwd\" \"/a/group\"\n" + block(""), func(c *Config) bool { return c.LocalPasswd == "/a/passwd" && c.LocalGroup == "/a/group" }},
		{"maxshrink", "maxshrink 0\n" + block(""), func(c *Config) bool { return c.MaxShrinkPct == 0 }},
		{"pagesize", "pagesize 1000\n" + block(""), func(c *Config) bool { return c.PageSize == 1000 }},
		{"connect timeout", "connect timeout 3\n" + block(""), func(c *Config) bool { return c.ConnectTimeout == 3*time.Second }},
		{"search timeout", "search timeout 300\n" + block(""), func(c *Config) bool { return c.SearchTimeout == 5*time.Minute }},
		{"top cafile inherited", "cafile \"/ca.pem\"\n" + strings.Replace(block(""), "{", "tls {", 1), func(c *Config) bool {
			return c.CAFile == "/ca.pem" && c.Directories[0].CAFile == "/ca.pem"
		}},
		{"directory cafile wins", "cafile \"/ca.pem\"\ndirectory \"h\" ldaps {\nbasedn \"o=x\"\ncafile \"/mine.pem\"\n}\n", func(c *Config) bool { return c.Directories[0].CAFile == "/mine.pem" }},
		{"port and tls", "directory \"h\" port 1389 tls {\nbasedn \"o=x\"\n}\n", func(c *Config) bool {
			d := c.Directories[0]
			return d.TLS == TLSStartTLS && d.URL(0) == "ldap://h:1389"
		}},
		{"ldaps before port", "directory \"h\" ldaps port 1636 {\nbasedn \"o=x\"\n}\n", func(c *Config) bool { return c.Directories[0].URL(0) == "ldaps://h:1636" }},
		{"port by service name", "directory \"h\" port ldaps ldaps {\nbasedn \"o=x\"\n}\n", func(c *Config) bool { return c.Directories[0].Servers[0].Port == 636 }},
		{"IPv6 host", "directory \"[::1]\" ldaps {\nbasedn \"o=x\"\nserver \"2001:db8::2\" port 10636\n}\n", func(c *Config) bool {
			d := c.Directories[0]
			return d.URL(0) == "ldaps://[::1]:636" && d.URL(1) == "ldaps://[2001:db8::2]:10636" && d.URL(2) == ""
		}},
		{"servers in order", block("server \"b.example.com\"\nserver \"c.example.com\" port 3389"), func(c *Config) bool {
			d := c.Directories[0]
			return len(d.Servers) == 3 && d.URL(1) == "ldap://b.example.com:389" && d.URL(2) == "ldap://c.example.com:3389"
		}},
		{"groupdn", block("groupdn \"ou=g,dc=example,dc=com\""), func(c *Config) bool { return c.Directories[0].GroupDN == "ou=g,dc=example,dc=com" }},
		{"binddn + bindcred", block("binddn \"cn=a\"\nbindcred \"p w\""), func(c *Config) bool {
			d := c.Directories[0]
			cred, err := d.Credential()
			return d.BindDN == "cn=a" && cred == "p w" && err == nil
		}},
		{"binddn + bindcredfile", block("binddn \"cn=a\"\nbindcredfile \"/etc/x\""), func(c *Config) bool { return c.Directories[0].BindCredFile == "/etc/x" }},
		{"bindext", "directory \"h\" tls {\nbasedn \"o=x\"\nbindext\ncertfile \"/c\"\nkeyfile \"/k\"\n}\n", func(c *Config) bool {
			d := c.Directories[0]
			return d.BindExt && d.BindExtID == "" && d.CertFile == "/c" && d.KeyFile == "/k"
		}},
		{"bindext with authzid", "directory \"h\" ldaps {\nbasedn \"o=x\"\nbindext \"dn:cn=x\"\ncertfile \"/c\"\nkeyfile \"/k\"\n}\n", func(c *Config) bool { return c.Directories[0].BindExtID == "dn:cn=x" }},
		{"filters", block("passwd filter \"(uid=*)\"\ngroup filter \"(&(cn=*)(gidNumber>=1000))\""), func(c *Config) bool {
			d := c.Directories[0]
			return d.PasswdFilter == "(uid=*)" && d.GroupFilter == "(&(cn=*)(gidNumber>=1000))"
		}},
		{"attribute with options and OID", block("attribute gecos maps to \"cn;lang-en\"\nattribute home maps to \"1.3.6.1.1.1.1.3\""), func(c *Config) bool {
			d := c.Directories[0]
			return d.Attr[FieldGecos] == "cn;lang-en" && d.Attr[FieldHome] == "1.3.6.1.1.1.1.3"
		}},
		{"bare word arguments", block("attribute shell maps to loginShell\nfixed attribute gid 1500"), func(c *Config) bool {
			d := c.Directories[0]
			return d.Attr[FieldShell] == "loginShell" && d.Fixed[FieldGID] == "1500"
		}},
		{"every field mappable", block(func() string {
			var b strings.Builder
			for _, f := range fields {
				if f != FieldGroupMembers {
					b.WriteString("attribute " + string(f) + " maps to \"a" + string(f) + "\"\n")
				}
			}
			return b.String() + "list groupmembers maps to \"member\""
		}()), func(c *Config) bool {
			d := c.Directories[0]
			for _, f := range fields {
				if f != FieldGroupMembers && d.Attr[f] != "a"+string(f) {
					return false
				}
			}
			return d.MembersAreDNs() && len(d.Fixed) == 0 && len(d.List) == 1
		}},
		{"shadow fixed fields", block("shadow yes\nfixed attribute shadowflag \"\"\nfixed attribute shadowmax \"99999\""), func(c *Config) bool {
			d := c.Directories[0]
			return d.Shadow && d.Fixed[FieldShadowFlag] == "" && d.Fixed[FieldShadowMax] == "99999" && d.Attr[FieldShadowMin] == "shadowMin"
		}},
		{"shadow no", block("shadow no"), func(c *Config) bool { return !c.Directories[0].Shadow }},
		{"nested depth", block("list groupmembers maps to \"uniqueMember\"\nnested depth 10"), func(c *Config) bool {
			return c.Directories[0].NestedDepth == 10 && c.Directories[0].MembersAreDNs()
		}},
		{"two directories", block("") + "directory \"b\" {\nbasedn \"o=b\"\n}\n", func(c *Config) bool {
			return len(c.Directories) == 2 && c.Directories[1].Line == 5 && c.Directories[1].BaseDN == "o=b"
		}},
		{"one-line block (ypldap allows one directive)", "directory \"h\" { basedn \"o=x\" }\n", func(c *Config) bool { return c.Directories[0].BaseDN == "o=x" }},
		{"no trailing newline", "directory \"h\" {\nbasedn \"o=x\"\n}", func(c *Config) bool { return c.Directories[0].BaseDN == "o=x" }},
		{"macro as keyword", "mode = \"ldaps\"\nhost = \"h.example.com\"\ndirectory $host $mode {\nbasedn \"o=x\"\n}\n", func(c *Config) bool {
			return c.Directories[0].TLS == TLSLDAPS && c.Directories[0].Servers[0].Host == "h.example.com"
		}},
		{"macro redefined", "b = \"o=1\"\nb = \"o=2\"\ndirectory \"h\" {\nbasedn $b\n}\n", func(c *Config) bool { return c.Directories[0].BaseDN == "o=2" }},
		{"macro value from macro", "a = \"o=x\"\nb = $a\ndirectory \"h\" {\nbasedn $b\n}\n", func(c *Config) bool { return c.Directories[0].BaseDN == "o=x" }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := mustParse(t, c.text)
			if !c.check(cfg) {
				t.Errorf("wrong result for\n%s\n--- got:\n%s", c.text, cfg)
			}
		})
	}
}

// `a = "$a"` cannot recurse: the value is literal text, never re-expanded.
func TestMacroRecursion(t *testing.T) {
	c := mustParse(t, "a = \"$a\"\nb = $a\ndirectory \"h\" ldaps {\nbasedn \"o=x\"\nbindext $b\ncertfile \"/c\"\nkeyfile \"/k\"\n}\n")
	if got := c.Directories[0].BindExtID; got != "$a" {
		t.Errorf("BindExtID %q, want literal $a", got)
	}
}

// String() prints the effective configuration in the file's syntax: it
// parses back to the same configuration, with the password REDACTED.
func TestStringRoundTrip(t *testing.T) {
	text := "interval 120\njitter 7\nuidrange 2000 3000\ncollisions fail\n" +
		"directory \"h.example.com\" port 1636 ldaps {\nserver \"b.example.com\" port 2636\nbasedn \"o=x\"\nbinddn \"cn=a,o=x\"\nbindcred \"hunter2\"\n" +
		"shadow yes\nnested depth 2\nlist groupmembers maps to \"member\"\nfixed attribute gecos \"say \\\"hi\\\"\"\nfixed attribute shell \"/a\\\\ b\\\\\\\"c\"\n}\n"
	c := mustParse(t, text)
	s := c.String()
	if strings.Contains(s, "hunter2") || !strings.Contains(s, "REDACTED") {
		t.Fatalf("password not redacted:\n%s", s)
	}
	if ds := c.Directories[0].String(); strings.Contains(ds, "hunter2") {
		t.Fatalf("Directory.String leaks the password")
	}
	back := mustParse(t, s)
	back.File, back.Notices, c.Notices = c.File, nil, nil
	back.Directories[0].BindCred = "hunter2"
	back.Directories[0].Line = c.Directories[0].Line
	back.Directories[0].credFileLine = c.Directories[0].credFileLine
	if !reflect.DeepEqual(back, c) {
		t.Errorf("round trip differs\n got %s\nwant %s", back, c)
	}
}

// TestBindIgnored: a YP `bind …` statement loads and is listed once among
// the ignored YP-only statements, whatever words follow it; an empty one is
// an error naming the line.
func TestBindIgnored(t *testing.T) {
	c := mustParse(t, "bind \"127.0.0.1\" port 700\nbind all\n"+block(""))
	if len(c.Notices) == 0 || !strings.Contains(c.Notices[0], "bind (lines 1, 2)") {
		t.Fatalf("notices %q lack bind (lines 1, 2)", c.Notices)
	}
	e := parseErr(t, "bind\n"+block(""))
	if e.Line != 1 || e.Directive != "bind" {
		t.Fatalf("empty bind: got %v", e)
	}
}
