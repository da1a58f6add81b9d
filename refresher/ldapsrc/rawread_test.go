package ldapsrc

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"testing"
	"time"
)

// tcpPair returns both ends of a loopback TCP connection, the client's
// wrapped for raw reads.
func tcpPair(t *testing.T) (client, server net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, _ := ln.Accept()
		accepted <- c
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	s := <-accepted
	if s == nil {
		t.Fatal("accept failed")
	}
	wc := withRawReads(c)
	if _, ok := wc.(*rawReadConn); !ok {
		t.Fatalf("a TCP connection was not wrapped: %T", wc)
	}
	t.Cleanup(func() { wc.Close(); s.Close() })
	return wc, s
}

// Every byte arrives once and in order, however the writer splits it, and
// the peer's close is io.EOF, as with net.Conn.
func TestRawReadsStream(t *testing.T) {
	c, s := tcpPair(t)
	want := make([]byte, 3<<20)
	for i := range want {
		want[i] = byte(i * 7)
	}
	go func() {
		for off, step := 0, 1; off < len(want); off, step = off+step, step*3%65521+1 {
			s.Write(want[off:min(off+step, len(want))])
		}
		s.Close()
	}()
	got, err := io.ReadAll(c)
	if err != nil {
		t.Fatalf("ReadAll: %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("got %d bytes, want %d (or content differs)", len(got), len(want))
	}
	if n, err := c.Read(make([]byte, 1)); n != 0 || err != io.EOF {
		t.Fatalf("read after EOF = %d, %v", n, err)
	}
}

// A read waiting for data ends at the deadline with a timeout error, and
// at once when another goroutine closes the connection: the search
// timeout and shutdown rely on both.
func TestRawReadsDeadlineAndClose(t *testing.T) {
	c, _ := tcpPair(t)
	c.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	_, err := c.Read(make([]byte, 10))
	var ne net.Error
	if !errors.Is(err, os.ErrDeadlineExceeded) || !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("read past the deadline = %v, want a timeout", err)
	}
	c.SetReadDeadline(time.Time{})
	done := make(chan error, 1)
	go func() {
		_, err := c.Read(make([]byte, 10))
		done <- err
	}()
	time.Sleep(20 * time.Millisecond)
	c.Close()
	select {
	case err := <-done:
		if !errors.Is(err, net.ErrClosed) {
			t.Fatalf("read on a closed connection = %v, want net.ErrClosed", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not end a waiting read")
	}
}

// What has no file descriptor is left as it is.
func TestRawReadsPassThrough(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	if got := withRawReads(a); got != a {
		t.Fatalf("net.Pipe wrapped as %T", got)
	}
}

// In bulk mode the kernel wakes the reader only once bulkLowat bytes are
// queued; a server that sends less and then waits for us (every page's
// SearchResultDone) must still be read at once, not at the caller's
// deadline: a wrong estimate costs bulkWait, never a stall. The exchange
// runs a few times, as pages do, each short message sent only after the
// reader is waiting for it.
func TestRawReadsBulkNeverStalls(t *testing.T) {
	c, s := tcpPair(t)
	rc := c.(*rawReadConn)
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	for round := range 5 {
		rc.expect(1 << 20) // far more than will come
		if !rc.bulk {
			t.Skip("SO_RCVLOWAT not settable here; plain reads only")
		}
		go func() {
			time.Sleep(20 * time.Millisecond) // the reader is waiting by now
			s.Write([]byte("done"))
		}()
		start := time.Now()
		buf := make([]byte, 64)
		n, err := c.Read(buf)
		if err != nil || string(buf[:n]) != "done" {
			t.Fatalf("round %d: read %q, %v", round, buf[:n], err)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Fatalf("round %d: a short message took %v: the reader waited for the low-water mark", round, d)
		}
		if rc.bulk {
			t.Fatalf("round %d: still in bulk mode after the wait ran out", round)
		}
		s.Write([]byte("ack")) // the server's next message, plain mode
		if n, err := io.ReadFull(c, buf[:3]); err != nil || string(buf[:n]) != "ack" {
			t.Fatalf("round %d: %q, %v", round, buf[:n], err)
		}
	}
}

// Bulk mode keeps the caller's deadline: a read with nothing to come ends
// at that deadline, not at bulkWait (a premature timeout would fail a
// search), and a deadline shorter than bulkWait still holds.
func TestRawReadsBulkKeepsDeadline(t *testing.T) {
	c, _ := tcpPair(t)
	rc := c.(*rawReadConn)
	for _, wait := range []time.Duration{150 * time.Millisecond, bulkWait / 4} {
		c.SetReadDeadline(time.Now().Add(wait))
		rc.expect(1 << 20)
		start := time.Now()
		_, err := c.Read(make([]byte, 8))
		d := time.Since(start)
		if !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatalf("deadline %v: err = %v, want a timeout", wait, err)
		}
		if d < wait-5*time.Millisecond || d > wait+2*time.Second {
			t.Fatalf("deadline %v: read ended after %v", wait, d)
		}
	}
}

// Every byte still arrives once and in order in bulk mode, with the
// estimate wrong in both directions as the stream goes.
func TestRawReadsBulkStream(t *testing.T) {
	c, s := tcpPair(t)
	rc := c.(*rawReadConn)
	want := make([]byte, 2<<20)
	for i := range want {
		want[i] = byte(i*13 + 1)
	}
	go func() {
		for off, step := 0, 1; off < len(want); off, step = off+step, step*5%40009+1 {
			s.Write(want[off:min(off+step, len(want))])
			if step%7 == 0 {
				time.Sleep(time.Millisecond) // let the reader catch up and wait
			}
		}
		s.Close()
	}()
	var got []byte
	buf := make([]byte, 64<<10)
	for i := 0; ; i++ {
		rc.expect([]int{0, 1 << 20, bulkLowat, 100}[i%4])
		n, err := c.Read(buf)
		got = append(got, buf[:n]...)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("got %d bytes, want %d (or content differs)", len(got), len(want))
	}
}
