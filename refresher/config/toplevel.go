package config

import (
	"slices"
	"time"
)

// reserved are the words that cannot name a macro: ypldap's keywords (its
// lexer never returns them as strings) and ldapidm's directives.
var reserved = map[string]bool{
	"attribute": true, "basedn": true, "bindcred": true, "binddn": true,
	"cafile": true, "change": true, "class": true, "directory": true,
	"domain": true, "expire": true, "filter": true, "fixed": true,
	"gecos": true, "gid": true, "group": true, "groupdn": true,
	"groupgid": true, "groupmembers": true, "groupname": true,
	"grouppasswd": true, "home": true, "include": true, "interval": true,
	"ldaps": true, "list": true, "map": true, "maps": true, "name": true,
	"passwd": true, "port": true, "provide": true, "server": true,
	"shell": true, "tls": true, "to": true, "uid": true, "user": true,
	"bindext": true, "certfile": true, "keyfile": true, "bind": true,
	// ldapidm
	"cachedir": true, "uidrange": true, "gidrange": true, "collisions": true,
	"localfiles": true, "maxshrink": true, "pagesize": true,
	"connect": true, "search": true, "jitter": true, "bindcredfile": true,
	"shadow": true, "nested": true,
}

// ypldap's maps (parse.y `provide map`): accepted so a stock file loads,
// ignored because ldapidm serves NSS, not YP.
var ypMaps = map[string]bool{
	"passwd.byname": true, "passwd.byuid": true,
	"master.passwd.byname": true, "master.passwd.byuid": true,
	"group.byname": true, "group.bygid": true, "netid.byname": true,
}

type topHandler func(fp *fileParser, t token) *Error

var topLevel map[string]topHandler

func init() {
	// Assigned in init: the handlers refer back to the table through
	// statements (via include), which Go forbids in a plain initializer.
	topLevel = map[string]topHandler{
		"include":    (*fileParser).topInclude,
		"interval":   (*fileParser).topInterval,
		"domain":     (*fileParser).topDomain,
		"provide":    (*fileParser).topProvide,
		"bind":       (*fileParser).topBind,
		"cafile":     (*fileParser).topCAFile,
		"directory":  (*fileParser).directory,
		"cachedir":   (*fileParser).topCacheDir,
		"uidrange":   (*fileParser).topRange,
		"gidrange":   (*fileParser).topRange,
		"collisions": (*fileParser).topCollisions,
		"localfiles": (*fileParser).topLocalFiles,
		"maxshrink":  (*fileParser).topMaxShrink,
		"pagesize":   (*fileParser).topPageSize,
		"connect":    (*fileParser).topTimeout,
		"search":     (*fileParser).topTimeout,
		"jitter":     (*fileParser).topJitter,
	}
}

// statements parses the top level of one file.
func (fp *fileParser) statements() *Error {
	for {
		t, e := fp.next()
		if e != nil {
			return e
		}
		switch t.kind {
		case tEOF:
			return nil
		case tNewline:
			continue
		case tWord, tString:
			if n, e := fp.peek(); e != nil {
				return e
			} else if n.kind == tEquals {
				if e := fp.macroDef(t); e != nil {
					return e
				}
				continue
			}
			h, ok := topLevel[t.text]
			if !ok || t.kind != tWord {
				return fp.errorf(t.line, t.text, "unknown directive")
			}
			if e := h(fp, t); e != nil {
				return e
			}
		case tRBrace:
			return fp.errorf(t.line, "", "'}' without an open directory block")
		default:
			return fp.errorf(t.line, "", "unexpected %s at the start of a statement", t.describe())
		}
	}
}

// macroDef handles `name = value`.
func (fp *fileParser) macroDef(name token) *Error {
	fp.peeked = nil // the '='
	if name.text == "" || !isMacroName(name.text) {
		return fp.errorf(name.line, name.text, "macro names may hold only letters, digits and '_'")
	}
	if reserved[name.text] {
		return fp.errorf(name.line, name.text, "%q is a reserved word and cannot name a macro", name.text)
	}
	v, e := fp.arg(name.text, "macro value")
	if e != nil {
		return e
	}
	fp.p.macros[name.text] = v.text
	// Where the value came from is kept only to check secrecy if bindcred
	// uses it. A redefinition replaces the origins with the value's. One
	// origin per file (the nearest definition): a chain of `a = $a` lines
	// must not grow the list, nor the parse, quadratically.
	from := []macroOrigin{{src: fp.src, name: name.text, line: name.line}}
	for _, o := range fp.p.macroFrom[v.macro] {
		if !slices.ContainsFunc(from, func(f macroOrigin) bool { return f.src == o.src }) {
			from = append(from, o)
		}
	}
	fp.p.macroFrom[name.text] = from
	return fp.endStmt(name.text, false)
}

func isMacroName(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isMacroByte(s[i]) {
			return false
		}
	}
	return true
}

func (fp *fileParser) topInclude(t token) *Error {
	a, e := fp.arg("include", "file name")
	if e != nil {
		return e
	}
	if e := fp.endStmt("include", false); e != nil {
		return e
	}
	return fp.include(t, a.text)
}

// maxInterval bounds the refresh interval (one week): a larger value is a
// typo, and time.Duration would overflow far above it anyway.
const maxInterval = 7 * 24 * 3600

func (fp *fileParser) topInterval(t token) *Error {
	if e := once(fp.p.seen, fp.src.name, t.line, "interval"); e != nil {
		return e
	}
	n, e := fp.number("interval", "seconds", 1, maxInterval)
	if e != nil {
		return e
	}
	fp.p.cfg.Interval = time.Duration(n) * time.Second
	return fp.endStmt("interval", false)
}

func (fp *fileParser) topDomain(t token) *Error {
	if _, e := fp.arg("domain", "NIS domain name"); e != nil {
		return e
	}
	fp.p.ignored.add("domain", fp.src.name, t.line)
	return fp.endStmt("domain", false)
}

func (fp *fileParser) topProvide(t token) *Error {
	if e := fp.keyword("provide", "map"); e != nil {
		return e
	}
	m, e := fp.arg("provide map", "map name")
	if e != nil {
		return e
	}
	if !ypMaps[m.text] {
		return fp.errorf(m.line, "provide map", "unsupported map %q (ypldap knows passwd.byname, passwd.byuid, master.passwd.byname, master.passwd.byuid, group.byname, group.bygid, netid.byname)", m.text)
	}
	fp.p.ignored.add("provide map", fp.src.name, t.line)
	return fp.endStmt("provide map", false)
}

// topBind accepts a YP binding statement (`bind …`, from older YP-serving
// configurations) with whatever words follow, so such a file loads unchanged;
// like `domain`, it is YP-only and reported once among the ignored lines.
func (fp *fileParser) topBind(t token) *Error {
	n := 0
	for {
		nt, e := fp.peek()
		if e != nil {
			return e
		}
		switch nt.kind {
		case tNewline, tEOF:
			if n == 0 {
				return fp.errorf(t.line, "bind", "missing arguments")
			}
			fp.p.ignored.add("bind", fp.src.name, t.line)
			return fp.endStmt("bind", false)
		case tWord, tString:
			fp.peeked = nil
			n++
		default:
			return fp.errorf(nt.line, "bind", "unexpected %s", nt.describe())
		}
	}
}

func (fp *fileParser) topCAFile(t token) *Error {
	if e := once(fp.p.seen, fp.src.name, t.line, "cafile"); e != nil {
		return e
	}
	a, e := fp.path("cafile")
	if e != nil {
		return e
	}
	fp.p.cfg.CAFile = a
	return fp.endStmt("cafile", false)
}

func (fp *fileParser) topCacheDir(t token) *Error {
	if e := once(fp.p.seen, fp.src.name, t.line, "cachedir"); e != nil {
		return e
	}
	a, e := fp.path("cachedir")
	if e != nil {
		return e
	}
	fp.p.cfg.CacheDir = a
	return fp.endStmt("cachedir", false)
}

// path reads an absolute file name: the daemon runs from /, and a relative
// name would depend on where `ldapidm-refresher -n` was started.
func (fp *fileParser) path(directive string) (string, *Error) {
	a, e := fp.arg(directive, "absolute path")
	if e != nil {
		return "", e
	}
	if len(a.text) == 0 || a.text[0] != '/' {
		return "", fp.errorf(a.line, directive, "%q is not an absolute path", a.text)
	}
	return a.text, nil
}

// topRange handles `uidrange MIN MAX` and `gidrange MIN MAX`. Id 0 is root
// and never accepted: a directory must not be able to mint a root account.
func (fp *fileParser) topRange(t token) *Error {
	d := t.text
	if e := once(fp.p.seen, fp.src.name, t.line, d); e != nil {
		return e
	}
	lo, e := fp.id(d, "minimum")
	if e != nil {
		return e
	}
	hi, e := fp.id(d, "maximum")
	if e != nil {
		return e
	}
	if lo > hi {
		return fp.errorf(t.line, d, "minimum %d is above maximum %d", lo, hi)
	}
	if d == "uidrange" {
		fp.p.cfg.UIDMin, fp.p.cfg.UIDMax = uint32(lo), uint32(hi)
	} else {
		fp.p.cfg.GIDMin, fp.p.cfg.GIDMax = uint32(lo), uint32(hi)
	}
	return fp.endStmt(d, false)
}

// id reads one end of a uid/gid range, naming id 0 for what it is.
func (fp *fileParser) id(directive, what string) (int64, *Error) {
	t, e := fp.arg(directive, what)
	if e != nil {
		return 0, e
	}
	if n, e := parseNumber(fp.src.name, t, directive, what, 0, 0); e == nil && n == 0 {
		return 0, fp.errorf(t.line, directive, "%s 0 is root's id and is never accepted (the range must start at 1 or above)", what)
	}
	// 4294967295 is (uid_t)-1, "no id" to chown(2) and setresuid(2).
	return parseNumber(fp.src.name, t, directive, what, 1, 4294967294)
}

func (fp *fileParser) topCollisions(t token) *Error {
	if e := once(fp.p.seen, fp.src.name, t.line, "collisions"); e != nil {
		return e
	}
	w, _, e := fp.choice("collisions", "skip", "fail")
	if e != nil {
		return e
	}
	fp.p.cfg.Collisions = CollisionSkip
	if w == "fail" {
		fp.p.cfg.Collisions = CollisionFail
	}
	return fp.endStmt("collisions", false)
}

func (fp *fileParser) topLocalFiles(t token) *Error {
	if e := once(fp.p.seen, fp.src.name, t.line, "localfiles"); e != nil {
		return e
	}
	pw, e := fp.path("localfiles")
	if e != nil {
		return e
	}
	gr, e := fp.path("localfiles")
	if e != nil {
		return e
	}
	fp.p.cfg.LocalPasswd, fp.p.cfg.LocalGroup = pw, gr
	return fp.endStmt("localfiles", false)
}

func (fp *fileParser) topMaxShrink(t token) *Error {
	if e := once(fp.p.seen, fp.src.name, t.line, "maxshrink"); e != nil {
		return e
	}
	n, e := fp.number("maxshrink", "percentage", 0, 100)
	if e != nil {
		return e
	}
	fp.p.cfg.MaxShrinkPct = int(n)
	return fp.endStmt("maxshrink", false)
}

func (fp *fileParser) topPageSize(t token) *Error {
	if e := once(fp.p.seen, fp.src.name, t.line, "pagesize"); e != nil {
		return e
	}
	n, e := fp.number("pagesize", "entries per page", 1, 1000)
	if e != nil {
		return e
	}
	fp.p.cfg.PageSize = uint32(n)
	return fp.endStmt("pagesize", false)
}

// topTimeout handles `connect timeout N` and `search timeout N`.
func (fp *fileParser) topTimeout(t token) *Error {
	d := t.text + " timeout"
	if e := fp.keyword(t.text, "timeout"); e != nil {
		return e
	}
	if e := once(fp.p.seen, fp.src.name, t.line, d); e != nil {
		return e
	}
	n, e := fp.number(d, "seconds", 1, 3600)
	if e != nil {
		return e
	}
	if t.text == "connect" {
		fp.p.cfg.ConnectTimeout = time.Duration(n) * time.Second
	} else {
		fp.p.cfg.SearchTimeout = time.Duration(n) * time.Second
	}
	return fp.endStmt(d, false)
}

func (fp *fileParser) topJitter(t token) *Error {
	if e := once(fp.p.seen, fp.src.name, t.line, "jitter"); e != nil {
		return e
	}
	n, e := fp.number("jitter", "seconds", 0, maxInterval)
	if e != nil {
		return e
	}
	fp.p.cfg.Jitter = time.Duration(n) * time.Second
	fp.p.jitterSet = true
	return fp.endStmt("jitter", false)
}
