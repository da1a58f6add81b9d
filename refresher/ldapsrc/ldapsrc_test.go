package ldapsrc

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/go-ldap/ldap/v3"

	"github.com/ldapidm/ldapidm/internal/fixture"
	"github.com/ldapidm/ldapidm/internal/slapdtest"
	"github.com/ldapidm/ldapidm/refresher/config"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

var userAttrs = []string{"uid", "uidNumber", "gidNumber", "cn", "homeDirectory", "loginShell"}

// dirFor points a directory block at srv as its reader identity.
func dirFor(srv *slapdtest.Server, tlsMode config.TLSMode) *config.Directory {
	port := srv.Port
	if tlsMode == config.TLSLDAPS {
		port = srv.LDAPSPort
	}
	return &config.Directory{
		Servers:  []config.Server{{Host: srv.Host, Port: port}},
		TLS:      tlsMode,
		BaseDN:   "ou=people," + srv.Suffix,
		BindDN:   srv.ReaderDN,
		BindCred: srv.ReaderPW,
	}
}

func search(t *testing.T, d *config.Directory, o Options) ([]Entry, *Conn, error) {
	t.Helper()
	ctx := context.Background()
	c, err := Connect(ctx, d, o, quiet)
	if err != nil {
		return nil, nil, err
	}
	defer c.Close()
	es, err := c.Search(ctx, d.BaseDN, "(objectClass=posixAccount)", userAttrs)
	return es, c, err
}

func TestPagingBeyondSizeLimit(t *testing.T) {
	const users, limit = 57, 20
	srv := slapdtest.MustStart(t, slapdtest.Options{SizeLimit: limit})
	fx := fixture.Generate(fixture.Options{Users: users})
	srv.MustAdd(t, fx.LDIF)

	// Precondition: a plain search as the same identity hits the limit, so
	// only paging can see everyone.
	l, err := ldap.DialURL(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if err := l.Bind(srv.ReaderDN, srv.ReaderPW); err != nil {
		t.Fatal(err)
	}
	_, err = l.Search(ldap.NewSearchRequest(fx.PeopleDN, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases,
		0, 0, false, "(objectClass=posixAccount)", []string{"uid"}, nil))
	if !ldap.IsErrorWithCode(err, ldap.LDAPResultSizeLimitExceeded) {
		t.Fatalf("plain search: err %v, want sizeLimitExceeded", err)
	}

	for _, page := range []uint32{1, 7, limit, 1000} {
		var pages int
		o := Options{PageSize: page, OnPage: func(string, int, int) { pages++ }}
		es, _, err := search(t, dirFor(srv, config.TLSNone), o)
		if err != nil {
			t.Fatalf("page size %d: %v", page, err)
		}
		if len(es) != users {
			t.Fatalf("page size %d: %d entries, want %d", page, len(es), users)
		}
		if page == 1 && pages < users {
			t.Fatalf("page size 1: %d pages for %d users", pages, users)
		}
		seen := map[string]bool{}
		for _, e := range es {
			name, _ := first(&e, userAttrs, "uid")
			if seen[name] {
				t.Fatalf("page size %d: %s twice", page, name)
			}
			seen[name] = true
			// One value list per requested attribute: nothing else
			// (objectClass) comes back.
			if len(e.Vals) != len(userAttrs) {
				t.Fatalf("%s: %d value lists for %d attributes", e.DN, len(e.Vals), len(userAttrs))
			}
			if _, ok := first(&e, userAttrs, "uidNumber"); !ok {
				t.Fatalf("%s: no uidnumber in %v", e.DN, e.Vals)
			}
		}
		for _, u := range fx.Snapshot.Users {
			if !seen[u.Name] {
				t.Fatalf("page size %d: %s missing", page, u.Name)
			}
		}
	}
}

func TestLimitMidPagingFails(t *testing.T) {
	srv := slapdtest.MustStart(t, slapdtest.Options{SizeLimit: 10, PagedTotalLimit: 25})
	srv.MustAdd(t, fixture.Generate(fixture.Options{Users: 40}).LDIF)
	es, _, err := search(t, dirFor(srv, config.TLSNone), Options{PageSize: 10})
	var le *Error
	if err == nil || !errors.As(err, &le) || le.Page < 2 || es != nil {
		t.Fatalf("got %d entries, err %v; want a search error after page 1", len(es), err)
	}
	if !ldap.IsErrorWithCode(err, ldap.LDAPResultSizeLimitExceeded) || le.Base == "" {
		t.Fatalf("error %v: want sizeLimitExceeded naming the base", err)
	}
}

func TestServerKilledMidPaging(t *testing.T) {
	srv := slapdtest.MustStart(t, slapdtest.Options{})
	srv.MustAdd(t, fixture.Generate(fixture.Options{Users: 30}).LDIF)
	o := Options{PageSize: 5, SearchTimeout: 5 * time.Second, OnPage: func(_ string, page, _ int) {
		if page == 2 {
			srv.Kill()
		}
	}}
	es, _, err := search(t, dirFor(srv, config.TLSNone), o)
	var le *Error
	if err == nil || !errors.As(err, &le) || le.Page != 3 || es != nil {
		t.Fatalf("got %d entries, err %v; want a failure on page 3", len(es), err)
	}
}

func TestReferralFails(t *testing.T) {
	srv := slapdtest.MustStart(t, slapdtest.Options{})
	srv.MustLoad(t, fixture.Generate(fixture.Options{Users: 3}).LDIF+
		fixture.Entry("ou=elsewhere,ou=people,"+srv.Suffix, fixture.A(
			"objectClass", "referral", "objectClass", "extensibleObject", "ou", "elsewhere",
			"ref", "ldap://192.0.2.1/ou=people,dc=elsewhere")))
	// A referral below the base comes back as a continuation reference.
	d := dirFor(srv, config.TLSNone)
	_, _, err := search(t, d, Options{})
	if !errors.Is(err, ErrReferral) {
		t.Fatalf("err %v, want ErrReferral", err)
	}
	// A base at or under the referral gets result code 10 (referral).
	d.BaseDN = "ou=x,ou=elsewhere,ou=people," + srv.Suffix
	_, _, err = search(t, d, Options{})
	if !ldap.IsErrorWithCode(err, ldap.LDAPResultReferral) {
		t.Fatalf("err %v, want resultCode 10 (referral)", err)
	}
}

func TestTLS(t *testing.T) {
	srv := slapdtest.MustStart(t, slapdtest.Options{TLS: true})
	srv.MustAdd(t, fixture.Generate(fixture.Options{Users: 3}).LDIF)
	for _, tc := range []struct {
		name string
		mode config.TLSMode
		ca   string
		host string
		ok   bool
	}{
		{"ldaps right CA", config.TLSLDAPS, srv.CAFile, "127.0.0.1", true},
		{"ldaps localhost", config.TLSLDAPS, srv.CAFile, "localhost", true},
		{"starttls right CA", config.TLSStartTLS, srv.CAFile, "127.0.0.1", true},
		{"ldaps wrong CA", config.TLSLDAPS, srv.WrongCAFile, "127.0.0.1", false},
		{"starttls wrong CA", config.TLSStartTLS, srv.WrongCAFile, "127.0.0.1", false},
		{"ldaps system pool", config.TLSLDAPS, "", "127.0.0.1", false},
		{"starttls system pool", config.TLSStartTLS, "", "127.0.0.1", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := dirFor(srv, tc.mode)
			d.Servers[0].Host = tc.host
			d.CAFile = tc.ca
			es, c, err := search(t, d, Options{})
			if tc.ok != (err == nil) {
				t.Fatalf("err %v, want ok=%v", err, tc.ok)
			}
			if tc.ok && (len(es) != 3 || c.Server == "") {
				t.Fatalf("%d entries via %q", len(es), c.Server)
			}
			if tc.ok {
				if tconn, ok := c.w.nc.(*tls.Conn); !ok || !tconn.ConnectionState().HandshakeComplete {
					t.Fatal("connection is not TLS")
				}
			}
			var ce *ConnectError
			if !tc.ok && !errors.As(err, &ce) {
				t.Fatalf("err %T %v, want *ConnectError", err, err)
			}
		})
	}
}

// StartTLS against a server without TLS fails; ldapsrc never carries on in
// clear text, and SASL EXTERNAL is refused without TLS.
func TestNoDowngrade(t *testing.T) {
	srv := slapdtest.MustStart(t, slapdtest.Options{})
	srv.MustAdd(t, fixture.Generate(fixture.Options{Users: 1}).LDIF)
	d := dirFor(srv, config.TLSStartTLS)
	if _, _, err := search(t, d, Options{}); err == nil || !strings.Contains(err.Error(), "starttls") {
		t.Fatalf("StartTLS on a clear-only server: err %v", err)
	}
	d = dirFor(srv, config.TLSNone)
	d.BindExt = true
	if _, _, err := search(t, d, Options{}); err == nil {
		t.Fatal("bindext accepted without TLS")
	}
}

func TestBind(t *testing.T) {
	srv := slapdtest.MustStart(t, slapdtest.Options{})
	srv.MustAdd(t, fixture.Generate(fixture.Options{Users: 2}).LDIF)
	credFile := filepath.Join(t.TempDir(), "cred")
	os.WriteFile(credFile, []byte(srv.ReaderPW+"\n"), 0o600)
	for _, tc := range []struct {
		name           string
		dn, cred, file string
		ok             bool
	}{
		{"reader", srv.ReaderDN, srv.ReaderPW, "", true},
		{"credential file", srv.ReaderDN, "", credFile, true},
		{"anonymous", "", "", "", true},
		{"wrong password", srv.ReaderDN, "wrong", "", false},
		{"empty password is not anonymous", srv.ReaderDN, "", "", false},
		{"unknown dn", "cn=nobody," + srv.Suffix, "not-the-password", "", false},
		{"missing credential file", srv.ReaderDN, "", "/nonexistent/cred", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := dirFor(srv, config.TLSNone)
			d.BindDN, d.BindCred, d.BindCredFile = tc.dn, tc.cred, tc.file
			es, _, err := search(t, d, Options{})
			if tc.ok != (err == nil) {
				t.Fatalf("err %v, want ok=%v", err, tc.ok)
			}
			if tc.ok && len(es) != 2 {
				t.Fatalf("%d entries", len(es))
			}
			if err != nil && tc.cred != "" && strings.Contains(err.Error(), tc.cred) {
				t.Fatalf("error leaks the credential: %v", err)
			}
		})
	}
}

func TestFailover(t *testing.T) {
	a := slapdtest.MustStart(t, slapdtest.Options{})
	b := slapdtest.MustStart(t, slapdtest.Options{})
	b.MustAdd(t, fixture.Generate(fixture.Options{Users: 4}).LDIF)
	a.Kill()
	d := dirFor(b, config.TLSNone)
	// First the dead server, then "localhost", which resolves to ::1 (where
	// nothing listens) and 127.0.0.1: every address is tried.
	d.Servers = []config.Server{{Host: a.Host, Port: a.Port}, {Host: "localhost", Port: b.Port}}
	es, c, err := search(t, d, Options{ConnectTimeout: 2 * time.Second})
	if err != nil || len(es) != 4 {
		t.Fatalf("%d entries, err %v", len(es), err)
	}
	if want := d.URL(1); c.Server != want || c.Addr != b.URL[len("ldap://"):] {
		t.Fatalf("answered by %q (%s), want %q", c.Server, c.Addr, want)
	}
	b.Kill()
	_, _, err = search(t, d, Options{ConnectTimeout: 2 * time.Second})
	var ce *ConnectError
	if !errors.As(err, &ce) || len(ce.Attempts) < 2 {
		t.Fatalf("both down: err %v, want a ConnectError listing every attempt", err)
	}
}

// A host whose first address is dead is still reached through its next
// address, and the report names the address that answered; TLS is checked
// against the host name, not the address.
func TestEveryAddressOfAHost(t *testing.T) {
	srv := slapdtest.MustStart(t, slapdtest.Options{TLS: true})
	srv.MustAdd(t, fixture.Generate(fixture.Options{Users: 2}).LDIF)
	d := dirFor(srv, config.TLSLDAPS)
	d.Servers[0].Host = "ldap.test"
	d.CAFile = srv.CAFile
	lookup := func(_ context.Context, host string) ([]string, error) {
		if host != "ldap.test" {
			return nil, errors.New("unknown host")
		}
		// 127.0.0.2 is loopback too, but slapd listens on 127.0.0.1 only.
		return []string{"127.0.0.2", "127.0.0.1"}, nil
	}
	// The certificate is for localhost/127.0.0.1, not ldap.test: refused
	// on every address.
	if _, err := Connect(context.Background(), d, Options{LookupHost: lookup}, quiet); err == nil {
		t.Fatal("certificate accepted for a name it does not carry")
	} else if ce := (*ConnectError)(nil); !errors.As(err, &ce) || len(ce.Attempts) != 2 {
		t.Fatalf("err %v, want two attempts", err)
	}
	d.Servers[0].Host = "localhost"
	lookup2 := func(_ context.Context, host string) ([]string, error) { return []string{"127.0.0.2", "127.0.0.1"}, nil }
	c, err := Connect(context.Background(), d, Options{LookupHost: lookup2}, quiet)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if c.Addr != fmt.Sprintf("127.0.0.1:%d", srv.LDAPSPort) {
		t.Fatalf("answered from %s", c.Addr)
	}
}

func TestCancelledContext(t *testing.T) {
	srv := slapdtest.MustStart(t, slapdtest.Options{})
	srv.MustAdd(t, fixture.Generate(fixture.Options{Users: 20}).LDIF)
	ctx, cancel := context.WithCancel(context.Background())
	c, err := Connect(ctx, dirFor(srv, config.TLSNone), Options{PageSize: 2, OnPage: func(_ string, p, _ int) {
		if p == 3 {
			cancel()
		}
	}}, quiet)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	es, err := c.Search(ctx, "ou=people,"+srv.Suffix, "(objectClass=posixAccount)", []string{"uid"})
	if !errors.Is(err, context.Canceled) || es != nil {
		t.Fatalf("got %d entries, err %v; want context.Canceled", len(es), err)
	}
}

// SASL EXTERNAL with a client certificate binds as the identity slapd maps
// the certificate to (the reader, which may read userPassword); without a
// certificate the EXTERNAL bind fails.
func TestBindExternal(t *testing.T) {
	srv := slapdtest.MustStart(t, slapdtest.Options{TLS: true})
	srv.MustAdd(t, fixture.Generate(fixture.Options{Users: 2, Shadow: true}).LDIF)
	for _, mode := range []config.TLSMode{config.TLSLDAPS, config.TLSStartTLS} {
		d := dirFor(srv, mode)
		d.BindDN, d.BindCred, d.BindExt = "", "", true
		d.CAFile, d.CertFile, d.KeyFile = srv.CAFile, srv.ClientCertFile, srv.ClientKeyFile
		c, err := Connect(context.Background(), d, Options{}, quiet)
		if err != nil {
			t.Fatalf("%v: %v", mode, err)
		}
		who, err := whoAmI(c)
		c.Close()
		if err != nil || !strings.EqualFold(who, "dn:"+srv.ReaderDN) {
			t.Fatalf("%v: bound as %+v, err %v", mode, who, err)
		}
		d.CertFile, d.KeyFile = "", ""
		if _, err := Connect(context.Background(), d, Options{}, quiet); err == nil {
			t.Fatalf("%v: EXTERNAL bind without a certificate succeeded", mode)
		}
	}
}

// A server that accepts the connection but never answers the search: the
// search timeout ends the whole search, whatever page it is on.
func TestSearchTimeout(t *testing.T) {
	srv := slapdtest.MustStart(t, slapdtest.Options{})
	srv.MustAdd(t, fixture.Generate(fixture.Options{Users: 10}).LDIF)
	d := dirFor(srv, config.TLSNone)
	c, err := Connect(context.Background(), d, Options{PageSize: 2, SearchTimeout: 2 * time.Second, OnPage: func(_ string, page, _ int) {
		if page == 2 {
			stopProcess(t, srv.Pid()) // hung, not dead
		}
	}}, quiet)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	t.Cleanup(func() { syscall.Kill(srv.Pid(), syscall.SIGCONT) })
	_, err = c.Search(context.Background(), d.BaseDN, "(objectClass=posixAccount)", []string{"uid"})
	var le *Error
	if !errors.As(err, &le) || le.Page != 3 || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err %v, want a deadline on page 3", err)
	}
}

// stopProcess SIGSTOPs pid and waits until every thread has stopped (the
// signal is asynchronous: a thread on another CPU could otherwise still
// answer the next request).
func stopProcess(t *testing.T, pid int) {
	syscall.Kill(pid, syscall.SIGSTOP)
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/stat", pid))
	for _, task := range tasks {
		for i := 0; i < 1000; i++ {
			data, err := os.ReadFile(task)
			if err != nil {
				break // thread gone
			}
			// state is the field after the ")" closing the command name
			if f := strings.Fields(string(data[strings.LastIndexByte(string(data), ')')+1:])); len(f) > 0 && f[0] == "T" {
				break
			}
			time.Sleep(time.Millisecond)
		}
	}
}
