package slapdtest

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/go-ldap/ldap/v3"
)

func people(n int, suffix string) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "dn: uid=u%d,ou=people,%s\nobjectClass: account\nobjectClass: posixAccount\nuid: u%d\ncn: u%d\nuidNumber: %d\ngidNumber: 100\nhomeDirectory: /home/u%d\n\n",
			i, suffix, i, i, 10000+i, i)
	}
	return b.String()
}

func count(t *testing.T, c *ldap.Conn, s *Server, paged uint32) (int, error) {
	t.Helper()
	req := ldap.NewSearchRequest("ou=people,"+s.Suffix, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases,
		0, 0, false, "(objectClass=posixAccount)", []string{"uid"}, nil)
	if paged == 0 {
		r, err := c.Search(req)
		if r == nil {
			return 0, err
		}
		return len(r.Entries), err
	}
	r, err := c.SearchWithPaging(req, paged)
	if r == nil {
		return 0, err
	}
	return len(r.Entries), err
}

// The size limit caps plain searches for the reader and lets paged ones
// through, which is what the paging tests elsewhere rely on.
func TestSizeLimitAndPaging(t *testing.T) {
	s := MustStart(t, Options{SizeLimit: 10})
	s.MustAdd(t, people(25, s.Suffix))
	c, err := ldap.DialURL(s.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Bind(s.ReaderDN, s.ReaderPW); err != nil {
		t.Fatal(err)
	}
	n, err := count(t, c, s, 0)
	if !ldap.IsErrorWithCode(err, ldap.LDAPResultSizeLimitExceeded) || n > 10 {
		t.Fatalf("plain search: %d entries, err %v; want sizeLimitExceeded after <= 10", n, err)
	}
	for _, page := range []uint32{1, 7, 10} {
		if n, err := count(t, c, s, page); err != nil || n != 25 {
			t.Fatalf("paged(%d): %d entries, err %v; want 25", page, n, err)
		}
	}
	// Wrong password is refused.
	if err := c.Bind(s.ReaderDN, "nope"); !ldap.IsErrorWithCode(err, ldap.LDAPResultInvalidCredentials) {
		t.Fatalf("bind with wrong password: %v", err)
	}
}

func TestLoadKillRestartTLS(t *testing.T) {
	s := MustStart(t, Options{TLS: true})
	if err := s.Load(context.Background(), people(50, s.Suffix)); err != nil {
		t.Fatal(err)
	}
	url := s.URL
	if err := s.Kill(); err != nil {
		t.Fatal(err)
	}
	if _, err := ldap.DialURL(url); err == nil {
		t.Fatal("dial succeeded after Kill")
	}
	if err := s.Restart(context.Background()); err != nil {
		t.Fatal(err)
	}
	if s.URL != url {
		t.Fatalf("URL changed across restart: %s -> %s", url, s.URL)
	}
	pem, err := os.ReadFile(s.CAFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	c, err := ldap.DialURL(s.LDAPSURL, ldap.DialWithTLSConfig(&tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	n, err := count(t, c, s, 0)
	if err != nil || n != 50 {
		t.Fatalf("after Load+Restart over ldaps: %d entries, err %v", n, err)
	}
	wrong, _ := os.ReadFile(s.WrongCAFile)
	wp := x509.NewCertPool()
	wp.AppendCertsFromPEM(wrong)
	if c2, err := ldap.DialURL(s.LDAPSURL, ldap.DialWithTLSConfig(&tls.Config{RootCAs: wp, ServerName: "127.0.0.1"})); err == nil {
		c2.Close()
		t.Fatal("ldaps with the wrong CA succeeded")
	}
}

func TestTwoInstances(t *testing.T) {
	a := MustStart(t, Options{})
	b := MustStart(t, Options{})
	if a.Port == b.Port || a.Dir == b.Dir {
		t.Fatalf("instances share port or dir: %+v %+v", a, b)
	}
}
