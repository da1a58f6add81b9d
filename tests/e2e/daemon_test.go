package e2e

import (
	"context"
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/ldapidm/ldapidm/internal/fixture"
	"github.com/ldapidm/ldapidm/internal/slapdtest"
	"github.com/ldapidm/ldapidm/refresher/status"
)

// The daemon: first pull at start; a second refresher on the same cache is
// refused; SIGHUP reloads (a changed fixed attribute shows in the next
// generation); an invalid file on SIGHUP is refused with file:line and the
// running configuration keeps working; SIGTERM exits 0 with no temp file.
func TestDaemon(t *testing.T) {
	needGetent(t)
	t.Parallel()
	fx := fixture.Generate(fixture.Options{Users: 200, Groups: 10, MembersPerGroup: 5})
	srv := slapdtest.MustStart(t, slapdtest.Options{})
	if err := srv.Load(context.Background(), fx.LDIF); err != nil {
		t.Fatal(err)
	}
	e := newEnv(t)
	d := fixtureDir(srv, fx)
	c := conf{Interval: 3600, Jitter: 0, MaxShrink: -1, Dirs: []dirConf{d}}
	e.write(c)
	dm := e.startDaemon()
	waitFor(t, "the first generation", func() bool { return e.generation() == 1 })
	u := fx.Snapshot.Users[7]
	if out, _ := e.getent("passwd", u.Name); strings.TrimSpace(out) != passwdLine(u) {
		t.Fatalf("after the first pull: %q", out)
	}
	st, err := status.Read(status.Path(e.cacheDir))
	if err != nil || st.Failed() || st.PID != dm.cmd.Process.Pid || st.NextAttempt.Before(st.LastAttempt) {
		t.Fatalf("status after the first pull: %+v, %v", st, err)
	}

	// A second refresher, --once or daemon, is refused and names the pid.
	want := fmt.Sprintf("another ldapidm-refresher (pid %d) holds %s/refresher.lock", dm.cmd.Process.Pid, e.cacheDir)
	for _, args := range [][]string{{"--once"}, {}} {
		if r := e.refresh(args...); r.Code != 1 || !strings.Contains(r.Stderr, want) {
			t.Errorf("second refresher %v: want exit 1 with %q:\n%s", args, want, r)
		}
	}

	// SIGHUP with a changed fixed attribute: a new generation with it.
	d.Extra = []string{`fixed attribute shell "/bin/zsh"`}
	e.write(conf{Interval: 3600, Jitter: 0, MaxShrink: -1, Dirs: []dirConf{d}})
	dm.cmd.Process.Signal(syscall.SIGHUP)
	waitFor(t, "the generation after SIGHUP", func() bool { return e.generation() == 2 })
	zsh := u
	zsh.Shell = "/bin/zsh"
	if out, _ := e.getent("passwd", u.Name); strings.TrimSpace(out) != passwdLine(zsh) {
		t.Fatalf("after the reload: %q, want %q", out, passwdLine(zsh))
	}

	// SIGHUP with a broken file: refused with file:line, the running
	// configuration pulls again (generation 3) with the same content.
	writeFile(t, e.confPath, "interval 3600\n\ndirectory \"127.0.0.1\" {\n\tbogus yes\n}\n", 0o600)
	dm.cmd.Process.Signal(syscall.SIGHUP)
	waitFor(t, "the generation after a refused reload", func() bool { return e.generation() == 3 })
	if !strings.Contains(dm.stderr.String(), e.confPath+":4: ") {
		t.Errorf("the refused reload is not logged with %s:4:\n%s", e.confPath, dm.stderr.String())
	}
	if out, _ := e.getent("passwd", u.Name); strings.TrimSpace(out) != passwdLine(zsh) {
		t.Errorf("after a refused reload: %q, want %q", out, passwdLine(zsh))
	}

	dm.cmd.Process.Signal(syscall.SIGTERM)
	<-dm.done
	if dm.err != nil {
		t.Errorf("exit after SIGTERM: %v\n%s", dm.err, dm.stderr.String())
	}
	e.noLeftovers()
	if _, err := os.Stat(e.cacheDir + "/cache.db"); err != nil {
		t.Error(err)
	}
}

// SIGTERM while a pull is stuck on a server that stopped answering: the
// daemon exits 0 at once (the pull is cancelled, not waited for), the
// previous cache is untouched and no temp file is left.
func TestDaemonTermDuringPull(t *testing.T) {
	needGetent(t)
	t.Parallel()
	fx := fixture.Generate(fixture.Options{Users: 2000, Groups: 10, MembersPerGroup: 5})
	srv := slapdtest.MustStart(t, slapdtest.Options{})
	if err := srv.Load(context.Background(), fx.LDIF); err != nil {
		t.Fatal(err)
	}
	e := newEnv(t)
	d := fixtureDir(srv, fx)
	e.write(conf{Jitter: -1, MaxShrink: -1, Dirs: []dirConf{d}})
	e.mustRefresh()
	gen := e.generation()
	before, _ := e.getent("passwd")

	// A proxy that stops forwarding (but keeps the connection open) after
	// 50 KB: the pull hangs mid-search until cancelled.
	stalled := make(chan struct{})
	proxy := startKillProxy(t, srv.Host+":"+itoa(srv.Port), 50_000, func() {})
	proxy.stall = stalled
	d.Port = proxy.port()
	e.write(conf{Interval: 3600, Jitter: 0, MaxShrink: -1, PageSize: 10, Dirs: []dirConf{d}})
	dm := e.startDaemon()
	waitFor(t, "the pull to stall", func() bool {
		select {
		case <-proxy.killed:
			return true
		default:
			return false
		}
	})
	dm.cmd.Process.Signal(syscall.SIGTERM)
	<-dm.done
	close(stalled)
	if dm.err != nil {
		t.Errorf("exit after SIGTERM during a pull: %v\n%s", dm.err, dm.stderr.String())
	}
	if g := e.generation(); g != gen {
		t.Errorf("generation %d, want %d", g, gen)
	}
	if after, _ := e.getent("passwd"); after != before {
		t.Error("getent output changed")
	}
	// The interrupted attempt is not a failure: status still says healthy.
	if rep, sr := e.statusJSON(); sr.Code != 0 || rep.Status.Failed() {
		t.Errorf("status after an interrupted attempt:\n%s", sr)
	}
	e.noLeftovers()
}
