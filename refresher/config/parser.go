package config

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// maxFileSize bounds one configuration file (a real one is a few KiB).
const maxFileSize = 4 << 20

// maxIncludeDepth bounds `include` nesting; a cycle is reported before.
const maxIncludeDepth = 8

// source is one file read by a parse: Load checks the permissions of each.
type source struct {
	name   string
	info   os.FileInfo // nil when the text came from Parse's reader
	secret *secretUse  // non-nil: holds a bind password, Load checks secrecy
}

// secretUse says where a file holds a bind password, for Load's message.
type secretUse struct {
	line int
	note string // "" for a literal `bindcred`; else which macro and where used
}

// markSecret records that src holds a password at line. The first mark
// wins, except that a macro definition (the password's text) replaces a
// use of it in the same file.
func (src *source) markSecret(line int, note string) {
	if src.secret == nil || src.secret.note == "" && note != "" {
		src.secret = &secretUse{line: line, note: note}
	}
}

// macroOrigin is one file a macro's value comes from: the file defining it
// and, when it was defined from another macro (`b = $a`), that one's
// origins too. A password given through macros is held in each of them.
type macroOrigin struct {
	src  *source
	name string // the macro defined there
	line int
}

// parser holds the state of one parse across included files.
type parser struct {
	cfg       *Config
	macros    map[string]string
	macroFrom map[string][]macroOrigin // the files each macro's current value comes from
	checked   bool                     // Load: included files get the same permission checks
	sources   []*source
	stack     []string // include chain, for cycles

	seen      map[string]int // top-level single-valued directive → first line
	jitterSet bool
	ignored   ignoredList
	notices   []string
	dirs      []*dirState
}

// fileParser reads the statements of one file.
type fileParser struct {
	p      *parser
	lx     *lexer
	src    *source
	peeked *token
}

// Parse reads a configuration from r; name is used in messages and to
// resolve relative `include` paths. It checks no file permissions (Load
// does). The error, when not nil, is a *Error.
func Parse(name string, r io.Reader) (*Config, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxFileSize+1))
	if err != nil {
		return nil, errorf(name, 0, "", "cannot read: %v", err)
	}
	if len(data) > maxFileSize {
		return nil, errorf(name, 0, "", "file larger than %d bytes", maxFileSize)
	}
	p := newParser(false)
	cfg, e := p.run(&source{name: name}, data)
	if e != nil {
		return nil, e
	}
	return cfg, nil
}

func newParser(checked bool) *parser {
	return &parser{
		cfg:       DefaultConfig(),
		macros:    map[string]string{},
		macroFrom: map[string][]macroOrigin{},
		checked:   checked,
		seen:      map[string]int{},
	}
}

func (p *parser) run(src *source, data []byte) (*Config, *Error) {
	p.cfg.File = src.name
	p.ignored.main = src.name
	if e := p.parseFile(src, data); e != nil {
		return nil, e
	}
	if e := p.finish(); e != nil {
		return nil, e
	}
	return p.cfg, nil
}

func (p *parser) parseFile(src *source, data []byte) *Error {
	p.sources = append(p.sources, src)
	p.stack = append(p.stack, src.name)
	defer func() { p.stack = p.stack[:len(p.stack)-1] }()
	fp := &fileParser{p: p, lx: newLexer(src.name, data, p.macros), src: src}
	return fp.statements()
}

// include reads another file as if its statements stood here (ypldap's
// `include`). A relative path is taken from the including file's folder.
func (fp *fileParser) include(t token, path string) *Error {
	if !filepath.IsAbs(path) {
		path = filepath.Join(filepath.Dir(fp.src.name), path)
	}
	for _, s := range fp.p.stack {
		if s == path {
			return fp.errorf(t.line, "include", "%s includes itself (cycle: %s)", path, strings.Join(append(fp.p.stack, path), " -> "))
		}
	}
	if len(fp.p.stack) >= maxIncludeDepth {
		return fp.errorf(t.line, "include", "includes nested more than %d deep", maxIncludeDepth)
	}
	data, info, err := readConfigFile(path, fp.p.checked)
	if err != nil {
		return fp.errorf(t.line, "include", "%v", err)
	}
	return fp.p.parseFile(&source{name: path, info: info}, data)
}

func (fp *fileParser) errorf(line int, directive, format string, args ...any) *Error {
	return errorf(fp.src.name, line, directive, format, args...)
}

func (fp *fileParser) next() (token, *Error) {
	if fp.peeked != nil {
		t := *fp.peeked
		fp.peeked = nil
		return t, nil
	}
	return fp.lx.next()
}

func (fp *fileParser) peek() (token, *Error) {
	if fp.peeked == nil {
		t, e := fp.lx.next()
		if e != nil {
			return token{}, e
		}
		fp.peeked = &t
	}
	return *fp.peeked, nil
}

// endStmt consumes the end of a statement: a newline or the end of file.
// Inside a directory block a '}' also ends it and is left for the block.
func (fp *fileParser) endStmt(directive string, inBlock bool) *Error {
	t, e := fp.peek()
	if e != nil {
		return e
	}
	switch {
	case t.kind == tNewline:
		fp.peeked = nil
		return nil
	case t.kind == tEOF, inBlock && t.kind == tRBrace:
		return nil
	}
	return fp.errorf(t.line, directive, "unexpected %s: expected end of line", t.describe())
}

// arg reads one argument: a bare word, a quoted string or a macro.
func (fp *fileParser) arg(directive, what string) (token, *Error) {
	t, e := fp.next()
	if e != nil {
		return t, e
	}
	if t.kind == tWord || t.kind == tString {
		return t, nil
	}
	if t.kind == tNewline || t.kind == tEOF {
		return t, fp.errorf(t.line, directive, "missing %s", what)
	}
	return t, fp.errorf(t.line, directive, "expected %s, got %s", what, t.describe())
}

// keyword reads the fixed word kw (e.g. "to" in `maps to`).
func (fp *fileParser) keyword(directive, kw string) *Error {
	t, e := fp.next()
	if e != nil {
		return e
	}
	if t.kind != tWord || t.text != kw {
		return fp.errorf(t.line, directive, "expected '%s', got %s", kw, t.describe())
	}
	return nil
}

// number reads a decimal integer within [min, max].
func (fp *fileParser) number(directive, what string, min, max int64) (int64, *Error) {
	t, e := fp.arg(directive, what)
	if e != nil {
		return 0, e
	}
	return parseNumber(fp.src.name, t, directive, what, min, max)
}

func parseNumber(file string, t token, directive, what string, min, max int64) (int64, *Error) {
	s := t.text
	digits := strings.TrimPrefix(s, "-")
	if digits == "" || strings.Trim(digits, "0123456789") != "" {
		return 0, errorf(file, t.line, directive, "%s %q is not a decimal number", what, s)
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < min || n > max {
		return 0, errorf(file, t.line, directive, "%s %s is out of range (%d to %d)", what, s, min, max)
	}
	return n, nil
}

// choice reads one of the given words.
func (fp *fileParser) choice(directive string, words ...string) (string, int, *Error) {
	t, e := fp.arg(directive, strings.Join(words, " or "))
	if e != nil {
		return "", t.line, e
	}
	for _, w := range words {
		if t.kind == tWord && t.text == w {
			return w, t.line, nil
		}
	}
	return "", t.line, fp.errorf(t.line, directive, "expected %s, got %s", strings.Join(words, " or "), t.describe())
}

// once records a single-valued directive and refuses a second one: ypldap
// silently keeps the last, which hides a copy-paste mistake.
func once(seen map[string]int, file string, line int, directive string) *Error {
	if first, ok := seen[directive]; ok {
		return errorf(file, line, directive, "given twice (first at line %d)", first)
	}
	seen[directive] = line
	return nil
}

// ignoredList collects the ypldap statements accepted and ignored, for the
// single notice that lists them.
type ignoredList struct {
	main  string // the top file: its lines are given without a name
	order []string
	lines map[string][]string
}

func (l *ignoredList) add(what, file string, line int) {
	if l.lines == nil {
		l.lines = map[string][]string{}
	}
	if _, ok := l.lines[what]; !ok {
		l.order = append(l.order, what)
	}
	where := strconv.Itoa(line)
	if file != l.main {
		where = filepath.Base(file) + ":" + where
	}
	l.lines[what] = append(l.lines[what], where)
}

func (l *ignoredList) notice() string {
	if len(l.order) == 0 {
		return ""
	}
	parts := make([]string, 0, len(l.order))
	for _, what := range l.order {
		word := "line"
		if len(l.lines[what]) > 1 {
			word = "lines"
		}
		parts = append(parts, fmt.Sprintf("%s (%s %s)", what, word, strings.Join(l.lines[what], ", ")))
	}
	return "accepted and ignored (ypldap statements with no meaning for ldapidm on Linux): " + strings.Join(parts, "; ")
}
