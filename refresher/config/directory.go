package config

import (
	"net"
	"strings"
)

// dirState is a directory block being parsed: the lines of what it holds,
// for messages about duplicates and about combinations checked at its end.
type dirState struct {
	d         *Directory
	file      string
	seen      map[string]int // single-valued directive → line
	fieldLine map[Field]int
}

type dirHandler func(fp *fileParser, ds *dirState, t token) *Error

var dirLevel map[string]dirHandler

func init() {
	dirLevel = map[string]dirHandler{
		"basedn":       (*fileParser).dirDN,
		"groupdn":      (*fileParser).dirDN,
		"binddn":       (*fileParser).dirDN,
		"bindcred":     (*fileParser).dirBindCred,
		"bindcredfile": (*fileParser).dirPath,
		"cafile":       (*fileParser).dirPath,
		"certfile":     (*fileParser).dirPath,
		"keyfile":      (*fileParser).dirPath,
		"bindext":      (*fileParser).dirBindExt,
		"passwd":       (*fileParser).dirFilter,
		"group":        (*fileParser).dirFilter,
		"attribute":    (*fileParser).dirAttribute,
		"fixed":        (*fileParser).dirFixed,
		"list":         (*fileParser).dirList,
		"server":       (*fileParser).dirServer,
		"shadow":       (*fileParser).dirShadow,
		"nested":       (*fileParser).dirNested,
	}
}

// directory parses `directory "host" [port N] [tls | ldaps] { … }`.
func (fp *fileParser) directory(t token) *Error {
	h, e := fp.arg("directory", "host name")
	if e != nil {
		return e
	}
	host, ok := normHost(h.text)
	if !ok {
		return fp.errorf(h.line, "directory", "%q is not a host name or IP address", h.text)
	}
	ds := &dirState{
		d: &Directory{
			Line: t.line, Servers: []Server{{Host: host}},
			Attr: map[Field]string{}, Fixed: map[Field]string{}, List: map[Field]string{},
			file: fp.src.name,
		},
		file:      fp.src.name,
		seen:      map[string]int{},
		fieldLine: map[Field]int{},
	}
	if e := fp.directoryOptions(ds); e != nil {
		return e
	}
	if e := fp.directoryBody(ds, t); e != nil {
		return e
	}
	if e := fp.endStmt("directory", false); e != nil {
		return e
	}
	if e := ds.check(); e != nil {
		return e
	}
	fp.p.cfg.Directories = append(fp.p.cfg.Directories, ds.d)
	fp.p.dirs = append(fp.p.dirs, ds)
	return nil
}

// directoryOptions reads what stands between the host and '{'. ypldap wants
// `port` before `tls`/`ldaps`; either order is accepted here.
func (fp *fileParser) directoryOptions(ds *dirState) *Error {
	for {
		o, e := fp.next()
		if e != nil {
			return e
		}
		switch {
		case o.kind == tLBrace:
			return nil
		case o.kind == tWord && o.text == "port":
			if e := once(ds.seen, ds.file, o.line, "port"); e != nil {
				return e
			}
			p, e := fp.port("directory")
			if e != nil {
				return e
			}
			ds.d.Servers[0].Port = p
		case o.kind == tWord && (o.text == "tls" || o.text == "ldaps"):
			if first, ok := ds.seen["tls/ldaps"]; ok {
				return fp.errorf(o.line, "directory", "tls and ldaps are exclusive and given once (first at line %d): tls is STARTTLS on the ldap port, ldaps is TLS from the first byte", first)
			}
			ds.seen["tls/ldaps"] = o.line
			ds.d.TLS = TLSStartTLS
			if o.text == "ldaps" {
				ds.d.TLS = TLSLDAPS
			}
		case o.kind == tNewline || o.kind == tEOF:
			return fp.errorf(o.line, "directory", "expected '{' on the same line as directory")
		default:
			return fp.errorf(o.line, "directory", "unexpected %s (expected port, tls, ldaps or '{')", o.describe())
		}
	}
}

func (fp *fileParser) directoryBody(ds *dirState, open token) *Error {
	for {
		s, e := fp.next()
		if e != nil {
			return e
		}
		switch s.kind {
		case tRBrace:
			return nil
		case tNewline:
			continue
		case tEOF:
			return fp.errorf(open.line, "directory", "block is not closed: '}' missing before end of file")
		case tWord:
			if n, e := fp.peek(); e != nil {
				return e
			} else if n.kind == tEquals {
				return fp.errorf(s.line, s.text, "macros can only be defined outside directory blocks")
			}
			h, ok := dirLevel[s.text]
			if !ok {
				if _, top := topLevel[s.text]; top {
					return fp.errorf(s.line, s.text, "not allowed inside a directory block (missing '}' above?)")
				}
				return fp.errorf(s.line, s.text, "unknown directive in directory block")
			}
			if e := h(fp, ds, s); e != nil {
				return e
			}
			if e := fp.endStmt(s.text, true); e != nil {
				return e
			}
		case tLBrace:
			return fp.errorf(s.line, "directory", "unexpected '{': directory blocks do not nest")
		default:
			return fp.errorf(s.line, "directory", "unexpected %s at the start of a statement", s.describe())
		}
	}
}

// port reads `port N` or `port NAME` (a service name, as in ypldap).
func (fp *fileParser) port(directive string) (int, *Error) {
	t, e := fp.arg(directive, "port")
	if e != nil {
		return 0, e
	}
	if t.text == "" {
		return 0, fp.errorf(t.line, directive, "empty port")
	}
	if c := t.text[0]; c == '-' || c >= '0' && c <= '9' {
		n, e := parseNumber(fp.src.name, t, directive, "port", 1, 65535)
		return int(n), e
	}
	switch t.text {
	case "ldap":
		return 389, nil
	case "ldaps":
		return 636, nil
	}
	n, err := net.LookupPort("tcp", t.text)
	if err != nil || n < 1 || n > 65535 {
		return 0, fp.errorf(t.line, directive, "unknown port or service name %q", t.text)
	}
	return n, nil
}

// normHost accepts a host name or an IP address (an IPv6 one may be in
// brackets) and returns it without brackets.
func normHost(s string) (string, bool) {
	if strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") {
		s = s[1 : len(s)-1]
		return s, net.ParseIP(s) != nil
	}
	if net.ParseIP(s) != nil {
		return s, true
	}
	if s == "" || len(s) > 253 {
		return "", false
	}
	for _, label := range strings.Split(strings.TrimSuffix(s, "."), ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return "", false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c == '-' || c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
				return "", false
			}
		}
	}
	return s, true
}

func (fp *fileParser) dirServer(ds *dirState, t token) *Error {
	h, e := fp.arg("server", "host name")
	if e != nil {
		return e
	}
	host, ok := normHost(h.text)
	if !ok {
		return fp.errorf(h.line, "server", "%q is not a host name or IP address", h.text)
	}
	srv := Server{Host: host}
	if n, e := fp.peek(); e != nil {
		return e
	} else if n.kind == tWord && n.text == "port" {
		fp.peeked = nil
		if srv.Port, e = fp.port("server"); e != nil {
			return e
		}
	}
	ds.d.Servers = append(ds.d.Servers, srv)
	return nil
}

func (fp *fileParser) dirShadow(ds *dirState, t token) *Error {
	if e := once(ds.seen, ds.file, t.line, "shadow"); e != nil {
		return e
	}
	w, _, e := fp.choice("shadow", "yes", "no")
	ds.d.Shadow = w == "yes"
	return e
}

// maxNestedDepth bounds RFC 2307bis group nesting: deeper trees are almost
// always loops or mistakes, and each level is a pass over every group.
const maxNestedDepth = 10

func (fp *fileParser) dirNested(ds *dirState, t token) *Error {
	if e := fp.keyword("nested", "depth"); e != nil {
		return e
	}
	if e := once(ds.seen, ds.file, t.line, "nested depth"); e != nil {
		return e
	}
	n, e := fp.number("nested depth", "depth", 0, maxNestedDepth)
	ds.d.NestedDepth = int(n)
	return e
}
