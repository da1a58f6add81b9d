package main

import (
	"bufio"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-ldap/ldap/v3"

	"github.com/ldapidm/ldapidm/internal/fixture"
	"github.com/ldapidm/ldapidm/internal/slapdtest"
)

func TestShellQuote(t *testing.T) {
	for in, want := range map[string]string{"": "''", "a b": "'a b'", "it's": `'it'\''s'`, "$(x)": "'$(x)'"} {
		if got := shellQuote(in); got != want {
			t.Errorf("shellQuote(%q) = %s, want %s", in, got, want)
		}
	}
}

// run prints the variables a script needs, serves the fixture and the
// extra LDIF, and stops when its context ends.
func TestRun(t *testing.T) {
	if err := slapdtest.Available(); err != nil {
		if slapdtest.RequireAll() {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	extra := filepath.Join(t.TempDir(), "extra.ldif")
	os.WriteFile(extra, []byte(fixture.Entry("cn=extra,ou=groups,dc=example,dc=org",
		fixture.A("objectClass", "posixGroup", "cn", "extra", "gidNumber", "4242"))), 0o644)
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, pw, slapdtest.Options{Dir: t.TempDir()}, fixture.Options{Users: 12, Friendly: true}, false, []string{extra})
		pw.Close()
	}()
	vars := map[string]string{}
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		k, v, _ := strings.Cut(sc.Text(), "=")
		vars[k] = strings.Trim(v, "'")
		if k == "READY" {
			break
		}
	}
	if vars["READY"] != "1" {
		cancel()
		t.Fatalf("no READY line; got %v (run: %v)", vars, <-done)
	}
	l, err := ldap.DialURL(vars["LDAP_URL"])
	if err != nil {
		t.Fatal(err)
	}
	res, err := l.Search(ldap.NewSearchRequest(vars["LDAP_SUFFIX"], ldap.ScopeWholeSubtree, ldap.NeverDerefAliases,
		0, 0, false, "(|(uid=alice)(cn=extra))", []string{"1.1"}, nil))
	l.Close()
	if err != nil || len(res.Entries) != 2 {
		t.Fatalf("search: %v, %d entries", err, len(res.Entries))
	}
	cancel()
	go io.Copy(io.Discard, pr)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if _, err := ldap.DialURL(vars["LDAP_URL"]); err == nil {
		t.Fatal("slapd still answers after the context ended")
	}
}
