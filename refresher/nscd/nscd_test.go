package nscd

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeNscd writes a script that records its arguments (one run per line)
// and exits with code.
func fakeNscd(t *testing.T, dir string, code string) (bin, record string) {
	t.Helper()
	bin = filepath.Join(dir, "nscd")
	record = filepath.Join(dir, "calls")
	script := "#!/bin/sh\necho \"$*\" >> " + record + "\necho complaint >&2\nexit " + code + "\n"
	if err := os.WriteFile(bin, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return bin, record
}

func listen(t *testing.T, path string) {
	t.Helper()
	l, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
}

func TestInvalidate(t *testing.T) {
	cases := []struct {
		name      string
		binary    bool
		socket    string // "listen", "stale" (file, no listener), "none"
		exit      string
		wantErr   error // nil, ErrNotRunning, or errAny
		wantCalls string
	}{
		{"running", true, "listen", "0", nil, "-i passwd\n-i group\n"},
		{"no binary", false, "listen", "0", ErrNotRunning, ""},
		{"no socket", true, "none", "0", ErrNotRunning, ""},
		{"stale socket file", true, "stale", "0", ErrNotRunning, ""},
		{"nscd fails", true, "listen", "3", errAny, "-i passwd\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			bin, record := fakeNscd(t, dir, tc.exit)
			if !tc.binary {
				os.Remove(bin)
			}
			sock := filepath.Join(dir, "socket")
			switch tc.socket {
			case "listen":
				listen(t, sock)
			case "stale":
				l, err := net.Listen("unix", sock)
				if err != nil {
					t.Fatal(err)
				}
				l.(*net.UnixListener).SetUnlinkOnClose(false)
				l.Close()
			}
			err := Invalidator{Binary: bin, Socket: sock}.Invalidate(context.Background(), "passwd", "group")
			switch {
			case tc.wantErr == nil && err != nil:
				t.Fatalf("err = %v, want nil", err)
			case tc.wantErr == errAny && (err == nil || errors.Is(err, ErrNotRunning)):
				t.Fatalf("err = %v, want a failure that is not ErrNotRunning", err)
			case tc.wantErr == ErrNotRunning && !errors.Is(err, ErrNotRunning):
				t.Fatalf("err = %v, want ErrNotRunning", err)
			}
			if tc.wantErr == errAny && !strings.Contains(err.Error(), "complaint") {
				t.Errorf("error %q does not carry nscd's output", err)
			}
			calls, _ := os.ReadFile(record)
			if string(calls) != tc.wantCalls {
				t.Errorf("nscd runs = %q, want %q", calls, tc.wantCalls)
			}
		})
	}
}

var errAny = errors.New("any error")
