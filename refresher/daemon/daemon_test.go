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
