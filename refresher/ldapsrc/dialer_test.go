package ldapsrc

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/ldapidm/ldapidm/internal/slapdtest"
	"github.com/ldapidm/ldapidm/refresher/config"
)

// A Dialer resumes where it stopped: after the caller gives up on one
// connection, Next goes on with the next address of the same host, then
// the next server, never back to one already returned; when none is left
// the ConnectError lists every failure, including those the caller
// recorded with Failed, in order.
func TestDialerResumes(t *testing.T) {
	a := slapdtest.MustStart(t, slapdtest.Options{})
	b := slapdtest.MustStart(t, slapdtest.Options{})
	dead := slapdtest.MustStart(t, slapdtest.Options{})
	dead.Kill()
	d := dirFor(a, config.TLSNone)
	// "two" resolves to two loopback addresses, both served by a (slapd
	// listens on 127.0.0.1 only, so the test lists it twice); then a dead
	// server; then b.
	d.Servers = []config.Server{{Host: "two", Port: a.Port}, {Host: dead.Host, Port: dead.Port}, {Host: b.Host, Port: b.Port}}
	lookup := func(_ context.Context, host string) ([]string, error) {
		if host == "two" {
			return []string{"127.0.0.1", "127.0.0.1"}, nil
		}
		return []string{host}, nil
	}
	dl, err := NewDialer(d, Options{LookupHost: lookup}, quiet)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var got []string
	for i := 0; i < 3; i++ {
		c, err := dl.Next(ctx)
		if err != nil {
			t.Fatalf("Next %d: %v", i+1, err)
		}
		got = append(got, c.Server)
		c.Close()
		dl.Failed(fmt.Errorf("search %d failed", i+1))
	}
	want := []string{d.URL(0), d.URL(0), d.URL(2)}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("servers in order %v, want %v", got, want)
	}
	_, err = dl.Next(ctx)
	var ce *ConnectError
	if !errors.As(err, &ce) || len(ce.Attempts) != 4 {
		t.Fatalf("exhausted: %v, want 4 failures", err)
	}
	var le *Error
	if ce.Attempts[0].Error() != "search 1 failed" || ce.Attempts[1].Error() != "search 2 failed" ||
		!errors.As(ce.Attempts[2], &le) || le.Op != "dial" || ce.Attempts[3].Error() != "search 3 failed" {
		t.Fatalf("failures %v, want search 1, search 2, the dead server's dial, search 3", ce.Attempts)
	}
	if _, err := dl.Next(ctx); !errors.As(err, &ce) {
		t.Fatalf("Next after the end: %v", err)
	}
}
