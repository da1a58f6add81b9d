package e2e

import (
	"context"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/ldapidm/ldapidm/internal/fixture"
	"github.com/ldapidm/ldapidm/internal/slapdtest"
)

// killProxy forwards LDAP connections to a slapd and kills that slapd (a
// real SIGKILL) once a given number of response bytes has gone through, so
// the server dies in the middle of a paged search by construction rather
// than by timing.
type killProxy struct {
	ln     net.Listener
	target string
	after  int64
	kill   func()

	sent   atomic.Int64
	once   sync.Once
	killed chan struct{} // closed once after has been reached

	// stall, when set, makes the proxy stop forwarding (holding the
	// connections open) once after is reached, until stall is closed.
	stall chan struct{}
}

func startKillProxy(t *testing.T, target string, after int64, kill func()) *killProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &killProxy{ln: ln, target: target, after: after, kill: kill, killed: make(chan struct{})}
	t.Cleanup(func() { ln.Close() })
	go p.serve()
	return p
}

func (p *killProxy) port() int { return p.ln.Addr().(*net.TCPAddr).Port }

func (p *killProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		go p.handle(c)
	}
}

func (p *killProxy) handle(client net.Conn) {
	defer client.Close()
	server, err := net.Dial("tcp", p.target)
	if err != nil {
		return
	}
	defer server.Close()
	go func() { io.Copy(server, client); server.Close() }()
	buf := make([]byte, 4096)
	for {
		n, err := server.Read(buf)
		if n > 0 {
			if _, werr := client.Write(buf[:n]); werr != nil {
				return
			}
			if p.sent.Add(int64(n)) >= p.after {
				p.once.Do(func() { p.kill(); close(p.killed) })
				if p.stall != nil {
					<-p.stall
					return
				}
			}
		}
		if err != nil {
			return
		}
	}
}

// slapd killed in the middle of a pull: the attempt fails, the previous
// generation keeps serving unchanged and no temp file is left; with a
// second server configured, the next pull goes through it.
func TestServerKilledMidPull(t *testing.T) {
	needGetent(t)
	t.Parallel()
	fx := fixture.Generate(fixture.Options{Users: 3000, Groups: 50, MembersPerGroup: 10})
	a := slapdtest.MustStart(t, slapdtest.Options{})
	b := slapdtest.MustStart(t, slapdtest.Options{})
	for _, s := range []*slapdtest.Server{a, b} {
		if err := s.Load(context.Background(), fx.LDIF); err != nil {
			t.Fatal(err)
		}
	}
	e := newEnv(t)
	d := fixtureDir(a, fx)
	e.write(conf{Jitter: -1, MaxShrink: -1, Dirs: []dirConf{d}})
	e.mustRefresh()
	gen := e.generation()
	before, _ := e.getent("passwd")
	beforeGroups, _ := e.getent("group")
	if len(lines(before)) != 3000 {
		t.Fatalf("first pull: %d users", len(lines(before)))
	}

	// ~250 bytes per user: the kill comes a fifth of the way through the
	// users, with small pages so many round trips remain.
	proxy := startKillProxy(t, a.Host+":"+itoa(a.Port), 150_000, func() { a.Kill() })
	d.Port = proxy.port()
	e.write(conf{Jitter: -1, MaxShrink: -1, PageSize: 10, Dirs: []dirConf{d}})
	r := e.refresh("--once")
	select {
	case <-proxy.killed:
	default:
		t.Fatalf("the pull ended before slapd was killed (%d bytes sent):\n%s", proxy.sent.Load(), r)
	}
	if r.Code == 0 {
		t.Fatalf("a pull cut short by a killed slapd succeeded:\n%s", r)
	}
	if g := e.generation(); g != gen {
		t.Errorf("generation %d after the failed pull, want %d", g, gen)
	}
	if after, _ := e.getent("passwd"); after != before {
		t.Error("getent passwd changed after the failed pull")
	}
	if after, _ := e.getent("group"); after != beforeGroups {
		t.Error("getent group changed after the failed pull")
	}
	e.noLeftovers()
	rep, sr := e.statusJSON()
	if sr.Code != 1 || rep.Status.LastError == "" || rep.Status.Generation != gen {
		t.Errorf("status after the failed pull:\n%s", sr)
	}

	// The first server is dead; the second, listed as `server`, answers.
	d.Servers = []string{"\"127.0.0.1\" port " + itoa(b.Port)}
	e.write(conf{Jitter: -1, MaxShrink: -1, PageSize: 100, Dirs: []dirConf{d}})
	e.mustRefresh()
	if g := e.generation(); g != gen+1 {
		t.Errorf("generation %d after the failover pull, want %d", g, gen+1)
	}
	if after, _ := e.getent("passwd"); after != before {
		t.Error("getent passwd differs after pulling the same data from the second server")
	}
	rep, sr = e.statusJSON()
	if sr.Code != 0 || len(rep.Status.Directories) != 1 || rep.Status.Directories[0].Server != b.URL {
		t.Errorf("status does not show the second server %s:\n%s", b.URL, sr)
	}
	e.noLeftovers()
}

// slapd killed in the middle of a pull with a second server configured:
// the same attempt starts the directory again on the second server and
// succeeds (no second run needed), publishes exactly the data, and the
// status file names the second server as the one that answered.
func TestServerKilledMidPullFailsOver(t *testing.T) {
	needGetent(t)
	t.Parallel()
	fx := fixture.Generate(fixture.Options{Users: 1000, Groups: 20, MembersPerGroup: 10})
	a := slapdtest.MustStart(t, slapdtest.Options{})
	b := slapdtest.MustStart(t, slapdtest.Options{})
	for _, s := range []*slapdtest.Server{a, b} {
		if err := s.Load(context.Background(), fx.LDIF); err != nil {
			t.Fatal(err)
		}
	}
	e := newEnv(t)
	// ~250 bytes per user: the kill comes about a fifth of the way through
	// the users, with small pages so many round trips remain.
	proxy := startKillProxy(t, a.Host+":"+itoa(a.Port), 50_000, func() { a.Kill() })
	d := fixtureDir(a, fx)
	d.Port = proxy.port()
	d.Servers = []string{"\"127.0.0.1\" port " + itoa(b.Port)}
	e.write(conf{Jitter: -1, MaxShrink: -1, PageSize: 10, Dirs: []dirConf{d}})
	r := e.refresh("--once")
	select {
	case <-proxy.killed:
	default:
		t.Fatalf("the pull ended before slapd was killed (%d bytes sent):\n%s", proxy.sent.Load(), r)
	}
	if r.Code != 0 {
		t.Fatalf("a pull with a second server failed after the first was killed:\n%s", r)
	}
	if !strings.Contains(r.Stderr, "trying the next server") {
		t.Errorf("the failover is not logged:\n%s", r)
	}
	want := make([]string, len(fx.Snapshot.Users))
	for i, u := range fx.Snapshot.Users {
		want[i] = passwdLine(u)
	}
	out, _ := e.getent("passwd")
	wantEnum(t, "getent passwd after the failover", out, want)
	wantGroups := make([]string, len(fx.Snapshot.Groups))
	for i, g := range fx.Snapshot.Groups {
		wantGroups[i] = groupLine(g)
	}
	out, _ = e.getent("group")
	wantEnum(t, "getent group after the failover", out, wantGroups)
	rep, sr := e.statusJSON()
	if sr.Code != 0 || len(rep.Status.Directories) != 1 || rep.Status.Directories[0].Server != b.URL ||
		rep.Status.Directories[0].Users != 1000 || rep.Status.Generation != 1 {
		t.Errorf("status does not show the second server %s answering:\n%s", b.URL, sr)
	}
	if want := "ldap 127.0.0.1 port " + itoa(b.Port); rep.Status.Source != want {
		t.Errorf("source %q, want %q", rep.Status.Source, want)
	}
	e.noLeftovers()
}
