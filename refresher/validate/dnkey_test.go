package validate

import (
	"strings"
	"testing"

	"github.com/go-ldap/ldap/v3"
)

// slowKey is DNKey without the plain-DN shortcut: the full RFC 4514 parse.
func slowKey(dn string) (string, bool) {
	p, err := ldap.ParseDN(dn)
	if err != nil || len(p.RDNs) == 0 {
		return "", false
	}
	return strings.ToLower(p.String()), true
}

func TestDNKey(t *testing.T) {
	for _, tc := range []struct {
		dn    string
		plain bool
		key   string
	}{
		{"uid=jdoe,ou=people,dc=example,dc=org", true, "uid=jdoe,ou=people,dc=example,dc=org"},
		{"UID=JDoe,OU=People,DC=Example,DC=org", true, "uid=jdoe,ou=people,dc=example,dc=org"},
		{"cn=a.b-c_d@x,dc=y", true, "cn=a.b-c_d@x,dc=y"},
		// Not plain: each goes through the full parse, and must still
		// meet its plain spelling where RFC 4514 says they are equal.
		{"uid=jdoe, ou=people,dc=example,dc=org", false, "uid=jdoe,ou=people,dc=example,dc=org"},
		{"uid = jdoe,ou=people", false, "uid=jdoe,ou=people"},
		{`uid=j\64oe,ou=people`, false, "uid=jdoe,ou=people"},
		{"cn=b+uid=a,ou=x", false, "cn=b+uid=a,ou=x"},
		{"uid=a+cn=b,ou=x", false, "cn=b+uid=a,ou=x"},
		{"cn=Domain Users,ou=groups", false, "cn=domain users,ou=groups"},
		{`cn=a\,b,ou=x`, false, `cn=a\,b,ou=x`},
		{"cn=,ou=x", false, ""},
		{"uid=jdoe,", false, ""},
		{",uid=jdoe", false, ""},
		{"=jdoe", false, ""},
		{"1uid=jdoe", false, ""},
		{"uid=a=b", false, ""},
		{"", false, ""},
		{"uid=jdoe\n,ou=x", false, ""},
	} {
		if got := plainDN(tc.dn); got != tc.plain {
			t.Errorf("plainDN(%q) = %v, want %v", tc.dn, got, tc.plain)
		}
		key, ok := DNKey(tc.dn)
		skey, sok := slowKey(tc.dn)
		if key != skey || ok != sok {
			t.Errorf("DNKey(%q) = %q %v; the full parse gives %q %v", tc.dn, key, ok, skey, sok)
		}
		if tc.key != "" && key != tc.key {
			t.Errorf("DNKey(%q) = %q, want %q", tc.dn, key, tc.key)
		}
	}
}

// FuzzDNKey checks the plain-DN shortcut against the full parse: for any
// input the two must give the same key, or both refuse it.
func FuzzDNKey(f *testing.F) {
	for _, s := range []string{"uid=jdoe,ou=people,dc=example,dc=org", "CN=X,DC=y", "cn=a b,dc=c", `cn=a\2cb`, "a=b+c=d", "uid=#41"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, dn string) {
		key, ok := DNKey(dn)
		if !plainDN(dn) {
			return // DNKey is the full parse itself
		}
		skey, sok := slowKey(dn)
		if key != skey || ok != sok {
			t.Fatalf("DNKey(%q) = %q %v; the full parse gives %q %v", dn, key, ok, skey, sok)
		}
	})
}
