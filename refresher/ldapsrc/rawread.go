package ldapsrc

import (
	"io"
	"net"
	"os"
	"syscall"
	"unsafe"
)

// rawReadConn is a TCP connection whose reads skip the Go runtime's
// syscall bookkeeping. A pull is one long stream of small messages: slapd
// sends each entry on its own, so the refresher, consuming as fast as the
// server produces, reads a few hundred bytes at a time, ~16,000 reads for
// 100,000 users. Each read through net.Conn enters the scheduler as a
// possibly-blocking syscall (entersyscall), which wakes the runtime's
// monitor thread whenever the process was idle waiting for the network:
// two more thread switches per read. The socket is non-blocking (the
// netpoller owns it), so a read never blocks and needs none of that: it
// is issued as a raw syscall inside syscall.RawConn.Read, which still
// parks the goroutine on the netpoller when nothing is there and still
// honours deadlines and Close. Measured on a 100,000-user pull from a
// local slapd (3 runs each): involuntary context switches 6,950-8,760 ->
// 1,150-1,440, refresher CPU 1.16-1.30 s -> 1.04-1.13 s (issue #3).
//
// Writes, deadlines and Close are the embedded connection's.
type rawReadConn struct {
	net.Conn
	rc syscall.RawConn
}

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

// Read reads what is available, waiting on the netpoller only when
// nothing is. io.EOF at the peer's FIN, as net.Conn.
func (c *rawReadConn) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
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
