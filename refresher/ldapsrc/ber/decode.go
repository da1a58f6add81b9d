package ber

import (
	"bufio"
	"errors"
	"fmt"
	"io"
)

// Error is malformed input; every decoding failure is one (or wraps one),
// so a caller can tell a broken message from a broken connection.
type Error struct{ Reason string }

func (e *Error) Error() string { return "malformed BER: " + e.Reason }

func errf(format string, args ...any) error { return &Error{Reason: fmt.Sprintf(format, args...)} }

// Universal tags LDAP uses.
const (
	TagBoolean     = 0x01
	TagInteger     = 0x02
	TagOctetString = 0x04
	TagEnumerated  = 0x0a
	TagSequence    = 0x30 // SEQUENCE / SEQUENCE OF, constructed
	TagSet         = 0x31 // SET / SET OF, constructed
)

// header decodes the identifier and length octets at the start of b and
// returns the tag, the content length and the header's size. The content is
// not checked against len(b) here.
func header[T ~string | ~[]byte](b T) (tag byte, n, hdr int, err error) {
	if len(b) < 2 {
		return 0, 0, 0, errf("truncated header (%d bytes)", len(b))
	}
	tag = b[0]
	if tag&0x1f == 0x1f {
		// High tag numbers: RFC 4511 defines none.
		return 0, 0, 0, errf("multi-byte tag %#02x", tag)
	}
	l := b[1]
	switch {
	case l < 0x80:
		return tag, int(l), 2, nil
	case l == 0x80:
		// RFC 4511 §5.1: only the definite form of length encoding.
		return 0, 0, 0, errf("indefinite length in tag %#02x", tag)
	}
	k := int(l & 0x7f)
	if k > 4 {
		return 0, 0, 0, errf("%d-byte length in tag %#02x", k, tag)
	}
	if len(b) < 2+k {
		return 0, 0, 0, errf("truncated length in tag %#02x", tag)
	}
	var v uint64
	for i := 2; i < 2+k; i++ {
		v = v<<8 | uint64(b[i])
	}
	if v > 1<<31-1 {
		return 0, 0, 0, errf("length %d in tag %#02x", v, tag)
	}
	return tag, int(v), 2 + k, nil
}

// Next splits the first element off b: its tag, its content (a slice of b)
// and what follows it. A length past the end of b is an error. It works on
// a string too, so that a caller can copy a message once into a string and
// hand out substrings of it as values without a copy each.
func Next[T ~string | ~[]byte](b T) (tag byte, content, rest T, err error) {
	tag, n, h, err := header(b)
	if err != nil {
		return 0, content, rest, err
	}
	if n > len(b)-h {
		return 0, content, rest, errf("tag %#02x: length %d past the end (%d bytes left)", tag, n, len(b)-h)
	}
	return tag, b[h : h+n], b[h+n:], nil
}

// Expect is Next for an element that must have tag want.
func Expect[T ~string | ~[]byte](b T, want byte) (content, rest T, err error) {
	tag, content, rest, err := Next(b)
	if err != nil {
		return content, rest, err
	}
	if tag != want {
		return content, rest, errf("tag %#02x where %#02x was expected", tag, want)
	}
	return content, rest, nil
}

// Int decodes the content of an INTEGER or ENUMERATED that must fit in 32
// bits (LDAP's message IDs, result codes, sizes: RFC 4511 §4.1.1 maxInt).
func Int[T ~string | ~[]byte](content T) (int64, error) {
	if len(content) == 0 || len(content) > 5 {
		return 0, errf("integer of %d bytes", len(content))
	}
	v := int64(int8(content[0])) // sign-extend the first octet
	for i := 1; i < len(content); i++ {
		v = v<<8 | int64(content[i])
	}
	if v < -1<<31 || v > 1<<31-1 {
		return 0, errf("integer %d out of range", v)
	}
	return v, nil
}

// ErrTooLong is a message whose announced length exceeds the caller's limit.
var ErrTooLong = errors.New("message longer than the limit")

// ReadMessage reads one element whose tag must be want (an LDAPMessage is a
// SEQUENCE) from r, and returns its content in buf (grown when too small,
// and returned for reuse). A length above limit fails before anything is
// allocated. A stream that ends inside the element is io.ErrUnexpectedEOF;
// one that ends cleanly before it is io.EOF.
func ReadMessage(r *bufio.Reader, want byte, buf []byte, limit int) (content, newBuf []byte, err error) {
	var h [6]byte
	if h[0], err = r.ReadByte(); err != nil {
		return nil, buf, err
	}
	if h[0] != want {
		return nil, buf, errf("message tag %#02x where %#02x was expected", h[0], want)
	}
	if h[1], err = r.ReadByte(); err != nil {
		return nil, buf, unexpected(err)
	}
	hl := 2
	if h[1] > 0x80 && h[1] <= 0x84 {
		k := int(h[1] & 0x7f)
		if _, err := io.ReadFull(r, h[2:2+k]); err != nil {
			return nil, buf, unexpected(err)
		}
		hl += k
	}
	_, n, _, err := header(h[:hl])
	if err != nil {
		return nil, buf, err
	}
	if n > limit {
		return nil, buf, fmt.Errorf("%w: %d bytes, limit %d", ErrTooLong, n, limit)
	}
	if cap(buf) < n {
		buf = make([]byte, n, max(n, 2*cap(buf)))
	}
	buf = buf[:n]
	if _, err := io.ReadFull(r, buf); err != nil {
		return nil, buf, unexpected(err)
	}
	return buf, buf, nil
}

func unexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}
