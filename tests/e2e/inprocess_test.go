package e2e

import (
	"context"
	"os"
	"syscall"
	"testing"

	"github.com/ldapidm/ldapidm/internal/fixture"
	"github.com/ldapidm/ldapidm/internal/slapdtest"
	"github.com/ldapidm/ldapidm/refresher/daemon"
)

// daemon.Main driven in-process, as cmd/ldapidm-refresher drives it: first
// pull, a hangup through the Hangup channel pulls again, cancelling the
// context returns nil, Close releases the lock for the next refresher.
func TestMainInProcess(t *testing.T) {
	t.Parallel()
	fx := fixture.Generate(fixture.Options{Users: 30, Groups: 3, MembersPerGroup: 3})
	srv := slapdtest.MustStart(t, slapdtest.Options{})
	srv.MustAdd(t, fx.LDIF)
	e := newEnv(t)
	e.write(conf{Interval: 3600, Jitter: 0, MaxShrink: -1, Dirs: []dirConf{fixtureDir(srv, fx)}})

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var logs syncBuffer
	m := daemon.NewMain()
	m.Stdout, m.Stderr = &logs, &logs
	if err := m.ParseFlags(ctx, []string{"-f", e.confPath}); err != nil {
		t.Fatal(err)
	}
	hup := make(chan os.Signal, 1)
	m.Hangup = hup
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	waitFor(t, "the first generation", func() bool { return e.generation() == 1 })
	hup <- syscall.SIGHUP
	waitFor(t, "the generation after a hangup", func() bool { return e.generation() == 2 })
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run after cancel: %v\n%s", err, logs.String())
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	e.checkNoSecret("in-process logs", logs.String())
	e.noLeftovers()
	// The lock is free again: a --once succeeds.
	e.mustRefresh()
	if g := e.generation(); g != 3 {
		t.Errorf("generation %d after --once, want 3", g)
	}
}
