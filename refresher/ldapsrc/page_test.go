package ldapsrc

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"reflect"
	"testing"

	"github.com/go-ldap/ldap/v3"

	"github.com/ldapidm/ldapidm/refresher/ldapsrc/ber"
)

// Builders for what a server sends, in the wire format of RFC 4511.

type attr struct {
	name string
	vals []string
}

func entryOp(dn string, attrs ...attr) []byte {
	var list []byte
	for _, a := range attrs {
		var set []byte
		for _, v := range a.vals {
			set = ber.AppendString(set, ber.TagOctetString, v)
		}
		pa := ber.AppendString(nil, ber.TagOctetString, a.name)
		pa = ber.AppendTLV(pa, ber.TagSet, set)
		list = ber.AppendTLV(list, ber.TagSequence, pa)
	}
	b := ber.AppendString(nil, ber.TagOctetString, dn)
	b = ber.AppendTLV(b, ber.TagSequence, list)
	return ber.AppendTLV(nil, opSearchEntry, b)
}

func resultOp(tag byte, code int64, diag string) []byte {
	b := ber.AppendInt(nil, ber.TagEnumerated, code)
	b = ber.AppendString(b, ber.TagOctetString, "")
	b = ber.AppendString(b, ber.TagOctetString, diag)
	return ber.AppendTLV(nil, tag, b)
}

// pagedControls is a response's Controls with the paging cookie.
func pagedControls(cookie string) []byte {
	return pagingControl(0, []byte(cookie))
}

func msg(id int32, op, controls []byte) []byte { return appendMessage(nil, id, op, controls) }

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// readFrom runs readPage for search id 7 on a stream holding in.
func readFrom(in []byte, attrs ...string) ([]Entry, []byte, bool, error) {
	c := &Conn{w: &wire{br: bufio.NewReader(bytes.NewReader(in))}, opts: Options{PageSize: 4}}
	return c.readPage(7, newEntryDecoder(attrs), &pageTail{expected: 4})
}

var (
	alice = entryOp("uid=alice,ou=people,dc=x", attr{"uid", []string{"alice"}}, attr{"uidNumber", []string{"1001"}},
		attr{"objectClass", []string{"posixAccount", "top"}})
	bob  = entryOp("uid=bob,ou=people,dc=x", attr{"UID", []string{"bob", "robert"}})
	done = msg(7, resultOp(opSearchDone, 0, ""), pagedControls("next"))
	last = msg(7, resultOp(opSearchDone, 0, ""), pagedControls(""))
)

func TestReadPage(t *testing.T) {
	good := cat(msg(7, alice, nil), msg(7, bob, nil), done)
	entries, cookie, more, err := readFrom(good, "uid", "uidNumber")
	if err != nil || !more || string(cookie) != "next" || len(entries) != 2 {
		t.Fatalf("got %d entries, cookie %q more %v, err %v", len(entries), cookie, more, err)
	}
	want := []Entry{
		// objectClass was not asked for: dropped. Attribute types match
		// case-insensitively (bob's "UID"); Vals follow the requested
		// order, nil for an absent attribute.
		{DN: "uid=alice,ou=people,dc=x", Vals: [][]string{{"alice"}, {"1001"}}},
		{DN: "uid=bob,ou=people,dc=x", Vals: [][]string{{"bob", "robert"}, nil}},
	}
	if !reflect.DeepEqual(entries, want) {
		t.Fatalf("got %+v\nwant %+v", entries, want)
	}
	// Value slices and Vals are capped: appending to one never overwrites
	// another attribute's values or the next entry's.
	_ = append(entries[0].Vals[0], "intruder")
	if entries[0].Vals[1][0] != "1001" {
		t.Fatal("appending to one attribute's values overwrote another's")
	}
	_ = append(entries[0].Vals, []string{"intruder"})
	if entries[1].Vals[0][0] != "bob" {
		t.Fatal("appending to one entry's Vals overwrote the next entry's")
	}
	// The same type twice (as options could make it): every value kept,
	// without writing into the slab.
	twice := entryOp("uid=carol,dc=x", attr{"uid", []string{"carol"}}, attr{"uidNumber", []string{"7"}},
		attr{"UID", []string{"c"}})
	es, _, _, err := readFrom(cat(msg(7, twice, nil), msg(7, alice, nil), last), "uid", "uidNumber")
	if err != nil || len(es) != 2 || !reflect.DeepEqual(es[0].Vals, [][]string{{"carol", "c"}, {"7"}}) ||
		!reflect.DeepEqual(es[1].Vals, [][]string{{"alice"}, {"1001"}}) {
		t.Fatalf("repeated type: %+v, err %v", es, err)
	}
	if _, _, more, err := readFrom(cat(msg(7, alice, nil), last), "uid"); err != nil || more {
		t.Fatalf("empty cookie: more %v, err %v", more, err)
	}
	// No paging control in the answer: the server ignored ours, this was all.
	if es, _, more, err := readFrom(cat(msg(7, alice, nil), msg(7, resultOp(opSearchDone, 0, ""), nil)), "uid"); err != nil || more || len(es) != 1 {
		t.Fatalf("no control: %d entries, more %v, err %v", len(es), more, err)
	}
}

func TestReadPageHostile(t *testing.T) {
	aliceMsg := msg(7, alice, nil)
	for _, tc := range []struct {
		name string
		in   []byte
		code uint16 // when the failure is an LDAP result code
		is   error  // when errors.Is must hold
	}{
		{name: "nothing", in: nil, is: io.EOF},
		{name: "entries then end of stream", in: aliceMsg, is: io.EOF},
		{name: "truncated entry", in: aliceMsg[:len(aliceMsg)-3], is: io.ErrUnexpectedEOF},
		{name: "truncated done", in: cat(aliceMsg, done[:len(done)-1]), is: io.ErrUnexpectedEOF},
		{name: "message over the limit", in: []byte{0x30, 0x84, 0x7f, 0xff, 0xff, 0xff}, is: ber.ErrTooLong},
		{name: "indefinite length", in: append([]byte{0x30, 0x80}, aliceMsg[2:]...)},
		{name: "message not a SEQUENCE", in: append([]byte{0x31}, aliceMsg[1:]...)},
		{name: "message ID not an INTEGER", in: func() []byte {
			b := bytes.Clone(aliceMsg)
			b[2] = ber.TagOctetString
			return b
		}()},
		{name: "inner length past the end", in: func() []byte {
			op := bytes.Clone(alice)
			op[3] = 0x7f // the DN's length
			return msg(7, op, nil)
		}()},
		{name: "attribute values not a SET", in: msg(7, func() []byte {
			op := entryOp("cn=x", attr{"uid", []string{"x"}})
			i := bytes.IndexByte(op, ber.TagSet)
			op[i] = ber.TagSequence
			return op
		}(), nil)},
		{name: "value not an OCTET STRING", in: msg(7, func() []byte {
			op := entryOp("cn=x", attr{"uid", []string{"x"}})
			op[len(op)-3] = ber.TagInteger
			return op
		}(), nil)},
		{name: "trailing bytes in an entry", in: msg(7, func() []byte {
			op := entryOp("cn=x")
			body, _, _ := ber.Expect(op, opSearchEntry)
			return ber.AppendTLV(nil, opSearchEntry, append(bytes.Clone(body), 4, 0))
		}(), nil)},
		{name: "wrong message ID", in: cat(msg(8, alice, nil), done)},
		{name: "unexpected operation", in: cat(msg(7, resultOp(opBindResponse, 0, ""), nil), done)},
		{name: "notice of disconnection", in: cat(aliceMsg, msg(0, resultOp(opExtendedResp, 52, "shutting down"), nil)), code: 52},
		{name: "unsolicited non-notice", in: cat(msg(0, alice, nil), done)},
		{name: "continuation reference", in: cat(aliceMsg, msg(7, ber.AppendTLV(nil, opSearchRef, ber.AppendString(nil, ber.TagOctetString, "ldap://elsewhere/")), nil), done), is: ErrReferral},
		{name: "size limit after entries", in: cat(aliceMsg, msg(7, resultOp(opSearchDone, 4, "size limit"), nil)), code: 4},
		{name: "referral result", in: msg(7, resultOp(opSearchDone, 10, ""), nil), code: 10},
		{name: "time limit", in: msg(7, resultOp(opSearchDone, 3, ""), pagedControls("c")), code: 3},
		{name: "malformed paging control", in: cat(aliceMsg, msg(7, resultOp(opSearchDone, 0, ""),
			ber.AppendTLV(nil, tagControls, ber.AppendTLV(nil, ber.TagSequence,
				ber.AppendString(ber.AppendString(nil, ber.TagOctetString, oidPagedResults), ber.TagOctetString, "junk")))))},
		{name: "bytes after the controls", in: append(bytes.Clone(done[:len(done)]), 0)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			if tc.name == "bytes after the controls" {
				// Grow the message's length to cover a stray byte.
				body, _, _ := ber.Expect(done, ber.TagSequence)
				in = ber.AppendTLV(nil, ber.TagSequence, append(bytes.Clone(body), 4, 0))
			}
			es, cookie, more, err := readFrom(in, "uid")
			if err == nil || es != nil || cookie != nil || more {
				t.Fatalf("got %d entries, cookie %q, more %v, err %v; want a failure and nothing else", len(es), cookie, more, err)
			}
			switch {
			case tc.code != 0:
				if !ldap.IsErrorWithCode(err, tc.code) {
					t.Fatalf("err %v, want result code %d", err, tc.code)
				}
			case tc.is != nil:
				if !errors.Is(err, tc.is) {
					t.Fatalf("err %v, want %v", err, tc.is)
				}
			default:
				var be *ber.Error
				var pe *ProtocolError
				if !errors.As(err, &be) && !errors.As(err, &pe) {
					t.Fatalf("err %T %v, want a malformed-message error", err, err)
				}
			}
		})
	}
}

// FuzzReadPage feeds arbitrary server bytes to the page reader: it must
// never panic, and it must never call a stream a complete page unless
// every byte up to the SearchResultDone was there: any shorter prefix of
// an input it accepts must fail.
func FuzzReadPage(f *testing.F) {
	f.Add(cat(msg(7, alice, nil), msg(7, bob, nil), done))
	f.Add(cat(msg(7, alice, nil), last))
	f.Add(cat(msg(7, bob, nil), msg(0, resultOp(opExtendedResp, 52, "bye"), nil)))
	f.Add(cat(msg(7, alice, nil), msg(7, resultOp(opSearchDone, 4, "limit"), nil)))
	f.Add([]byte{0x30, 0x84, 0x7f, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, in []byte) {
		es, cookie, more, err := readFrom(in, "uid", "uidnumber")
		if err != nil {
			if es != nil || cookie != nil || more {
				t.Fatalf("error %v returned with %d entries", err, len(es))
			}
			return
		}
		if more && len(cookie) == 0 {
			t.Fatal("more pages without a cookie")
		}
		for _, e := range es {
			if len(e.Vals) != 2 {
				t.Fatalf("entry %q: %d value lists; want the 2 requested", e.DN, len(e.Vals))
			}
		}
		for n := 0; n < len(in); n++ {
			// Where the accepted page ends is where the reader stopped;
			// cutting anywhere before the end of the Done must fail.
			pes, _, _, perr := readFrom(in[:n], "uid", "uidnumber")
			if perr == nil && n < pageEnd(in) {
				t.Fatalf("prefix of %d/%d bytes accepted with %d entries", n, len(in), len(pes))
			}
		}
	})
}

// pageEnd is the length of the messages readPage consumes from in, up to
// and including the first SearchResultDone (the whole input when none).
func pageEnd(in []byte) int {
	off := 0
	for off < len(in) {
		_, body, rest, err := ber.Next(in[off:])
		if err != nil {
			return len(in)
		}
		end := len(in) - len(rest)
		if _, r, err := ber.Expect(body, ber.TagInteger); err == nil && len(r) > 0 && r[0] == opSearchDone {
			return end
		}
		off = end
	}
	return len(in)
}
