package nscd

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"time"
)

// Defaults are Debian's paths.
const (
	DefaultBinary = "/usr/sbin/nscd"
	DefaultSocket = "/var/run/nscd/socket"
)

// Invalidator says where nscd lives. The zero value uses the defaults.
type Invalidator struct {
	Binary  string
	Socket  string
	Timeout time.Duration // per nscd -i run; 0 means 5 s
}

// ErrNotRunning means there is no nscd to tell (binary or socket missing,
// or the socket refuses connections): the caller has nothing to do.
var ErrNotRunning = errors.New("nscd not running")

// Invalidate runs `nscd -i MAP` for each map. It returns ErrNotRunning
// (wrapped, with the reason) when nscd is absent, and otherwise the first
// failure of an invalidation, with nscd's output.
func (v Invalidator) Invalidate(ctx context.Context, maps ...string) error {
	bin, sock, timeout := v.Binary, v.Socket, v.Timeout
	if bin == "" {
		bin = DefaultBinary
	}
	if sock == "" {
		sock = DefaultSocket
	}
	if timeout <= 0 {
		timeout = 5 * time.Second
	}
	if _, err := os.Stat(bin); err != nil {
		return fmt.Errorf("%w: %s: %v", ErrNotRunning, bin, err)
	}
	// A socket file left by a dead nscd refuses connections: probing it
	// avoids running nscd -i, which would then wait for nothing.
	c, err := net.DialTimeout("unix", sock, time.Second)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrNotRunning, err)
	}
	c.Close()
	for _, m := range maps {
		rctx, cancel := context.WithTimeout(ctx, timeout)
		out, err := exec.CommandContext(rctx, bin, "-i", m).CombinedOutput()
		cancel()
		if err != nil {
			return fmt.Errorf("nscd -i %s: %w: %s", m, err, strings.TrimSpace(string(out)))
		}
	}
	return nil
}
