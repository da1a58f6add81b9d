package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/ldapidm/ldapidm/internal/fixture"
	"github.com/ldapidm/ldapidm/internal/slapdtest"
	"github.com/ldapidm/ldapidm/refresher/status"
)

// The daemon keeps retrying a directory that is down (backoff capped at the
// interval, here 1 s), counts the failures in the status file with the
// next attempt scheduled, and publishes as soon as the server is back.
func TestDaemonRetriesUntilServerReturns(t *testing.T) {
	needGetent(t)
	t.Parallel()
	fx := fixture.Generate(fixture.Options{Users: 50, Groups: 5, MembersPerGroup: 5})
	srv := slapdtest.MustStart(t, slapdtest.Options{})
	if err := srv.Load(context.Background(), fx.LDIF); err != nil {
		t.Fatal(err)
	}
	if err := srv.Kill(); err != nil {
		t.Fatal(err)
	}
	e := newEnv(t)
	e.write(conf{Interval: 1, Jitter: 0, MaxShrink: -1, Dirs: []dirConf{fixtureDir(srv, fx)}})
	dm := e.startDaemon()

	var st *status.Status
	waitFor(t, "two failed attempts", func() bool {
		s, err := status.Read(status.Path(e.cacheDir))
		// RefreshOnce writes the report, then the loop rewrites it with
		// the next attempt: wait for the second write.
		if err == nil && s.ConsecutiveFailures >= 2 && !s.NextAttempt.IsZero() {
			st = s
		}
		return st != nil
	})
	if !st.Failed() || e.meta() != nil {
		t.Fatalf("status with the server down: %+v", st)
	}
	// Backoff starts at 30 s but is capped at the 1 s interval: the retry
	// is scheduled the attempt's duration plus 1 s after it started, far
	// from the 30 s an uncapped backoff would give.
	if gap := st.NextAttempt.Sub(st.LastAttempt); gap < time.Second || gap > 15*time.Second {
		t.Errorf("next attempt %v after the last, want the 1 s interval (plus the attempt)", gap)
	}

	if err := srv.Restart(context.Background()); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "a publication once the server is back", func() bool { return e.generation() >= 1 })
	waitFor(t, "the status to show the success", func() bool {
		s, err := status.Read(status.Path(e.cacheDir))
		return err == nil && !s.Failed() && s.ConsecutiveFailures == 0 && !s.LastSuccess.IsZero()
	})
	if out, _ := e.getent("passwd"); len(lines(out)) != 50 {
		t.Errorf("getent passwd after recovery: %d users", len(lines(out)))
	}
	select {
	case <-dm.done:
		t.Fatalf("the daemon exited while the server was down: %v\n%s", dm.err, dm.stderr.String())
	default:
	}
}
