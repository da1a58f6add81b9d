package ldapsrc

import (
	"errors"
	"fmt"
	"strings"

	"github.com/go-ldap/ldap/v3"

	"github.com/ldapidm/ldapidm/refresher/ldapsrc/ber"
)

// Protocol operation tags (RFC 4511 §4.2–§4.13): APPLICATION class,
// constructed except UnbindRequest (a NULL).
const (
	opBindRequest    = 0x60 // [APPLICATION 0]
	opBindResponse   = 0x61 // [APPLICATION 1]
	opUnbindRequest  = 0x42 // [APPLICATION 2], primitive
	opSearchRequest  = 0x63 // [APPLICATION 3]
	opSearchEntry    = 0x64 // [APPLICATION 4]
	opSearchDone     = 0x65 // [APPLICATION 5]
	opSearchRef      = 0x73 // [APPLICATION 19]
	opExtendedReq    = 0x77 // [APPLICATION 23]
	opExtendedResp   = 0x78 // [APPLICATION 24]
	tagControls      = 0xa0 // [0] Controls in an LDAPMessage
	tagReferral      = 0xa3 // [3] Referral in an LDAPResult
	tagSimpleAuth    = 0x80 // [0] simple password in a BindRequest
	tagSASLAuth      = 0xa3 // [3] SaslCredentials in a BindRequest
	tagExtReqName    = 0x80 // [0] requestName of an ExtendedRequest
	tagExtRespValue  = 0x8b // [11] responseValue of an ExtendedResponse
	scopeSubtree     = 2    // wholeSubtree
	derefNever       = 0    // neverDerefAliases
	ldapVersion      = 3
	oidStartTLS      = "1.3.6.1.4.1.1466.20037" // RFC 4511 §4.14
	oidPagedResults  = "1.2.840.113556.1.4.319" // RFC 2696
	resultSuccess    = 0
	resultProtocol   = 2  // protocolError, for what the server got wrong
	resultUnavailabl = 52 // unavailable
)

// ProtocolError is a message from the server that breaks RFC 4511 (bad
// BER, an unexpected operation or message ID). The search fails with it.
type ProtocolError struct{ Reason string }

func (e *ProtocolError) Error() string { return "LDAP protocol error: " + e.Reason }

func protoErr(format string, args ...any) error {
	return &ProtocolError{Reason: fmt.Sprintf(format, args...)}
}

// appendMessage appends an LDAPMessage: SEQUENCE { messageID, protocolOp,
// [0] Controls OPTIONAL }. op and controls are whole encoded elements.
func appendMessage(dst []byte, id int32, op, controls []byte) []byte {
	var idb [6]byte
	idEnc := ber.AppendInt(idb[:0], ber.TagInteger, int64(id))
	dst = ber.AppendHeader(dst, ber.TagSequence, len(idEnc)+len(op)+len(controls))
	dst = append(dst, idEnc...)
	dst = append(dst, op...)
	return append(dst, controls...)
}

// simpleBind is a BindRequest with simple authentication.
func simpleBind(dn, password string) []byte {
	var b []byte
	b = ber.AppendInt(b, ber.TagInteger, ldapVersion)
	b = ber.AppendString(b, ber.TagOctetString, dn)
	b = ber.AppendString(b, tagSimpleAuth, password)
	return ber.AppendTLV(nil, opBindRequest, b)
}

// externalBind is a BindRequest for SASL EXTERNAL (RFC 4513 §5.2.3) with
// an empty initial response: no authorization identity asked for, the
// identity is the TLS client certificate's (RFC 4422 Appendix A). Without
// the initial response the server answers saslBindInProgress and waits
// for a second round.
func externalBind() []byte {
	var b []byte
	b = ber.AppendInt(b, ber.TagInteger, ldapVersion)
	b = ber.AppendString(b, ber.TagOctetString, "")
	var sasl []byte
	sasl = ber.AppendString(sasl, ber.TagOctetString, "EXTERNAL")
	sasl = ber.AppendString(sasl, ber.TagOctetString, "")
	b = ber.AppendTLV(b, tagSASLAuth, sasl)
	return ber.AppendTLV(nil, opBindRequest, b)
}

// extendedRequest is an ExtendedRequest with no value (StartTLS, WhoAmI).
func extendedRequest(oid string) []byte {
	return ber.AppendTLV(nil, opExtendedReq, ber.AppendString(nil, tagExtReqName, oid))
}

// searchRequest is a subtree SearchRequest, aliases never dereferenced, no
// size limit (the paged control sizes each page), timeLimit in seconds.
// filter is the already encoded Filter element.
func searchRequest(base string, filter []byte, attrs []string, timeLimit int) []byte {
	var b []byte
	b = ber.AppendString(b, ber.TagOctetString, base)
	b = ber.AppendInt(b, ber.TagEnumerated, scopeSubtree)
	b = ber.AppendInt(b, ber.TagEnumerated, derefNever)
	b = ber.AppendInt(b, ber.TagInteger, 0)
	b = ber.AppendInt(b, ber.TagInteger, int64(timeLimit))
	b = ber.AppendBool(b, ber.TagBoolean, false)
	b = append(b, filter...)
	var al []byte
	for _, a := range attrs {
		al = ber.AppendString(al, ber.TagOctetString, a)
	}
	b = ber.AppendTLV(b, ber.TagSequence, al)
	return ber.AppendTLV(nil, opSearchRequest, b)
}

// pagingControl is the Controls element holding one non-critical RFC 2696
// control: SEQUENCE { size INTEGER, cookie OCTET STRING }.
func pagingControl(size uint32, cookie []byte) []byte {
	var v []byte
	v = ber.AppendInt(v, ber.TagInteger, int64(size))
	v = ber.AppendTLV(v, ber.TagOctetString, cookie)
	v = ber.AppendTLV(nil, ber.TagSequence, v)
	var c []byte
	c = ber.AppendString(c, ber.TagOctetString, oidPagedResults)
	c = ber.AppendTLV(c, ber.TagOctetString, v)
	return ber.AppendTLV(nil, tagControls, ber.AppendTLV(nil, ber.TagSequence, c))
}

// encodeFilter compiles an RFC 4515 filter string to its BER element.
// go-ldap's compiler is used once per search, never per entry.
func encodeFilter(filter string) ([]byte, error) {
	p, err := ldap.CompileFilter(filter)
	if err != nil {
		return nil, err
	}
	return p.Bytes(), nil
}

// result is a decoded LDAPResult (RFC 4511 §4.1.9) plus what follows it in
// the operation (an ExtendedResponse's name and value).
type result struct {
	code      int64
	matchedDN string
	diag      string
	referrals []string
	tail      []byte
}

// parseResult decodes the content of an operation built on LDAPResult.
func parseResult(b []byte) (result, error) {
	var r result
	c, rest, err := ber.Expect(b, ber.TagEnumerated)
	if err != nil {
		return r, err
	}
	if r.code, err = ber.Int(c); err != nil {
		return r, err
	}
	if c, rest, err = ber.Expect(rest, ber.TagOctetString); err != nil {
		return r, err
	}
	r.matchedDN = string(c)
	if c, rest, err = ber.Expect(rest, ber.TagOctetString); err != nil {
		return r, err
	}
	r.diag = string(c)
	if len(rest) > 0 && rest[0] == tagReferral {
		var refs []byte
		if refs, rest, err = ber.Expect(rest, tagReferral); err != nil {
			return r, err
		}
		for len(refs) > 0 {
			if c, refs, err = ber.Expect(refs, ber.TagOctetString); err != nil {
				return r, err
			}
			r.referrals = append(r.referrals, string(c))
		}
	}
	r.tail = rest
	return r, nil
}

// err is nil for success and otherwise a *ldap.Error carrying the code, so
// callers can test codes with ldap.IsErrorWithCode as with go-ldap.
func (r *result) err() error {
	if r.code == resultSuccess {
		return nil
	}
	msg := r.diag
	if len(r.referrals) > 0 {
		msg += " (referral to " + strings.Join(r.referrals, " ") + ")"
	}
	code := r.code
	if code < 0 || code > 0xffff {
		code = resultProtocol
	}
	return &ldap.Error{ResultCode: uint16(code), MatchedDN: r.matchedDN, Err: errors.New(msg)}
}

// notice turns an unsolicited notification (message ID 0, RFC 4511
// §4.4) into the error that ends the operation in flight: normally a
// Notice of Disconnection, after which the server closes the connection.
func notice(tag byte, op []byte) error {
	if tag != opExtendedResp {
		return protoErr("unsolicited message with operation %#02x", tag)
	}
	r, err := parseResult(op)
	if err != nil {
		return protoErr("unsolicited notification: %v", err)
	}
	if r.code == resultSuccess {
		r.code = resultUnavailabl
	}
	return fmt.Errorf("server sent a notice of disconnection: %w", r.err())
}

// pagingCookie finds the RFC 2696 response control among an LDAPMessage's
// controls and returns its cookie; found is false when the server sent no
// paging control (it ignored our non-critical one).
func pagingCookie(controls []byte) (cookie []byte, found bool, err error) {
	for len(controls) > 0 {
		var ctl []byte
		if ctl, controls, err = ber.Expect(controls, ber.TagSequence); err != nil {
			return nil, false, err
		}
		oid, rest, err := ber.Expect(ctl, ber.TagOctetString)
		if err != nil {
			return nil, false, err
		}
		if string(oid) != oidPagedResults {
			continue
		}
		if len(rest) > 0 && rest[0] == ber.TagBoolean {
			if _, rest, err = ber.Expect(rest, ber.TagBoolean); err != nil {
				return nil, false, err
			}
		}
		val, _, err := ber.Expect(rest, ber.TagOctetString)
		if err != nil {
			return nil, false, err
		}
		seq, _, err := ber.Expect(val, ber.TagSequence)
		if err != nil {
			return nil, false, err
		}
		_, seq, err = ber.Expect(seq, ber.TagInteger) // size estimate, unused
		if err != nil {
			return nil, false, err
		}
		c, _, err := ber.Expect(seq, ber.TagOctetString)
		if err != nil {
			return nil, false, err
		}
		// The cookie outlives the message buffer it points into.
		return append([]byte(nil), c...), true, nil
	}
	return nil, false, nil
}
