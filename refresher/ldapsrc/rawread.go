package ldapsrc

import (
	"errors"
	"io"
	"net"
	"os"
	"syscall"
	"time"
	"unsafe"
)

// rawReadConn is the TCP connection under a search, read the cheap way.
// A pull is one long stream of small messages: slapd sends each entry on
// its own, so a reader that keeps up wakes for a few hundred bytes at a
// time, ~28,000 times for 100,000 users, and those wake-ups were a third
// of the refresher's CPU (issue #3). Two things cut them:
//
//   - Reads skip the Go runtime's syscall bookkeeping. Each read through
//     net.Conn entered the scheduler as a possibly-blocking syscall, which
//     woke the runtime's monitor thread whenever the process had gone idle
//     waiting for the network. The socket is non-blocking (the netpoller
//     owns it), so a read never blocks: it is issued raw inside
//     syscall.RawConn.Read, which still parks on the netpoller when nothing
//     is there and still honours deadlines and Close.
//
//   - In bulk mode (expect), SO_RCVLOWAT makes the kernel wake the reader
//     only once bulkLowat bytes are queued. That is only safe while at
//     least that many bytes are sure to come before the server waits for
//     us (it waits after each page's SearchResultDone), which the caller
//     can only estimate; so in bulk mode a read that finds nothing waits
//     at most bulkWait, then bulk mode ends (SO_RCVLOWAT back to 1) and
//     the read goes on waiting under the caller's own deadline. A wrong
//     estimate costs bulkWait, never a stall.
//
// Measured on a 100,000-user pull from a local slapd, 3 runs each:
// raw reads alone: involuntary context switches 6,950-8,760 -> 1,150-1,440,
// CPU 1.16-1.30 s -> 1.04-1.13 s; with bulk mode (8 KiB; 16 KiB slowed
// slapd's sending by 0.3 s, 4 KiB saved less): voluntary switches ~28,000
// -> ~4,500, CPU 1.14-1.38 s -> 0.76-0.89 s, the read phase no slower.
//
// Read, SetDeadline, SetReadDeadline and expect are called by one
// goroutine at a time (the wire's user); Close may come from any.
type rawReadConn struct {
	net.Conn
	rc       syscall.RawConn
	deadline time.Time // the caller's read deadline
	bulk     bool
}

const (
	// bulkLowat is SO_RCVLOWAT in bulk mode.
	bulkLowat = 8 << 10
	// bulkWait bounds a bulk-mode wait for bulkLowat bytes.
	bulkWait = 2 * time.Millisecond
)

// withRawReads wraps c when it exposes its file descriptor (a *net.TCPConn
// does); anything else (a net.Pipe in tests) is returned unchanged.
func withRawReads(c net.Conn) net.Conn {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return c
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return c
	}
	return &rawReadConn{Conn: c, rc: rc}
}

// bulkReader is what a search tells the transport about the bytes to come.
type bulkReader interface {
	// expect says that at least n more bytes will arrive before the
	// server waits for a request of ours (an estimate; see rawReadConn).
	expect(n int)
}

func (c *rawReadConn) expect(n int) { c.setBulk(n >= bulkLowat) }

func (c *rawReadConn) setBulk(on bool) {
	if on == c.bulk {
		return
	}
	lowat := 1
	if on {
		lowat = bulkLowat
	}
	var serr error
	if err := c.rc.Control(func(fd uintptr) {
		serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVLOWAT, lowat)
	}); err != nil || serr != nil {
		// Closed, or a kernel without it: plain reads are always correct.
		on = false
	}
	c.bulk = on
	if !on {
		c.Conn.SetReadDeadline(c.deadline)
	}
}

func (c *rawReadConn) SetDeadline(t time.Time) error {
	c.deadline = t
	return c.Conn.SetDeadline(t)
}

func (c *rawReadConn) SetReadDeadline(t time.Time) error {
	c.deadline = t
	return c.Conn.SetReadDeadline(t)
}

// Read reads what is available, waiting on the netpoller only when
// nothing is. io.EOF at the peer's FIN, as net.Conn.
func (c *rawReadConn) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	for {
		if c.bulk {
			wait := time.Now().Add(bulkWait)
			if !c.deadline.IsZero() && c.deadline.Before(wait) {
				wait = c.deadline
			}
			c.Conn.SetReadDeadline(wait)
		}
		n, err := c.read(p)
		if err == nil || !c.bulk || !errors.Is(err, os.ErrDeadlineExceeded) ||
			(!c.deadline.IsZero() && !time.Now().Before(c.deadline)) {
			return n, err
		}
		// bulkWait ran out with fewer than bulkLowat bytes queued: that may
		// be all the server sends before it waits for us.
		c.setBulk(false)
	}
}

// read is one read(2), raw, waiting on the netpoller while there is nothing.
func (c *rawReadConn) read(p []byte) (int, error) {
	var n int
	var errno syscall.Errno
	err := c.rc.Read(func(fd uintptr) bool {
		r, _, e := syscall.RawSyscall(syscall.SYS_READ, fd, uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)))
		n, errno = int(r), e
		// false: nothing to read yet, wait on the netpoller and retry.
		return e != syscall.EAGAIN
	})
	switch {
	case err != nil: // deadline, Close
		return 0, &net.OpError{Op: "read", Net: "tcp", Source: c.LocalAddr(), Addr: c.RemoteAddr(), Err: err}
	case errno != 0:
		return 0, &net.OpError{Op: "read", Net: "tcp", Source: c.LocalAddr(), Addr: c.RemoteAddr(), Err: os.NewSyscallError("read", errno)}
	case n == 0:
		return 0, io.EOF
	}
	return n, nil
}
