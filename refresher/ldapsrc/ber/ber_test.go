package ber

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

func TestNext(t *testing.T) {
	for _, tc := range []struct {
		name    string
		in      []byte
		tag     byte
		content string
		rest    string
		bad     bool
	}{
		{name: "short form", in: []byte{0x04, 2, 'h', 'i', 'x'}, tag: 0x04, content: "hi", rest: "x"},
		{name: "empty content", in: []byte{0x04, 0}, tag: 0x04},
		{name: "long form", in: append([]byte{0x04, 0x81, 3}, "abc"...), tag: 0x04, content: "abc"},
		{name: "non-minimal long form still definite", in: append([]byte{0x04, 0x82, 0, 1}, 'z'), tag: 0x04, content: "z"},
		{name: "empty input", in: nil, bad: true},
		{name: "only a tag", in: []byte{0x30}, bad: true},
		{name: "indefinite length", in: []byte{0x30, 0x80, 0, 0}, bad: true},
		{name: "length past the end", in: []byte{0x04, 5, 'a'}, bad: true},
		{name: "long length past the end", in: []byte{0x04, 0x82, 0x10, 0}, bad: true},
		{name: "truncated length octets", in: []byte{0x04, 0x83, 1}, bad: true},
		{name: "five length octets", in: []byte{0x04, 0x85, 0, 0, 0, 0, 1, 'a'}, bad: true},
		{name: "length above 2^31", in: []byte{0x04, 0x84, 0xff, 0xff, 0xff, 0xff}, bad: true},
		{name: "multi-byte tag", in: []byte{0x1f, 0x81, 0x01, 0}, bad: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tag, c, r, err := Next(tc.in)
			if tc.bad {
				var be *Error
				if !errors.As(err, &be) {
					t.Fatalf("got tag %#x content %q, err %v; want a *ber.Error", tag, c, err)
				}
				return
			}
			if err != nil || tag != tc.tag || string(c) != tc.content || string(r) != tc.rest {
				t.Fatalf("got %#x %q %q %v", tag, c, r, err)
			}
			// The string form must agree with the byte form.
			stag, sc, sr, err := Next(string(tc.in))
			if err != nil || stag != tag || sc != string(c) || sr != string(r) {
				t.Fatalf("string form: %#x %q %q %v", stag, sc, sr, err)
			}
		})
	}
	if _, _, err := Expect([]byte{0x04, 0}, 0x30); err == nil {
		t.Fatal("Expect accepted a wrong tag")
	}
}

func TestInt(t *testing.T) {
	for _, v := range []int64{0, 1, 127, 128, 255, 256, -1, -128, -129, 1<<31 - 1, -1 << 31} {
		enc := AppendInt(nil, TagInteger, v)
		c, rest, err := Expect(enc, TagInteger)
		if err != nil || len(rest) != 0 {
			t.Fatalf("%d: %v", v, err)
		}
		got, err := Int(c)
		if err != nil || got != v {
			t.Fatalf("%d: encoded % x, decoded %d, %v", v, enc, got, err)
		}
	}
	// Minimal encodings.
	if enc := AppendInt(nil, TagInteger, 128); !bytes.Equal(enc, []byte{2, 2, 0, 0x80}) {
		t.Fatalf("128 encoded as % x", enc)
	}
	for _, bad := range [][]byte{nil, {1, 2, 3, 4, 5, 6}, {0x00, 0x80, 0, 0, 0}, {0xff, 0x7f, 0xff, 0xff, 0xff}} {
		if v, err := Int(bad); err == nil {
			t.Fatalf("Int(% x) = %d, want an error", bad, v)
		}
	}
}

func TestAppendHeaderLengths(t *testing.T) {
	for _, n := range []int{0, 127, 128, 255, 256, 65535, 65536, 1 << 24} {
		content := make([]byte, n)
		enc := AppendTLV(nil, TagOctetString, content)
		c, rest, err := Expect(enc, TagOctetString)
		if err != nil || len(c) != n || len(rest) != 0 {
			t.Fatalf("length %d: %v", n, err)
		}
	}
}

func TestReadMessage(t *testing.T) {
	msg := AppendTLV(nil, TagSequence, AppendString(nil, TagOctetString, strings.Repeat("x", 300)))
	for _, tc := range []struct {
		name  string
		in    []byte
		limit int
		want  error // nil: success; else errors.Is target, or a *Error
	}{
		{name: "whole", in: msg, limit: 1 << 20},
		{name: "clean end", in: nil, limit: 1 << 20, want: io.EOF},
		{name: "truncated header", in: msg[:1], limit: 1 << 20, want: io.ErrUnexpectedEOF},
		{name: "truncated length", in: msg[:3], limit: 1 << 20, want: io.ErrUnexpectedEOF},
		{name: "truncated body", in: msg[:len(msg)-1], limit: 1 << 20, want: io.ErrUnexpectedEOF},
		{name: "over the limit", in: msg, limit: 100, want: ErrTooLong},
		{name: "huge length, nothing behind it", in: []byte{0x30, 0x84, 0x7f, 0xff, 0xff, 0xff}, limit: 64 << 20, want: ErrTooLong},
		{name: "indefinite", in: []byte{0x30, 0x80, 0, 0}, limit: 1 << 20},
		{name: "wrong tag", in: []byte{0x31, 0}, limit: 1 << 20},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _, err := ReadMessage(bufio.NewReader(bytes.NewReader(tc.in)), TagSequence, nil, tc.limit)
			switch {
			case tc.name == "whole":
				if err != nil || !bytes.Equal(c, msg[4:]) {
					t.Fatalf("got %d bytes, %v", len(c), err)
				}
			case tc.want != nil:
				if !errors.Is(err, tc.want) {
					t.Fatalf("err %v, want %v", err, tc.want)
				}
			default:
				var be *Error
				if !errors.As(err, &be) {
					t.Fatalf("err %v, want a *ber.Error", err)
				}
			}
		})
	}
}
