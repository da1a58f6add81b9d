package config

import (
	"strings"
	"testing"
)

// Every error names file, line and directive exactly; the message part is
// matched on a phrase that tells the operator what is wrong.
func TestParseErrors(t *testing.T) {
	cases := []struct {
		name, text string
		prefix     string // exact "FILE:LINE: DIRECTIVE: " (or "FILE:LINE: ")
		msg        string
	}{
		// structure
		{"no directory", "interval 60\n", "t.conf: directory: ", "no directory block"},
		{"empty file", "", "t.conf: directory: ", "no directory block"},
		{"unknown directive", "interval 60\nfrobnicate 3\n", "t.conf:2: frobnicate: ", "unknown directive"},
		{"quoted keyword is not a directive", "\"interval\" 60\n", "t.conf:1: interval: ", "unknown directive"},
		{"unknown directive in block", block("frob \"x\""), "t.conf:3: frob: ", "unknown directive in directory block"},
		{"top-level directive in block", block("interval 5"), "t.conf:3: interval: ", "not allowed inside a directory block"},
		{"unterminated block", "directory \"h\" {\nbasedn \"o=x\"\n", "t.conf:1: directory: ", "'}' missing"},
		{"brace on next line", "directory \"h\"\n{\nbasedn \"o=x\"\n}\n", "t.conf:1: directory: ", "expected '{' on the same line"},
		{"nested braces", "directory \"h\" {\n{\n", "t.conf:2: directory: ", "do not nest"},
		{"stray close brace", "}\n", "t.conf:1: ", "without an open directory block"},
		{"trailing junk", "interval 60 70\n" + block(""), "t.conf:1: interval: ", "expected end of line"},
		{"junk after block", "directory \"h\" { basedn \"o=x\" } x\n", "t.conf:1: directory: ", "expected end of line"},
		{"two directives on one line in block", block("groupdn \"o=y\" binddn \"cn=z\""), "t.conf:3: groupdn: ", "unexpected 'binddn': expected end of line"},
		{"missing argument", "interval\n" + block(""), "t.conf:1: interval: ", "missing seconds"},
		{"missing argument at EOF", "cachedir", "t.conf:1: cachedir: ", "missing absolute path"},
		// numbers
		{"not a number", "interval soon\n" + block(""), "t.conf:1: interval: ", `seconds "soon" is not a decimal number`},
		{"hex is not a number", "pagesize 0x10\n" + block(""), "t.conf:1: pagesize: ", "not a decimal number"},
		{"negative interval", "interval -5\n" + block(""), "t.conf:1: interval: ", "out of range (1 to 604800)"},
		{"zero interval", "interval 0\n" + block(""), "t.conf:1: interval: ", "out of range"},
		{"huge number", "interval 99999999999999999999999999\n" + block(""), "t.conf:1: interval: ", "out of range"},
		{"pagesize 0", "pagesize 0\n" + block(""), "t.conf:1: pagesize: ", "out of range (1 to 1000)"},
		{"pagesize 1001", "pagesize 1001\n" + block(""), "t.conf:1: pagesize: ", "out of range (1 to 1000)"},
		{"maxshrink 101", "maxshrink 101\n" + block(""), "t.conf:1: maxshrink: ", "out of range (0 to 100)"},
		{"connect timeout 0", "connect timeout 0\n" + block(""), "t.conf:1: connect timeout: ", "out of range (1 to 3600)"},
		{"search without timeout", "search 5\n" + block(""), "t.conf:1: search: ", "expected 'timeout'"},
		{"jitter not below interval", "interval 60\njitter 60\n" + block(""), "t.conf:2: jitter: ", "must be shorter than the interval"},
		{"nested depth 11", block("list groupmembers maps to \"member\"\nnested depth 11"), "t.conf:4: nested depth: ", "out of range (0 to 10)"},
		// ranges
		{"uidrange from 0", "uidrange 0 100\n" + block(""), "t.conf:1: uidrange: ", "minimum 0 is root's id"},
		{"gidrange to 0", "gidrange 0 0\n" + block(""), "t.conf:1: gidrange: ", "root's id"},
		{"uidrange inverted", "uidrange 2000 1000\n" + block(""), "t.conf:1: uidrange: ", "minimum 2000 is above maximum 1000"},
		{"uidrange negative", "uidrange -1 1000\n" + block(""), "t.conf:1: uidrange: ", "out of range (1 to 4294967294)"},
		{"uidrange to -1 as uid_t", "uidrange 1 4294967295\n" + block(""), "t.conf:1: uidrange: ", "out of range"},
		{"uidrange one number", "uidrange 1000\n" + block(""), "t.conf:1: uidrange: ", "missing maximum"},
		// choices and paths
		{"collisions bad", "collisions maybe\n" + block(""), "t.conf:1: collisions: ", "expected skip or fail"},
		{"shadow bad", block("shadow true"), "t.conf:3: shadow: ", "expected yes or no"},
		{"relative cachedir", "cachedir \"var/lib\"\n" + block(""), "t.conf:1: cachedir: ", "not an absolute path"},
		{"localfiles one", "localfiles \"/etc/passwd\"\n" + block(""), "t.conf:1: localfiles: ", "missing absolute path"},
		{"relative bindcredfile", block("binddn \"cn=a\"\nbindcredfile \"secret\""), "t.conf:4: bindcredfile: ", "not an absolute path"},
		// ports and hosts
		{"port 0", "directory \"h\" port 0 {\nbasedn \"o=x\"\n}\n", "t.conf:1: directory: ", "port 0 is out of range (1 to 65535)"},
		{"port 65536", "directory \"h\" port 65536 {\nbasedn \"o=x\"\n}\n", "t.conf:1: directory: ", "port 65536 is out of range"},
		{"port negative", "directory \"h\" port -389 {\nbasedn \"o=x\"\n}\n", "t.conf:1: directory: ", "out of range"},
		{"port unknown service", "directory \"h\" port nosuchservice {\nbasedn \"o=x\"\n}\n", "t.conf:1: directory: ", `unknown port or service name "nosuchservice"`},
		{"port empty", "directory \"h\" port \"\" {\nbasedn \"o=x\"\n}\n", "t.conf:1: directory: ", "empty port"},
		{"server port empty", block("server \"b\" port ''"), "t.conf:3: server: ", "empty port"},
		{"port twice", "directory \"h\" port 1 port 2 {\nbasedn \"o=x\"\n}\n", "t.conf:1: port: ", "given twice"},
		{"server port 70000", block("server \"b\" port 70000"), "t.conf:3: server: ", "out of range"},
		{"bad host", "directory \"ldap://h\" {\nbasedn \"o=x\"\n}\n", "t.conf:1: directory: ", "not a host name"},
		{"empty host", "directory \"\" {\nbasedn \"o=x\"\n}\n", "t.conf:1: directory: ", "not a host name"},
		{"bad server host", block("server \"a b\""), "t.conf:3: server: ", "not a host name"},
		{"tls and ldaps", "directory \"h\" tls ldaps {\nbasedn \"o=x\"\n}\n", "t.conf:1: directory: ", "tls and ldaps are exclusive"},
		{"something else before brace", "directory \"h\" secure {\n", "t.conf:1: directory: ", "expected port, tls, ldaps or '{'"},
		// directory contents
		{"missing basedn", "directory \"h\" {\ngroupdn \"o=g\"\n}\n", "t.conf:1: directory: ", "basedn is missing"},
		{"empty basedn", "directory \"h\" {\nbasedn \"\"\n}\n", "t.conf:2: basedn: ", "empty distinguished name"},
		{"bad DN", block("binddn \"not a dn\"\nbindcred \"x\""), "t.conf:3: binddn: ", "not a valid DN"},
		{"basedn twice", block("basedn \"o=y\""), "t.conf:3: basedn: ", "given twice (first at line 2)"},
		{"bad filter", block("passwd filter \"(objectClass=posixAccount\""), "t.conf:3: passwd filter: ", "not a valid LDAP filter"},
		{"filter without word", block("group \"(cn=x)\""), "t.conf:3: group: ", "expected 'filter'"},
		{"group filter twice", block("group filter \"(cn=a)\"\ngroup filter \"(cn=b)\""), "t.conf:4: group filter: ", "given twice (first at line 3)"},
		{"bindcred and bindcredfile", block("binddn \"cn=a\"\nbindcred \"x\"\nbindcredfile \"/x\""), "t.conf:5: bindcredfile: ", "exclusive"},
		{"bindcred without binddn", block("bindcred \"x\""), "t.conf:3: bindcred: ", "without binddn"},
		{"binddn without password", block("binddn \"cn=a\""), "t.conf:3: binddn: ", "without bindcred or bindcredfile"},
		{"empty bindcred", block("binddn \"cn=a\"\nbindcred \"\""), "t.conf:4: bindcred: ", "empty password"},
		{"bindext without cert", "directory \"h\" tls {\nbasedn \"o=x\"\nbindext\n}\n", "t.conf:3: bindext: ", "needs certfile and keyfile"},
		{"bindext without key", "directory \"h\" tls {\nbasedn \"o=x\"\nbindext\ncertfile \"/c\"\n}\n", "t.conf:3: bindext: ", "needs certfile and keyfile"},
		{"bindext without tls", block("bindext\ncertfile \"/c\"\nkeyfile \"/k\""), "t.conf:3: bindext: ", "needs tls or ldaps"},
		{"bindext with binddn", "directory \"h\" tls {\nbasedn \"o=x\"\nbindext\nbinddn \"cn=a\"\nbindcred \"p\"\ncertfile \"/c\"\nkeyfile \"/k\"\n}\n", "t.conf:3: bindext: ", "exclusive"},
		{"certfile without keyfile", "directory \"h\" tls {\nbasedn \"o=x\"\ncertfile \"/c\"\n}\n", "t.conf:3: certfile: ", "go together"},
		{"cafile without tls", block("cafile \"/ca\""), "t.conf:3: cafile: ", "no effect without tls or ldaps"},
		// mappings
		{"unknown field", block("attribute nick maps to \"cn\""), "t.conf:3: attribute: ", `unknown field "nick"`},
		{"maps without to", block("attribute gecos maps \"cn\""), "t.conf:3: attribute gecos: ", "expected 'to'"},
		{"bad attribute name", block("attribute gecos maps to \"c n\""), "t.conf:3: attribute gecos: ", "not an LDAP attribute name"},
		{"field mapped twice", block("attribute gecos maps to \"cn\"\nattribute gecos maps to \"gecos\""), "t.conf:4: attribute gecos: ", "already mapped at line 3"},
		{"attribute then fixed", block("attribute shell maps to \"loginShell\"\nfixed attribute shell \"/bin/sh\""), "t.conf:4: fixed attribute shell: ", "already mapped at line 3"},
		{"fixed groupmembers", block("fixed attribute groupmembers \"a,b\""), "t.conf:3: fixed attribute groupmembers: ", "cannot be fixed"},
		{"fixed uid", block("fixed attribute uid \"1000\""), "t.conf:3: fixed attribute uid: ", "same uid"},
		{"fixed name", block("fixed attribute name \"bob\""), "t.conf:3: fixed attribute name: ", "same name"},
		{"fixed gid not a number", block("fixed attribute gid \"users\""), "t.conf:3: fixed attribute gid: ", "not a decimal group id"},
		{"fixed gid outside range", block("fixed attribute gid \"100\""), "t.conf:3: fixed attribute gid: ", "outside gidrange 1000-2147483647"},
		{"fixed gid 0", "gidrange 1 9\n" + block("fixed attribute gid \"0\""), "t.conf:4: fixed attribute gid: ", "outside gidrange"},
		{"fixed colon", block("fixed attribute gecos \"a:b\""), "t.conf:3: fixed attribute gecos: ", "corrupt a passwd/group line"},
		{"fixed relative shell", block("fixed attribute shell \"bash\""), "t.conf:3: fixed attribute shell: ", "not an absolute path"},
		{"fixed shadow not a number", block("fixed attribute shadowmax \"never\""), "t.conf:3: fixed attribute shadowmax: ", "not a number of days"},
		{"fixed without attribute", block("fixed gecos \"x\""), "t.conf:3: fixed: ", "expected 'attribute'"},
		{"attribute groupmembers", block("attribute groupmembers maps to \"memberUid\""), "t.conf:3: attribute groupmembers: ", "write `list groupmembers"},
		{"list on a single field", block("list gecos maps to \"cn\""), "t.conf:3: list gecos: ", "only groupmembers can be a list"},
		{"nested with memberUid", block("nested depth 2"), "t.conf:3: nested depth: ", "members given as DNs"},
		// macros
		{"undefined macro", "interval $every\n", "t.conf:1: $every: ", "is not defined"},
		{"macro used before definition", "directory \"h\" {\nbasedn $b\n}\nb = \"o=x\"\n", "t.conf:2: $b: ", "is not defined"},
		{"reserved macro name", "domain = \"x\"\n", "t.conf:1: domain: ", "reserved word"},
		{"macro in block", block("x = \"y\""), "t.conf:3: x: ", "outside directory blocks"},
		{"macro name with dash", "a-b = \"x\"\n", "t.conf:1: a-b: ", "only letters, digits"},
		{"macro without value", "a =\n", "t.conf:1: a: ", "missing macro value"},
		// ypldap statements
		{"unsupported map", "provide map \"hosts.byname\"\n" + block(""), "t.conf:1: provide map: ", "unsupported map"},
		{"provide without map", "provide \"passwd.byname\"\n" + block(""), "t.conf:1: provide: ", "expected 'map'"},
		{"interval twice", "interval 60\ninterval 70\n" + block(""), "t.conf:2: interval: ", "given twice (first at line 1)"},
		// lexical, with the line
		{"unterminated string", "interval 60\nbasedn \"abc\n" + block(""), "t.conf:2: ", "unterminated quoted string"},
		{"unterminated at EOF", block("") + "cachedir \"/x", "t.conf:5: ", "unterminated quoted string"},
		{"NUL byte", "interval 60\n\x00\n", "t.conf:2: ", "unexpected character 0x00"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := parseErr(t, c.text)
			got := e.Error()
			if !strings.HasPrefix(got, c.prefix) || !strings.Contains(e.Msg, c.msg) {
				t.Errorf("got  %q\nwant %q…%q", got, c.prefix, c.msg)
			}
			if e.File != "t.conf" {
				t.Errorf("File %q", e.File)
			}
		})
	}
}

func TestErrorFormat(t *testing.T) {
	cases := []struct {
		e    Error
		want string
	}{
		{Error{"f", 3, "basedn", "m"}, "f:3: basedn: m"},
		{Error{"f", 0, "bindcred", "m"}, "f: bindcred: m"},
		{Error{"f", 7, "", "m"}, "f:7: m"},
		{Error{"", 0, "bindcredfile", "m"}, "bindcredfile: m"},
	}
	for _, c := range cases {
		if got := c.e.Error(); got != c.want {
			t.Errorf("%+v: %q, want %q", c.e, got, c.want)
		}
	}
}
