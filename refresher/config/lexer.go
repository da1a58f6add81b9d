package config

import (
	"fmt"
	"unicode/utf8"
)

// The lexer follows ypldap's parse.y (OpenBSD usr.sbin/ypldap) so that a
// stock ypldap.conf reads the same here:
//   - `#` starts a comment that runs to the end of the line;
//   - a backslash before a newline joins the two lines (also inside a
//     comment, as in ypldap);
//   - strings are quoted with " or '; inside them a backslash escapes the
//     quote character, a space or a tab, a backslash-newline is dropped, and
//     any other backslash is kept as it is;
//   - `$name` outside quotes expands a macro; macros are never expanded
//     inside quotes.
//
// Deliberate differences, each turning a silent surprise into an error:
//   - a raw newline inside a quoted string is an error (ypldap silently
//     drops it, so a missing closing quote swallows the following lines);
//   - NUL, other control characters and invalid UTF-8 are errors;
//   - a backslash outside quotes that does not end the line is an error
//     (ypldap drops it);
//   - a macro expands to exactly one argument holding its whole value
//     (ypldap re-reads the value as tokens, so `gecos = "Pulled from
//     LDAP"` breaks there); a value that is one bare word still matches
//     keywords, so every single-word macro means what it means in ypldap.

// maxToken bounds one word or string. ypldap's bound is 8096 bytes; a
// longer value is an error, never truncated.
const maxToken = 8192

type tokenKind int

const (
	tEOF tokenKind = iota
	tNewline
	tWord   // bare word: may be a keyword
	tString // quoted string (or a macro whose value is not one bare word)
	tLBrace
	tRBrace
	tEquals
)

type token struct {
	kind  tokenKind
	text  string
	line  int
	macro string // the macro this token expands ("" for literal text)
}

// describe names a token for error messages.
func (t token) describe() string {
	switch t.kind {
	case tEOF:
		return "end of file"
	case tNewline:
		return "end of line"
	case tLBrace:
		return "'{'"
	case tRBrace:
		return "'}'"
	case tEquals:
		return "'='"
	case tString:
		return fmt.Sprintf("%q", t.text)
	}
	return fmt.Sprintf("'%s'", t.text)
}

type lexer struct {
	file   string
	src    []byte
	pos    int
	line   int
	macros map[string]string // shared by every file of one parse
}

func newLexer(file string, src []byte, macros map[string]string) *lexer {
	return &lexer{file: file, src: src, line: 1, macros: macros}
}

func (l *lexer) errorf(line int, directive, format string, args ...any) *Error {
	return errorf(l.file, line, directive, format, args...)
}

// isWordByte is ypldap's allowed_in_string() minus the characters that
// start something else here (quotes, `$`, backslash).
func isWordByte(c byte) bool {
	if c <= ' ' || c >= 0x7f {
		return false
	}
	switch c {
	case '(', ')', '{', '}', '<', '>', '!', '=', '#', ',', '"', '\'', '$', '\\':
		return false
	}
	return true
}

func isMacroByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// isBareWord reports whether s would lex as one bare word.
func isBareWord(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isWordByte(s[i]) {
			return false
		}
	}
	return true
}

// continuation reports the length of a backslash-newline at l.pos (0: none).
func (l *lexer) continuation() int {
	rest := l.src[l.pos:]
	if len(rest) >= 2 && rest[0] == '\\' && rest[1] == '\n' {
		return 2
	}
	if len(rest) >= 3 && rest[0] == '\\' && rest[1] == '\r' && rest[2] == '\n' {
		return 3
	}
	return 0
}

func (l *lexer) next() (token, *Error) {
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		switch {
		case c == ' ' || c == '\t' || c == '\r' && l.pos+1 < len(l.src) && l.src[l.pos+1] == '\n':
			l.pos++
		case c == '\\':
			n := l.continuation()
			if n == 0 {
				return token{}, l.errorf(l.line, "", "stray backslash: outside quotes a backslash may only end a line")
			}
			l.pos += n
			l.line++
		case c == '#':
			l.skipComment()
		case c == '\n':
			l.pos++
			l.line++
			return token{kind: tNewline, line: l.line - 1}, nil
		case c == '{':
			l.pos++
			return token{kind: tLBrace, text: "{", line: l.line}, nil
		case c == '}':
			l.pos++
			return token{kind: tRBrace, text: "}", line: l.line}, nil
		case c == '=':
			l.pos++
			return token{kind: tEquals, text: "=", line: l.line}, nil
		case c == '"' || c == '\'':
			return l.quoted(c)
		case c == '$':
			return l.macro()
		case isWordByte(c):
			return l.word()
		default:
			return token{}, l.errorf(l.line, "", "unexpected character %s", quoteByte(c))
		}
	}
	return token{kind: tEOF, line: l.line}, nil
}

// skipComment stops before the newline ending the comment, so the newline
// still ends the statement. A backslash-newline continues the comment, as
// in ypldap.
func (l *lexer) skipComment() {
	for l.pos < len(l.src) {
		if n := l.continuation(); n > 0 {
			l.pos += n
			l.line++
			continue
		}
		if l.src[l.pos] == '\n' {
			return
		}
		l.pos++
	}
}

func (l *lexer) word() (token, *Error) {
	start := l.pos
	for l.pos < len(l.src) && isWordByte(l.src[l.pos]) {
		l.pos++
		if l.pos-start > maxToken {
			return token{}, l.errorf(l.line, "", "word longer than %d bytes", maxToken)
		}
	}
	return token{kind: tWord, text: string(l.src[start:l.pos]), line: l.line}, nil
}

func (l *lexer) quoted(q byte) (token, *Error) {
	line := l.line
	l.pos++ // opening quote
	var b []byte
	for {
		if l.pos >= len(l.src) {
			return token{}, l.errorf(line, "", "unterminated quoted string (no closing %c before end of file)", q)
		}
		c := l.src[l.pos]
		if n := l.continuation(); n > 0 {
			// backslash-newline inside quotes: the way to split a long string
			l.pos += n
			l.line++
			continue
		}
		l.pos++
		switch {
		case c == q:
			if !utf8.Valid(b) {
				return token{}, l.errorf(line, "", "quoted string is not valid UTF-8")
			}
			return token{kind: tString, text: string(b), line: line}, nil
		case c == '\n' || c == '\r' && l.pos < len(l.src) && l.src[l.pos] == '\n':
			return token{}, l.errorf(line, "", "unterminated quoted string (no closing %c on the line; use a backslash to continue a string)", q)
		case c == '\\' && l.pos < len(l.src) && (l.src[l.pos] == q || l.src[l.pos] == ' ' || l.src[l.pos] == '\t'):
			c = l.src[l.pos]
			l.pos++
		case c == 0:
			return token{}, l.errorf(line, "", "NUL byte in quoted string")
		case c < ' ' && c != '\t' || c == 0x7f:
			return token{}, l.errorf(line, "", "control character %s in quoted string", quoteByte(c))
		}
		b = append(b, c)
		if len(b) > maxToken {
			return token{}, l.errorf(line, "", "quoted string longer than %d bytes", maxToken)
		}
	}
}

func (l *lexer) macro() (token, *Error) {
	line := l.line
	l.pos++ // '$'
	start := l.pos
	for l.pos < len(l.src) && isMacroByte(l.src[l.pos]) {
		l.pos++
	}
	name := string(l.src[start:l.pos])
	if name == "" {
		return token{}, l.errorf(line, "", "'$' must be followed by a macro name (letters, digits, '_')")
	}
	v, ok := l.macros[name]
	if !ok {
		return token{}, l.errorf(line, "$"+name, "macro %q is not defined (define it above with %s = \"value\")", name, name)
	}
	kind := tString
	if isBareWord(v) {
		kind = tWord
	}
	return token{kind: kind, text: v, line: line, macro: name}, nil
}

func quoteByte(c byte) string {
	if c >= ' ' && c < 0x7f {
		return fmt.Sprintf("'%c'", c)
	}
	return fmt.Sprintf("0x%02x", c)
}
