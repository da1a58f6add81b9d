package config

import (
	"strings"
	"testing"
)

func lexAll(src string, macros map[string]string) ([]token, *Error) {
	if macros == nil {
		macros = map[string]string{}
	}
	l := newLexer("t.conf", []byte(src), macros)
	var out []token
	for {
		t, e := l.next()
		if e != nil {
			return out, e
		}
		out = append(out, t)
		if t.kind == tEOF {
			return out, nil
		}
	}
}

// kinds renders tokens compactly: W(word) S(string) N { } = E.
func kinds(ts []token) string {
	var b strings.Builder
	for _, t := range ts {
		switch t.kind {
		case tWord:
			b.WriteString("W(" + t.text + ")")
		case tString:
			b.WriteString("S(" + t.text + ")")
		case tNewline:
			b.WriteString("N")
		case tLBrace:
			b.WriteString("{")
		case tRBrace:
			b.WriteString("}")
		case tEquals:
			b.WriteString("=")
		case tEOF:
			b.WriteString("E")
		}
		b.WriteString(" ")
	}
	return strings.TrimSpace(b.String())
}

func TestLexer(t *testing.T) {
	macros := map[string]string{"word": "tls", "spaced": "Pulled from LDAP", "num": "60"}
	cases := []struct {
		name, src, want string
		lastLine        int
	}{
		{"words and punctuation", `directory "h" port 389 {`, `W(directory) S(h) W(port) W(389) { E`, 1},
		{"comment keeps the newline", "interval 60 # every minute\nx", "W(interval) W(60) N W(x) E", 2},
		{"continuation joins lines", "interval \\\n 60\n", "W(interval) W(60) N E", 3},
		{"CRLF continuation", "interval \\\r\n 60\r\n", "W(interval) W(60) N E", 3},
		{"continuation inside a comment continues it (as ypldap)", "# a \\\nhidden\nshown", "N W(shown) E", 3},
		{"single quotes", `'a "b" c'`, `S(a "b" c) E`, 1},
		{"escaped quote", `"a\"b"`, `S(a"b) E`, 1},
		{"escaped space and tab kept without backslash", "\"a\\ b\\\tc\"", "S(a b\tc) E", 1},
		{"other backslashes kept", `"a\nb\\c"`, `S(a\nb\\c) E`, 1},
		{"backslash-newline inside quotes dropped", "\"ab\\\ncd\"", "S(abcd) E", 2},
		{"macro not expanded inside quotes", `"$word"`, `S($word) E`, 1},
		{"macro to one bare word stays a word", `$word`, `W(tls) E`, 1},
		{"macro with spaces is one string", `$spaced`, `S(Pulled from LDAP) E`, 1},
		{"macro number", `interval $num`, `W(interval) W(60) E`, 1},
		{"macro name ends at a non-name byte", `$num-x`, `W(60) W(-x) E`, 1},
		{"equals splits words", `a=b`, `W(a) = W(b) E`, 1},
		{"UTF-8 in quotes", `"Zoë Ångström"`, `S(Zoë Ångström) E`, 1},
		{"empty string", `""`, `S() E`, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ts, e := lexAll(c.src, macros)
			if e != nil {
				t.Fatalf("error: %v", e)
			}
			if got := kinds(ts); got != c.want {
				t.Errorf("tokens\n got %s\nwant %s", got, c.want)
			}
			if got := ts[len(ts)-1].line; got != c.lastLine {
				t.Errorf("EOF at line %d, want %d", got, c.lastLine)
			}
		})
	}
}

func TestLexerErrors(t *testing.T) {
	cases := []struct {
		name, src string
		line      int
		msg       string
	}{
		{"unterminated at EOF", "x\n\"abc", 2, "unterminated quoted string"},
		{"unterminated at end of line", "\"abc\nbasedn \"x\"", 1, "no closing \" on the line"},
		{"NUL in string", "\"a\x00b\"", 1, "NUL byte"},
		{"NUL outside", "a\x00b", 1, "unexpected character 0x00"},
		{"control char", "\"a\x1bb\"", 1, "control character 0x1b"},
		{"invalid UTF-8", "\"a\xffb\"", 1, "not valid UTF-8"},
		{"non-ASCII bare", "\n\nÅ", 3, "unexpected character 0xc3"},
		{"stray backslash", `a \x`, 1, "stray backslash"},
		{"undefined macro", "\n$nope", 2, `macro "nope" is not defined`},
		{"bare dollar", "$ x", 1, "must be followed by a macro name"},
		{"long string", `"` + strings.Repeat("a", maxToken+1) + `"`, 1, "longer than 8192 bytes"},
		{"long word", strings.Repeat("a", maxToken+2), 1, "longer than 8192 bytes"},
		{"paren outside quotes", "(objectClass=x)", 1, "unexpected character '('"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, e := lexAll(c.src, nil)
			if e == nil {
				t.Fatal("no error")
			}
			if e.Line != c.line || !strings.Contains(e.Msg, c.msg) {
				t.Errorf("got %q (line %d), want line %d containing %q", e.Error(), e.Line, c.line, c.msg)
			}
		})
	}
}
