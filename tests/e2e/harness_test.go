package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ldapidm/ldapidm/cache"
	"github.com/ldapidm/ldapidm/internal/fixture"
	"github.com/ldapidm/ldapidm/internal/slapdtest"
	"github.com/ldapidm/ldapidm/refresher/status"
)

// dirConf is one `directory` block of a test configuration.
type dirConf struct {
	Host     string
	Port     int
	TLS      string   // "", "tls" (StartTLS) or "ldaps"
	Servers  []string // extra `server` lines: "host port N"
	BaseDN   string
	GroupDN  string
	BindDN   string
	BindCred string
	CAFile   string
	PFilter  string // passwd filter
	GFilter  string // group filter
	Members  string // attribute for `list groupmembers`
	Extra    []string
}

// conf is a whole test configuration, written in ypldap.conf grammar.
type conf struct {
	CacheDir  string
	Interval  int // seconds; 0 leaves the default
	Jitter    int // seconds; -1 leaves the default
	PageSize  int
	MaxShrink int // -1 leaves the default
	Extra     []string
	Dirs      []dirConf
}

func (c conf) text() string {
	var b strings.Builder
	b.WriteString("# written by tests/e2e\n")
	if c.Interval > 0 {
		fmt.Fprintf(&b, "interval %d\n", c.Interval)
	}
	if c.Jitter >= 0 {
		fmt.Fprintf(&b, "jitter %d\n", c.Jitter)
	}
	fmt.Fprintf(&b, "cachedir %q\n", c.CacheDir)
	if c.PageSize > 0 {
		fmt.Fprintf(&b, "pagesize %d\n", c.PageSize)
	}
	if c.MaxShrink >= 0 {
		fmt.Fprintf(&b, "maxshrink %d\n", c.MaxShrink)
	}
	for _, l := range c.Extra {
		b.WriteString(l + "\n")
	}
	for _, d := range c.Dirs {
		fmt.Fprintf(&b, "\ndirectory %q port %d", d.Host, d.Port)
		if d.TLS != "" {
			b.WriteString(" " + d.TLS)
		}
		b.WriteString(" {\n")
		for _, s := range d.Servers {
			fmt.Fprintf(&b, "\tserver %s\n", s)
		}
		q := func(k, v string) {
			if v != "" {
				fmt.Fprintf(&b, "\t%s %q\n", k, v)
			}
		}
		q("basedn", d.BaseDN)
		q("groupdn", d.GroupDN)
		q("binddn", d.BindDN)
		q("bindcred", d.BindCred)
		q("cafile", d.CAFile)
		q("passwd filter", d.PFilter)
		q("group filter", d.GFilter)
		if d.Members != "" {
			fmt.Fprintf(&b, "\tlist groupmembers maps to %q\n", d.Members)
		}
		for _, l := range d.Extra {
			b.WriteString("\t" + l + "\n")
		}
		b.WriteString("}\n")
	}
	return b.String()
}

// fixtureDir maps a fixture directory on srv, bound as the size-limited
// reader identity (the rootdn would dodge the server's size limit).
func fixtureDir(srv *slapdtest.Server, fx *fixture.Directory) dirConf {
	d := dirConf{
		Host: "127.0.0.1", Port: srv.Port,
		BaseDN: fx.PeopleDN, GroupDN: fx.GroupsDN,
		BindDN: srv.ReaderDN, BindCred: srv.ReaderPW,
		PFilter: "(objectClass=posixAccount)",
		GFilter: "(|(objectClass=posixGroup)(objectClass=ldapidmPosixGroupAux))",
		Members: "memberUid",
	}
	if fx.Options.Style == fixture.RFC2307bis {
		d.Members = "member"
	}
	return d
}

// env is one test's configuration file and cache directory.
type env struct {
	t        *testing.T
	dir      string
	confPath string
	cacheDir string
	// secrets must never appear in any output of the refresher.
	secrets []string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	dir := t.TempDir()
	e := &env{t: t, dir: dir, confPath: filepath.Join(dir, "ldapidm.conf"), cacheDir: filepath.Join(dir, "cache")}
	return e
}

// write replaces the configuration file (mode 0600: it holds a password).
// c.CacheDir defaults to the env's.
func (e *env) write(c conf) {
	e.t.Helper()
	if c.CacheDir == "" {
		c.CacheDir = e.cacheDir
	}
	for _, d := range c.Dirs {
		if d.BindCred != "" {
			e.addSecret(d.BindCred)
		}
	}
	writeFile(e.t, e.confPath, c.text(), 0o600)
}

func (e *env) addSecret(s string) {
	for _, x := range e.secrets {
		if x == s {
			return
		}
	}
	e.secrets = append(e.secrets, s)
}

func writeFile(t *testing.T, path, text string, mode os.FileMode) {
	t.Helper()
	tmp := path + ".new"
	if err := os.WriteFile(tmp, []byte(text), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(tmp, mode); err != nil { // umask
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

// result is one finished refresher run.
type result struct {
	Stdout, Stderr string
	Code           int
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\n--- stdout\n%s--- stderr\n%s", r.Code, r.Stdout, r.Stderr)
}

// refresh runs the refresher binary with -f <conf> and args, to completion.
func (e *env) refresh(args ...string) result {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, refresher, append([]string{"-f", e.confPath}, args...)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	r := result{Stdout: out.String(), Stderr: errb.String()}
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			e.t.Fatalf("running refresher: %v", err)
		}
		r.Code = ee.ExitCode()
	}
	e.checkNoSecret("refresher output", r.Stdout+r.Stderr)
	e.checkStatusNoSecret()
	return r
}

// mustRefresh runs --once and fails the test unless it succeeds.
func (e *env) mustRefresh(args ...string) result {
	e.t.Helper()
	r := e.refresh(append([]string{"--once"}, args...)...)
	if r.Code != 0 {
		e.t.Fatalf("refresher --once failed:\n%s", r)
	}
	return r
}

func (e *env) checkNoSecret(what, text string) {
	e.t.Helper()
	for _, s := range e.secrets {
		if strings.Contains(text, s) {
			e.t.Errorf("%s contains the credential %q:\n%s", what, s, text)
		}
	}
}

func (e *env) checkStatusNoSecret() {
	e.t.Helper()
	if data, err := os.ReadFile(status.Path(e.cacheDir)); err == nil {
		e.checkNoSecret("status.json", string(data))
	}
}

// statusJSON runs `status --json --cachedir` and decodes it.
func (e *env) statusJSON() (*status.Report, result) {
	e.t.Helper()
	cmd := exec.Command(refresher, "status", "--json", "--cachedir", e.cacheDir)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	r := result{Stdout: out.String(), Stderr: errb.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		r.Code = ee.ExitCode()
	} else if err != nil {
		e.t.Fatal(err)
	}
	e.checkNoSecret("status --json", r.Stdout+r.Stderr)
	var rep status.Report
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		e.t.Fatalf("status --json: %v\n%s", err, r)
	}
	return &rep, r
}

// meta reads the live cache's meta table (nil when there is no cache).
func (e *env) meta() *cache.Meta {
	e.t.Helper()
	m, err := cache.ReadMeta(e.cacheDir)
	if err != nil {
		return nil
	}
	return m
}

func (e *env) generation() int64 {
	e.t.Helper()
	m := e.meta()
	if m == nil {
		return 0
	}
	return m.Generation
}

// getent runs `getent -s ldapidm args…` through the real module.
func (e *env) getent(args ...string) (string, int) {
	e.t.Helper()
	cmd := exec.Command("getent", append([]string{"-s", "ldapidm"}, args...)...)
	cmd.Env = append(os.Environ(), "LD_LIBRARY_PATH="+soDir, "LDAPIDM_CACHE_DIR="+e.cacheDir)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		e.t.Fatal(err)
	}
	return out.String(), code
}

// noLeftovers fails if the cache directory holds anything but the files a
// finished publication leaves (no temp file, no journal).
func (e *env) noLeftovers() {
	e.t.Helper()
	allowed := map[string]bool{"cache.db": true, "shadow.db": true, status.FileName: true,
		"refresher.lock": true, ".publish.lock": true}
	ents, err := os.ReadDir(e.cacheDir)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, de := range ents {
		if !allowed[de.Name()] {
			e.t.Errorf("cache directory holds a leftover %q", de.Name())
		}
	}
}

func passwdLine(u cache.User) string {
	return fmt.Sprintf("%s:%s:%d:%d:%s:%s:%s", u.Name, u.Passwd, u.UID, u.GID, u.Gecos, u.Dir, u.Shell)
}

func groupLine(g cache.Group) string {
	return fmt.Sprintf("%s:%s:%d:%s", g.Name, g.Passwd, g.GID, strings.Join(g.Members, ","))
}

func lines(s string) []string {
	s = strings.TrimRight(s, "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// wantEnum compares a getent enumeration with the expected lines, in order,
// and reports the first difference instead of two huge dumps.
func wantEnum(t *testing.T, what string, got string, want []string) {
	t.Helper()
	g := lines(got)
	for i := 0; i < len(g) && i < len(want); i++ {
		if g[i] != want[i] {
			t.Fatalf("%s: line %d is\n  %q\nwant\n  %q", what, i+1, g[i], want[i])
		}
	}
	if len(g) != len(want) {
		t.Fatalf("%s: %d lines, want %d", what, len(g), len(want))
	}
}

// initgroups parses `getent initgroups NAME` into sorted gids.
func initgroups(out string) []uint32 {
	f := strings.Fields(out)
	var gids []uint32
	for _, s := range f[min(1, len(f)):] {
		n, err := strconv.ParseUint(s, 10, 32)
		if err == nil {
			gids = append(gids, uint32(n))
		}
	}
	sort.Slice(gids, func(a, b int) bool { return gids[a] < gids[b] })
	return gids
}

// memberOf is the sorted gids of the groups listing name.
func memberOf(snap *cache.Snapshot, name string) []uint32 {
	var gids []uint32
	for _, g := range snap.Groups {
		for _, m := range g.Members {
			if m == name {
				gids = append(gids, g.GID)
				break
			}
		}
	}
	sort.Slice(gids, func(a, b int) bool { return gids[a] < gids[b] })
	return gids
}

// bgDaemon is a refresher running in the background.
type bgDaemon struct {
	cmd    *exec.Cmd
	stderr *syncBuffer
	done   chan struct{}
	err    error
}

func (e *env) startDaemon(args ...string) *bgDaemon {
	e.t.Helper()
	cmd := exec.Command(refresher, append([]string{"-f", e.confPath}, args...)...)
	d := &bgDaemon{cmd: cmd, stderr: &syncBuffer{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = d.stderr, d.stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		e.t.Fatal(err)
	}
	go func() { d.err = cmd.Wait(); close(d.done) }()
	e.t.Cleanup(func() {
		select {
		case <-d.done:
		default:
			cmd.Process.Kill()
			<-d.done
		}
		e.checkNoSecret("daemon output", d.stderr.String())
	})
	return d
}

// waitFor polls cond until it holds; the deadline only guards against a
// hang (it decides nothing about speed).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func statIDs(fi os.FileInfo) (uid, gid uint32) {
	st := fi.Sys().(*syscall.Stat_t)
	return st.Uid, st.Gid
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
