package ldapsrc

import (
	"bufio"
	"crypto/tls"
	"net"
	"time"

	"github.com/ldapidm/ldapidm/refresher/ldapsrc/ber"
)

// maxMessage bounds one LDAPMessage from the server. The largest a pull
// meets is a big group: 100,000 member DNs of ~60 bytes are 6 MB. A
// hostile or broken length above this fails the search before anything is
// allocated for it.
const maxMessage = 64 << 20

// wire is one LDAP connection: framing, message IDs, nothing else. It is
// used by one goroutine at a time; closing nc (the search timeout, a
// cancelled context) from another goroutine fails the call in flight.
type wire struct {
	nc  net.Conn
	br  *bufio.Reader
	buf []byte // the last message read; reused
	out []byte // the last message written; reused
	id  int32  // last message ID used
}

func newWire(nc net.Conn) *wire {
	return &wire{nc: nc, br: bufio.NewReaderSize(nc, 64<<10)}
}

// message is one received LDAPMessage. op and controls point into the
// wire's buffer: valid until the next recv.
type message struct {
	id       int32
	tag      byte
	op       []byte
	controls []byte
}

// send writes one request with the next message ID and returns the ID.
func (w *wire) send(op, controls []byte) (int32, error) {
	w.id++
	if w.id <= 0 { // RFC 4511 §4.1.1.1: 1 .. maxInt; 0 is the server's
		w.id = 1
	}
	w.out = appendMessage(w.out[:0], w.id, op, controls)
	_, err := w.nc.Write(w.out)
	return w.id, err
}

// recv reads the next LDAPMessage. Malformed input is a *ber.Error.
func (w *wire) recv() (message, error) {
	var m message
	body, buf, err := ber.ReadMessage(w.br, ber.TagSequence, w.buf, maxMessage)
	w.buf = buf
	if err != nil {
		return m, err
	}
	c, rest, err := ber.Expect(body, ber.TagInteger)
	if err != nil {
		return m, err
	}
	id, err := ber.Int(c)
	if err != nil {
		return m, err
	}
	if id < 0 {
		return m, protoErr("negative message ID %d", id)
	}
	m.id = int32(id)
	if m.tag, m.op, rest, err = ber.Next(rest); err != nil {
		return m, err
	}
	if len(rest) > 0 {
		if m.controls, rest, err = ber.Expect(rest, tagControls); err != nil {
			return m, err
		}
		if len(rest) > 0 {
			return m, protoErr("%d bytes after the controls of message %d", len(rest), id)
		}
	}
	return m, nil
}

// exchange sends a request that has one response and returns the
// response's LDAPResult, checking its message ID and operation tag.
func (w *wire) exchange(op []byte, respTag byte, timeout time.Duration) (result, error) {
	w.nc.SetDeadline(time.Now().Add(timeout))
	defer w.nc.SetDeadline(time.Time{})
	id, err := w.send(op, nil)
	if err != nil {
		return result{}, err
	}
	m, err := w.recv()
	if err != nil {
		return result{}, err
	}
	if m.id == 0 {
		return result{}, notice(m.tag, m.op)
	}
	if m.id != id || m.tag != respTag {
		return result{}, protoErr("message %d operation %#02x in answer to message %d", m.id, m.tag, id)
	}
	return parseResult(m.op)
}

// startTLS swaps the connection for a TLS client on it after a successful
// StartTLS exchange. Bytes the server sent after its response, before the
// handshake, would be read as if protected; they are refused (the
// STARTTLS command-injection class of bugs).
func (w *wire) startTLS(tc *tls.Config) (*tls.Conn, error) {
	if n := w.br.Buffered(); n > 0 {
		return nil, protoErr("%d bytes after the StartTLS response, before the TLS handshake", n)
	}
	t := tls.Client(w.nc, tc)
	w.nc, w.br = t, bufio.NewReaderSize(t, 64<<10)
	return t, nil
}

// unbind tells the server we are done (RFC 4511 §4.3), best effort.
func (w *wire) unbind() {
	w.nc.SetWriteDeadline(time.Now().Add(time.Second))
	w.send([]byte{opUnbindRequest, 0}, nil)
}
