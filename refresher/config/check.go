package config

import (
	"fmt"
	"strconv"
)

// check validates the combinations inside one directory block once it is
// closed. Each error points at the line that makes the combination wrong.
func (ds *dirState) check() *Error {
	d, s := ds.d, ds.seen
	fail := func(directive, format string, args ...any) *Error {
		line, ok := s[directive]
		if !ok {
			line = d.Line
		}
		return errorf(ds.file, line, directive, format, args...)
	}
	if d.BaseDN == "" {
		return errorf(ds.file, d.Line, "directory", "basedn is missing (every directory needs the base of its searches)")
	}
	if d.BindCred != "" && d.BindCredFile != "" {
		return fail(later(s, "bindcred", "bindcredfile"), "bindcred and bindcredfile are exclusive (give the password once)")
	}
	hasCred := d.BindCred != "" || d.BindCredFile != ""
	if d.BindExt {
		switch {
		case d.BindDN != "" || hasCred:
			return fail("bindext", "bindext is exclusive with binddn/bindcred/bindcredfile (SASL EXTERNAL authenticates with the certificate)")
		case d.CertFile == "" || d.KeyFile == "":
			return fail("bindext", "bindext needs certfile and keyfile (the client certificate it authenticates with)")
		case d.TLS == TLSNone:
			return fail("bindext", "bindext needs tls or ldaps on the directory line (the certificate is presented in the TLS handshake)")
		}
	}
	if d.BindDN != "" && !hasCred && !d.BindExt {
		return fail("binddn", "binddn without bindcred or bindcredfile (a simple bind without a password is anonymous)")
	}
	if hasCred && d.BindDN == "" {
		return fail(later(s, "bindcred", "bindcredfile"), "a password without binddn (add the DN to bind as)")
	}
	if (d.CertFile == "") != (d.KeyFile == "") {
		return fail(later(s, "certfile", "keyfile"), "certfile and keyfile go together (the certificate and its private key)")
	}
	if d.NestedDepth > 0 && !d.MembersAreDNs() {
		return fail("nested depth", "nested groups need members given as DNs: add `list groupmembers maps to \"member\"` (RFC 2307bis)")
	}
	if d.TLS == TLSNone {
		for _, k := range []string{"cafile", "certfile", "keyfile"} {
			if _, ok := s[k]; ok {
				return fail(k, "%s has no effect without tls or ldaps on the directory line", k)
			}
		}
	}
	return nil
}

// later returns whichever of two directives was given (the later if both).
func later(s map[string]int, a, b string) string {
	if s[b] > s[a] {
		return b
	}
	return a
}

// finish applies cross-directive defaults and checks once every file is
// read, and builds the notices.
func (p *parser) finish() *Error {
	c := p.cfg
	if len(c.Directories) == 0 {
		return errorf(c.File, 0, "directory", "no directory block: at least one `directory \"host\" { basedn \"…\" }` is required")
	}
	if !p.jitterSet {
		c.Jitter = c.Interval / 10
	} else if c.Jitter >= c.Interval {
		return errorf(c.File, p.seen["jitter"], "jitter", "jitter %s must be shorter than the interval %s", c.Jitter, c.Interval)
	}
	for _, ds := range p.dirs {
		d := ds.d
		if d.CAFile == "" {
			d.CAFile = c.CAFile
		}
		d.fillDefaults()
		if v, ok := d.Fixed[FieldGID]; ok {
			n, _ := strconv.ParseUint(v, 10, 64)
			if n < uint64(c.GIDMin) || n > uint64(c.GIDMax) {
				return errorf(ds.file, ds.fieldLine[FieldGID], "fixed attribute gid", "gid %s is outside gidrange %d-%d (a fixed gid is checked like one from LDAP: widen gidrange if you mean it)", v, c.GIDMin, c.GIDMax)
			}
		}
	}
	if n := p.ignored.notice(); n != "" {
		c.Notices = append(c.Notices, n)
	}
	for _, ds := range p.dirs {
		c.Notices = append(c.Notices, ds.notices()...)
	}
	return nil
}

// notices are legal settings an operator most likely did not mean.
func (ds *dirState) notices() []string {
	d := ds.d
	var out []string
	where := fmt.Sprintf("%s:%d: directory %q", ds.file, d.Line, d.Servers[0].Host)
	if d.TLS == TLSNone && (d.BindCred != "" || d.BindCredFile != "") {
		out = append(out, where+" sends its bind password unencrypted: add tls or ldaps")
	}
	if v, ok := d.Fixed[FieldPasswd]; ok && d.Shadow {
		out = append(out, fmt.Sprintf("%s serves shadow but passwd is fixed to %q: no LDAP password hash reaches shadow(5) (map passwd to userPassword)", where, v))
	}
	return out
}
