package daemon

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ldapidm/ldapidm/refresher/config"
	"github.com/ldapidm/ldapidm/refresher/status"
)

func TestNextDelay(t *testing.T) {
	maxRand := func(n int64) int64 { return n - 1 }
	zeroRand := func(int64) int64 { return 0 }
	cases := []struct {
		name     string
		interval time.Duration
		jitter   time.Duration
		failures int
		randN    func(int64) int64
		want     time.Duration
	}{
		{"success, no jitter", time.Hour, 0, 0, maxRand, time.Hour},
		{"success, jitter low", time.Hour, time.Minute, 0, zeroRand, time.Hour},
		{"success, jitter high", time.Hour, time.Minute, 0, maxRand, time.Hour + time.Minute - 1},
		{"first failure", time.Hour, time.Minute, 1, maxRand, 30 * time.Second},
		{"second failure doubles", time.Hour, 0, 2, maxRand, time.Minute},
		{"fifth failure", time.Hour, 0, 5, maxRand, 8 * time.Minute},
		{"capped at interval", 5 * time.Minute, 0, 9, maxRand, 5 * time.Minute},
		{"huge failure count does not overflow", time.Hour, 0, 1 << 30, maxRand, time.Hour},
		{"interval below backoff start", time.Second, 0, 1, maxRand, time.Second},
		{"zero interval means default", 0, 0, 0, maxRand, config.DefaultInterval},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := &config.Config{Interval: tc.interval, Jitter: tc.jitter}
			if got := nextDelay(cfg, tc.failures, tc.randN); got != tc.want {
				t.Fatalf("nextDelay = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestLock(t *testing.T) {
	dir := t.TempDir()
	l, err := AcquireLock(dir)
	if err != nil {
		t.Fatal(err)
	}
	// flock(2) conflicts between open file descriptions, so a second open
	// in this same process stands in for a second refresher.
	_, err = AcquireLock(dir)
	var le *LockedError
	if !errors.As(err, &le) {
		t.Fatalf("second AcquireLock: %v, want *LockedError", err)
	}
	want := "another ldapidm-refresher (pid " + strconv.Itoa(os.Getpid()) + ") holds " + filepath.Join(dir, LockName)
	if err.Error() != want {
		t.Fatalf("message %q, want %q", err, want)
	}
	// Another process (flock(1), util-linux) sees the lock held too.
	if _, lookErr := exec.LookPath("flock"); lookErr == nil {
		if out, err := exec.Command("flock", "-n", filepath.Join(dir, LockName), "true").CombinedOutput(); err == nil {
			t.Fatalf("flock(1) got the lock while we hold it: %s", out)
		}
	}
	if err := l.Release(); err != nil {
		t.Fatal(err)
	}
	l2, err := AcquireLock(dir)
	if err != nil {
		t.Fatalf("AcquireLock after Release: %v", err)
	}
	l2.Release()
	if err := l2.Release(); err != nil {
		t.Fatalf("double Release: %v", err)
	}
	// A directory we cannot create a file in: an error, not a LockedError.
	if _, err := AcquireLock(filepath.Join(dir, "missing")); err == nil || errors.As(err, &le) {
		t.Fatalf("lock in a missing dir: %v", err)
	}
}

func TestParseFlagsAndExitCodes(t *testing.T) {
	cases := []struct {
		args []string
		code int // ExitCode of ParseFlags' error
		chk  func(m *Main) bool
	}{
		{nil, 0, func(m *Main) bool {
			return m.ConfigPath == DefaultConfigFile && !m.Once && m.LogLevel == slog.LevelInfo
		}},
		{[]string{"-f", "/x.conf", "--once", "--force"}, 0, func(m *Main) bool { return m.ConfigPath == "/x.conf" && m.Once && m.Force }},
		{[]string{"-n"}, 0, func(m *Main) bool { return m.CheckOnly }},
		{[]string{"-d"}, 0, func(m *Main) bool { return m.LogLevel == slog.LevelDebug }},
		{[]string{"--log-level", "warn"}, 0, func(m *Main) bool { return m.LogLevel == slog.LevelWarn }},
		{[]string{"--log-level", "loud"}, ExitUsage, nil},
		{[]string{"--bogus"}, ExitUsage, nil},
		{[]string{"extra"}, ExitUsage, nil},
		{[]string{"status", "--json", "--cachedir", "/c"}, 0, func(m *Main) bool { return m.Status != nil && m.Status.JSON && m.Status.CacheDir == "/c" }},
		{[]string{"status", "-f", "/a", "--cachedir", "/c"}, ExitUsage, nil},
		{[]string{"status", "what"}, ExitUsage, nil},
		{[]string{"--version"}, 0, func(m *Main) bool { return m.Version }},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			var stderr bytes.Buffer
			m := NewMain()
			m.Stderr = &stderr
			err := m.ParseFlags(context.Background(), tc.args)
			if got := ExitCode(err); got != tc.code {
				t.Fatalf("exit code %d (err %v), want %d", got, err, tc.code)
			}
			if tc.chk != nil && !tc.chk(m) {
				t.Fatalf("parsed into %+v", m)
			}
		})
	}
	for err, want := range map[error]int{
		nil:                                     ExitOK,
		flag.ErrHelp:                            ExitOK,
		&LockedError{Path: "/x"}:                ExitFailure,
		&UnhealthyError{Health: status.NoCache}: 2,
		&UnhealthyError{Health: status.AttemptFailed}: 1,
		&UnhealthyError{Health: status.Unknown}:       3,
		&config.Error{File: "f", Line: 3}:             ExitFailure,
	} {
		if got := ExitCode(err); got != want {
			t.Errorf("ExitCode(%v) = %d, want %d", err, got, want)
		}
	}
}

// The status command reports a directory without any cache as NoCache (2),
// and one whose cache.db is not a cache as NoCache too, in both formats.
func TestStatusNoCache(t *testing.T) {
	dir := t.TempDir()
	for _, asJSON := range []bool{false, true} {
		var out bytes.Buffer
		c := &StatusCmd{CacheDir: dir, JSON: asJSON}
		err := c.Run(&out)
		if ExitCode(err) != 2 {
			t.Fatalf("json=%v: exit %d (%v), want 2\n%s", asJSON, ExitCode(err), err, out.String())
		}
		if !strings.Contains(out.String(), "no cache") {
			t.Errorf("json=%v: output lacks 'no cache':\n%s", asJSON, out.String())
		}
	}
	os.WriteFile(filepath.Join(dir, "cache.db"), []byte("not sqlite"), 0o644)
	if err := (&StatusCmd{CacheDir: dir}).Run(&bytes.Buffer{}); ExitCode(err) != 2 {
		t.Fatalf("garbage cache.db: exit %d (%v), want 2", ExitCode(err), err)
	}
	// -f naming a file that does not load: unknown (3), with the reason.
	var out bytes.Buffer
	err := (&StatusCmd{ConfigPath: filepath.Join(dir, "none.conf"), configSet: true}).Run(&out)
	if ExitCode(err) != 3 || !strings.Contains(out.String(), "none.conf") {
		t.Fatalf("missing -f file: exit %d (%v), output %q", ExitCode(err), err, out.String())
	}
}

// TestStartRemovesStaleStatusTemps: a refresher killed in the middle of
// writing status.json leaves its temp file; the next one to take the lock
// removes it (in either mode), and one that cannot take the lock touches
// nothing, since the holder may be writing that file right now.
func TestStartRemovesStaleStatusTemps(t *testing.T) {
	dir := t.TempDir()
	cacheDir := filepath.Join(dir, "cache")
	if err := os.Mkdir(cacheDir, 0o755); err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(dir, "ldapidm.conf")
	// Port 1 on loopback: refused at once, so the refresh fails fast
	// without any server; the test is about what happens around it.
	text := "cachedir \"" + cacheDir + "\"\nconnect timeout 1\n" +
		"directory \"127.0.0.1\" port 1 {\n\tbasedn \"dc=example,dc=com\"\n}\n"
	if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	stale := func() []string {
		var names []string
		for i := 0; i < 2; i++ {
			f, err := os.CreateTemp(cacheDir, ".status-*.tmp")
			if err != nil {
				t.Fatal(err)
			}
			f.WriteString("{\"torn")
			f.Close()
			names = append(names, f.Name())
		}
		return names
	}
	present := func(names []string) (n int) {
		for _, p := range names {
			if _, err := os.Lstat(p); err == nil {
				n++
			}
		}
		return n
	}
	newMain := func(once bool) (*Main, *bytes.Buffer) {
		var logs bytes.Buffer
		return &Main{ConfigPath: conf, Once: once, Stdout: &logs, Stderr: &logs,
			Logger: slog.New(slog.NewTextHandler(&logs, nil))}, &logs
	}

	// Another refresher holds the directory: its temps are not ours.
	left := stale()
	holder, err := AcquireLock(cacheDir)
	if err != nil {
		t.Fatal(err)
	}
	m, logs := newMain(true)
	err = m.Run(context.Background())
	m.Close()
	var le *LockedError
	if !errors.As(err, &le) {
		t.Fatalf("Run while locked: %v, want *LockedError\n%s", err, logs)
	}
	if n := present(left); n != len(left) {
		t.Fatalf("a refresher without the lock removed %d temp files of the holder's", len(left)-n)
	}
	holder.Release()

	// --once: removed at start; the failed refresh still writes status.json.
	m, logs = newMain(true)
	err = m.Run(context.Background())
	m.Close()
	if err == nil {
		t.Fatalf("--once against a closed port succeeded\n%s", logs)
	}
	if n := present(left); n != 0 {
		t.Fatalf("--once left %d stale status temp files\n%s", n, logs)
	}
	if _, err := status.Read(status.Path(cacheDir)); err != nil {
		t.Fatalf("status after --once: %v", err)
	}

	// Daemon mode, stopped before its first wait.
	left = stale()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	m, logs = newMain(false)
	if err := m.Run(ctx); err != nil {
		t.Fatalf("daemon Run: %v\n%s", err, logs)
	}
	m.Close()
	if n := present(left); n != 0 {
		t.Fatalf("daemon left %d stale status temp files\n%s", n, logs)
	}
	if m, _ := filepath.Glob(filepath.Join(cacheDir, ".status-*.tmp")); len(m) != 0 {
		t.Fatalf("temp files after a clean stop: %q", m)
	}
}

// TestCheckBindCredMacroInInclude is the review's repro through -n: the
// password, defined as a macro in a world-readable included file, reaches
// bindcred from a private main file. -n must refuse it, naming the
// included file, and say OK once that file is private.
func TestCheckBindCredMacroInInclude(t *testing.T) {
	dir := t.TempDir()
	inc, conf := filepath.Join(dir, "inc.conf"), filepath.Join(dir, "main.conf")
	write := func(path, text string, mode os.FileMode) {
		if err := os.WriteFile(path, []byte(text), mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, mode); err != nil { // past the umask
			t.Fatal(err)
		}
	}
	write(inc, "pw = \"TopSecret123\"\n", 0o644)
	write(conf, "include \"inc.conf\"\ndirectory \"ldap.example.com\" tls {\n\tbasedn \"dc=example,dc=com\"\n"+
		"\tbinddn \"cn=reader,dc=example,dc=com\"\n\tbindcred $pw\n}\n", 0o600)
	check := func() (error, string, string) {
		var out, errb bytes.Buffer
		m := &Main{ConfigPath: conf, CheckOnly: true, Stdout: &out, Stderr: &errb}
		err := m.Run(context.Background())
		return err, out.String(), errb.String()
	}
	err, out, errs := check()
	if ExitCode(err) != ExitFailure || strings.Contains(out, "OK") ||
		!strings.HasPrefix(errs, inc+":1: bindcred: ") || !strings.Contains(errs, "mode 0644") {
		t.Fatalf("-n with the password in a 0644 include: exit %d, stdout %q, stderr %q", ExitCode(err), out, errs)
	}
	if strings.Contains(errs, "TopSecret123") {
		t.Fatal("-n printed the password")
	}
	if err := os.Chmod(inc, 0o600); err != nil {
		t.Fatal(err)
	}
	if err, out, errs := check(); err != nil || !strings.Contains(out, "configuration OK") {
		t.Fatalf("-n with a private include: %v, stdout %q, stderr %q", err, out, errs)
	}
}
