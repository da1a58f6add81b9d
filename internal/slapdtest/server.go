package slapdtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/go-ldap/ldap/v3"
)

// Server is one running private slapd.
type Server struct {
	URL      string // ldap://127.0.0.1:Port
	LDAPSURL string // ldaps://127.0.0.1:LDAPSPort ("" without TLS)
	Host     string // always 127.0.0.1

	Port, LDAPSPort int

	Suffix             string
	AdminDN, AdminPW   string // rootdn: never size-limited
	ReaderDN, ReaderPW string // ordinary identity: size limits apply

	CAFile      string // CA that signed the server certificate ("" without TLS)
	WrongCAFile string // an unrelated CA, for verification failures
	// ClientCertFile/ClientKeyFile: a client certificate (TLS only) that
	// SASL EXTERNAL maps to ReaderDN.
	ClientCertFile, ClientKeyFile string
	Dir                           string

	opts    Options
	tempDir bool
	mu      sync.Mutex
	cmd     *exec.Cmd
	done    chan struct{} // closed when cmd has been reaped
	logFile *os.File
}

// ErrNoSlapd means slapd or slapadd is not installed.
var ErrNoSlapd = errors.New("slapdtest: slapd not installed (apt-get install slapd ldap-utils)")

// Binary paths; Debian installs them here.
var (
	slapdBin   = "/usr/sbin/slapd"
	slapaddBin = "/usr/sbin/slapadd"
)

// Available reports whether slapd and the ldap-utils clients are installed.
func Available() error {
	for _, p := range []string{slapdBin, slapaddBin} {
		if _, err := os.Stat(p); err != nil {
			return ErrNoSlapd
		}
	}
	for _, p := range []string{"ldapadd", "ldapmodify", "ldapdelete"} {
		if _, err := exec.LookPath(p); err != nil {
			return ErrNoSlapd
		}
	}
	return nil
}

// Start creates and starts a private slapd. The database holds the suffix
// entry, ou=people, ou=groups and the reader identity.
func Start(ctx context.Context, o Options) (*Server, error) {
	if err := Available(); err != nil {
		return nil, err
	}
	s := &Server{Host: "127.0.0.1", Suffix: o.Suffix, opts: o, Dir: o.Dir}
	if s.Suffix == "" {
		s.Suffix = DefaultSuffix
	}
	s.AdminDN, s.AdminPW = adminRDN+","+s.Suffix, adminPW
	s.ReaderDN, s.ReaderPW = readerRDN+","+s.Suffix, readerPW
	if s.Dir == "" {
		d, err := os.MkdirTemp("", "slapdtest-")
		if err != nil {
			return nil, err
		}
		s.Dir, s.tempDir = d, true
	}
	if err := s.prepare(ctx); err != nil {
		s.cleanup()
		return nil, err
	}
	// Free ports are found by binding :0 and closing; another process can
	// grab one in between, so a failed start is retried on new ports.
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		if err = s.pickPorts(); err != nil {
			break
		}
		if err = s.start(ctx); err == nil {
			return s, nil
		}
		if ctx.Err() != nil {
			break
		}
	}
	s.cleanup()
	return nil, err
}

func (s *Server) prepare(ctx context.Context) error {
	if err := os.MkdirAll(filepath.Join(s.Dir, "db"), 0o700); err != nil {
		return err
	}
	if s.opts.TLS {
		var err error
		if s.CAFile, s.WrongCAFile, err = writeTLS(s.Dir); err != nil {
			return fmt.Errorf("slapdtest: tls: %w", err)
		}
		s.ClientCertFile, s.ClientKeyFile = filepath.Join(s.Dir, "client.crt"), filepath.Join(s.Dir, "client.key")
	}
	if err := s.writeConfig(s.opts); err != nil {
		return fmt.Errorf("slapdtest: config: %w", err)
	}
	return s.slapadd(ctx, s.baseLDIF())
}

func (s *Server) pickPorts() error {
	n := 1
	if s.opts.TLS {
		n = 2
	}
	ports := make([]int, 0, n)
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	for i := 0; i < n; i++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	s.Port = ports[0]
	s.URL = "ldap://127.0.0.1:" + strconv.Itoa(s.Port)
	if s.opts.TLS {
		s.LDAPSPort = ports[1]
		s.LDAPSURL = "ldaps://127.0.0.1:" + strconv.Itoa(s.LDAPSPort)
	}
	return nil
}

// start runs slapd in the foreground (-d) as our child, so Kill and Stop act
// on exactly this process, and waits until it answers.
func (s *Server) start(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd != nil {
		return errors.New("slapdtest: already running")
	}
	lf, err := os.OpenFile(s.LogPath(), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	urls := s.URL + "/"
	if s.LDAPSURL != "" {
		urls += " " + s.LDAPSURL + "/"
	}
	level := "stats"
	if s.opts.Verbose {
		level = "stats,stats2"
	}
	fmt.Fprintf(lf, "=== slapdtest: starting slapd on %s at %s\n", urls, time.Now().UTC().Format(time.RFC3339))
	cmd := exec.Command(slapdBin, "-h", urls, "-f", filepath.Join(s.Dir, "slapd.conf"), "-d", level)
	cmd.Stdout, cmd.Stderr = lf, lf
	// Kill slapd if the test binary dies without cleaning up.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true}
	if err := cmd.Start(); err != nil {
		lf.Close()
		return fmt.Errorf("slapdtest: start slapd: %w", err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	s.cmd, s.done, s.logFile = cmd, done, lf
	if err := s.waitReady(ctx, done); err != nil {
		s.stopLocked(syscall.SIGKILL)
		return fmt.Errorf("%w\n--- slapd log tail ---\n%s", err, s.LogTail(30))
	}
	return nil
}

// waitReady polls until the server answers a search of the suffix.
func (s *Server) waitReady(ctx context.Context, done <-chan struct{}) error {
	deadline := time.Now().Add(20 * time.Second)
	for {
		select {
		case <-done:
			return errors.New("slapdtest: slapd exited during startup")
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
		if err := s.ping(); err == nil {
			return nil
		} else if time.Now().After(deadline) {
			return fmt.Errorf("slapdtest: slapd did not answer: %w", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (s *Server) ping() error {
	c, err := ldap.DialURL(s.URL, ldap.DialWithDialer(&net.Dialer{Timeout: time.Second}))
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetTimeout(2 * time.Second)
	res, err := c.Search(ldap.NewSearchRequest(s.Suffix, ldap.ScopeBaseObject, ldap.NeverDerefAliases,
		1, 2, false, "(objectClass=*)", []string{"description"}, nil))
	if err != nil {
		return err
	}
	if len(res.Entries) != 1 || res.Entries[0].GetAttributeValue("description") != s.marker() {
		return errors.New("another server answers on this port")
	}
	return nil
}

// Stop terminates slapd (SIGTERM, then SIGKILL after 10 s) and, for a
// temporary Dir, removes it. Stop on a stopped server is a no-op.
func (s *Server) Stop() error {
	s.mu.Lock()
	err := s.stopLocked(syscall.SIGTERM)
	s.mu.Unlock()
	s.cleanup()
	return err
}

// Kill sends SIGKILL, as a crash would, and waits for the process to go.
// The database directory stays; Restart brings the server back.
func (s *Server) Kill() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stopLocked(syscall.SIGKILL)
}

// Restart stops the server if it runs and starts it again on the same ports
// with the same database.
func (s *Server) Restart(ctx context.Context) error {
	s.mu.Lock()
	err := s.stopLocked(syscall.SIGTERM)
	s.mu.Unlock()
	if err != nil {
		return err
	}
	return s.start(ctx)
}

// Running reports whether the slapd process is alive.
func (s *Server) Running() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cmd != nil
}

func (s *Server) stopLocked(sig syscall.Signal) error {
	if s.cmd == nil {
		return nil
	}
	s.cmd.Process.Signal(sig)
	select {
	case <-s.done:
	case <-time.After(10 * time.Second):
		s.cmd.Process.Kill()
		<-s.done
	}
	s.cmd = nil
	s.logFile.Close()
	return nil
}

func (s *Server) cleanup() {
	if s.tempDir && s.Dir != "" {
		os.RemoveAll(s.Dir)
	}
}

// Pid is the slapd process id, 0 when it is not running (tests use it to
// SIGSTOP a server: hung rather than dead).
func (s *Server) Pid() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return 0
	}
	return s.cmd.Process.Pid
}
