package config

import (
	"fmt"

	"github.com/go-ldap/ldap/v3"
)

// dirDN handles basedn, groupdn and binddn: each must parse as a DN
// (RFC 4514), so a typo fails here and not at the first refresh.
func (fp *fileParser) dirDN(ds *dirState, t token) *Error {
	if e := once(ds.seen, ds.file, t.line, t.text); e != nil {
		return e
	}
	a, e := fp.arg(t.text, "distinguished name")
	if e != nil {
		return e
	}
	if a.text == "" {
		return fp.errorf(a.line, t.text, "empty distinguished name")
	}
	if _, err := ldap.ParseDN(a.text); err != nil {
		return fp.errorf(a.line, t.text, "%q is not a valid DN: %v", a.text, err)
	}
	switch t.text {
	case "basedn":
		ds.d.BaseDN = a.text
	case "groupdn":
		ds.d.GroupDN = a.text
	case "binddn":
		ds.d.BindDN = a.text
	}
	return nil
}

// dirBindCred marks the file as holding a secret: Load then refuses it if
// anyone but its owner can read it (ypldap's check_file_secrecy). When the
// password comes from a macro (ypldap allows macros anywhere, so a stock
// ypldap.conf may say `bindcred $pw`), every file its value passed through
// is marked too: the text of the password sits in the file that defined
// the macro, which may be an included, world-readable one.
func (fp *fileParser) dirBindCred(ds *dirState, t token) *Error {
	if e := once(ds.seen, ds.file, t.line, "bindcred"); e != nil {
		return e
	}
	a, e := fp.arg("bindcred", "password")
	if e != nil {
		return e
	}
	if a.text == "" {
		// RFC 4513 5.1.2: a simple bind with an empty password is an
		// unauthenticated bind, which servers answer with success.
		return fp.errorf(a.line, "bindcred", "empty password (an empty simple bind is anonymous; leave binddn and bindcred out instead)")
	}
	ds.d.BindCred = a.text
	for _, o := range fp.p.macroFrom[a.macro] {
		o.src.markSecret(o.line, fmt.Sprintf("macro $%s, used by bindcred at %s:%d", o.name, fp.src.name, a.line))
	}
	fp.src.markSecret(a.line, "")
	return nil
}

// dirPath handles bindcredfile, cafile, certfile and keyfile.
func (fp *fileParser) dirPath(ds *dirState, t token) *Error {
	if e := once(ds.seen, ds.file, t.line, t.text); e != nil {
		return e
	}
	p, e := fp.path(t.text)
	if e != nil {
		return e
	}
	switch t.text {
	case "bindcredfile":
		ds.d.BindCredFile = p
		ds.d.credFileLine = t.line
	case "cafile":
		ds.d.CAFile = p
	case "certfile":
		ds.d.CertFile = p
	case "keyfile":
		ds.d.KeyFile = p
	}
	return nil
}

// dirBindExt handles `bindext ["authzid"]`: SASL EXTERNAL with the client
// certificate, optionally asking for another authorization identity.
func (fp *fileParser) dirBindExt(ds *dirState, t token) *Error {
	if e := once(ds.seen, ds.file, t.line, "bindext"); e != nil {
		return e
	}
	ds.d.BindExt = true
	n, e := fp.peek()
	if e != nil {
		return e
	}
	if n.kind == tWord || n.kind == tString {
		fp.peeked = nil
		ds.d.BindExtID = n.text
	}
	return nil
}

// dirFilter handles `passwd filter "…"` and `group filter "…"`; the filter
// is compiled (RFC 4515) so that a typo fails the load.
func (fp *fileParser) dirFilter(ds *dirState, t token) *Error {
	d := t.text + " filter"
	if e := fp.keyword(t.text, "filter"); e != nil {
		return e
	}
	if e := once(ds.seen, ds.file, t.line, d); e != nil {
		return e
	}
	a, e := fp.arg(d, "LDAP filter")
	if e != nil {
		return e
	}
	if _, err := ldap.CompileFilter(a.text); err != nil {
		return fp.errorf(a.line, d, "%q is not a valid LDAP filter: %v", a.text, err)
	}
	if t.text == "passwd" {
		ds.d.PasswdFilter = a.text
	} else {
		ds.d.GroupFilter = a.text
	}
	return nil
}
