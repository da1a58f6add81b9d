package refresher

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/ldapidm/ldapidm/refresher/config"
	"github.com/ldapidm/ldapidm/refresher/status"
)

func TestRedact(t *testing.T) {
	cases := []struct {
		in      string
		secrets []string
		want    string
	}{
		{"bind failed", nil, "bind failed"},
		{"pw=hunter2 again hunter2", []string{"hunter2"}, "pw=REDACTED again REDACTED"},
		{"a b", []string{"a", "b"}, "REDACTED REDACTED"},
		{"no match", []string{"zzz"}, "no match"},
		{"line\nhunter2\n", []string{"hunter2"}, "line\nREDACTED\n"},
	}
	for _, tc := range cases {
		if got := redact(tc.in, tc.secrets); got != tc.want {
			t.Errorf("redact(%q, %q) = %q, want %q", tc.in, tc.secrets, got, tc.want)
		}
	}
}

// A failing attempt (nothing listens on 127.0.0.1:1) is recorded in the
// status file with the failure count growing; an error text that happens to
// contain the credential (here the credential is the server's address) is
// scrubbed in both the returned error and the file; a cancelled attempt
// leaves the previous report alone.
func TestRefreshOnceFailure(t *testing.T) {
	dir := t.TempDir()
	text := `cachedir "` + dir + `"
directory "127.0.0.1" port 1 {
	basedn "dc=example,dc=org"
	binddn "cn=reader,dc=example,dc=org"
	bindcred "127.0.0.1"
}
`
	cfg, err := config.Parse("test.conf", strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	for want := 1; want <= 2; want++ {
		// The daemon's NextDelay: the one status write carries the next
		// attempt, computed from the failure count after this attempt.
		var gotFailures int
		opts := RefreshOptions{NextDelay: func(f int) time.Duration { gotFailures = f; return 7 * time.Minute }}
		st, err := RefreshOnce(context.Background(), cfg, opts, log)
		if err == nil {
			t.Fatal("RefreshOnce against a closed port succeeded")
		}
		if strings.Contains(err.Error(), "127.0.0.1") || !strings.Contains(err.Error(), "REDACTED") {
			t.Errorf("error not scrubbed: %q", err)
		}
		onDisk, rerr := status.Read(status.Path(dir))
		if rerr != nil {
			t.Fatal(rerr)
		}
		for _, s := range []*status.Status{st, onDisk} {
			if s.ConsecutiveFailures != want || !s.Failed() || !s.LastSuccess.IsZero() || s.Generation != 0 {
				t.Errorf("attempt %d: status %+v", want, s)
			}
			if strings.Contains(s.LastError, "127.0.0.1") {
				t.Errorf("status holds the credential: %q", s.LastError)
			}
			if d := s.NextAttempt.Sub(s.LastAttempt); d < 7*time.Minute || d > 8*time.Minute {
				t.Errorf("attempt %d: next attempt %v after the last, want ~7m", want, d)
			}
		}
		if gotFailures != want {
			t.Errorf("NextDelay got %d failures, want %d", gotFailures, want)
		}
	}
	if st, _ := RefreshOnce(context.Background(), cfg, RefreshOptions{}, log); !st.NextAttempt.IsZero() {
		t.Errorf("--once (no NextDelay) recorded a next attempt: %v", st.NextAttempt)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := RefreshOnce(ctx, cfg, RefreshOptions{}, log); err == nil {
		t.Fatal("a cancelled RefreshOnce succeeded")
	}
	onDisk, err := status.Read(status.Path(dir))
	if err != nil || onDisk.ConsecutiveFailures != 3 {
		t.Errorf("a cancelled attempt rewrote the status: %+v, %v", onDisk, err)
	}
}
