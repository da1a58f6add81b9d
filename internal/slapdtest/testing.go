package slapdtest

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"
)

// RequireAll reports whether LDAPIDM_REQUIRE_ALL=1 is set (./build.sh test):
// then a missing slapd fails the test instead of skipping it.
func RequireAll() bool { return os.Getenv("LDAPIDM_REQUIRE_ALL") == "1" }

// MustStart starts a server for tb and stops it at cleanup. Without slapd it
// skips (or fails under LDAPIDM_REQUIRE_ALL=1); any other error fails.
func MustStart(tb testing.TB, o Options) *Server {
	tb.Helper()
	if err := Available(); err != nil {
		if RequireAll() {
			tb.Fatalf("%v (LDAPIDM_REQUIRE_ALL=1)", err)
		}
		tb.Skip(err)
	}
	if o.Dir == "" {
		o.Dir = tb.TempDir()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	s, err := Start(ctx, o)
	if err != nil {
		if errors.Is(err, ErrNoSlapd) && !RequireAll() {
			tb.Skip(err)
		}
		tb.Fatalf("slapdtest.Start: %v", err)
	}
	tb.Cleanup(func() {
		if tb.Failed() {
			tb.Logf("slapd log tail (%s):\n%s", s.LogPath(), s.LogTail(40))
		}
		s.Stop()
	})
	return s
}

// MustAdd adds ldif to s or fails tb.
func (s *Server) MustAdd(tb testing.TB, ldif string) {
	tb.Helper()
	if err := s.AddLDIF(context.Background(), ldif); err != nil {
		tb.Fatal(err)
	}
}

// MustLoad bulk-loads ldif into s or fails tb.
func (s *Server) MustLoad(tb testing.TB, ldif string) {
	tb.Helper()
	if err := s.Load(context.Background(), ldif); err != nil {
		tb.Fatal(err)
	}
}
