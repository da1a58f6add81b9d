package config

import "fmt"

// Error is every error Parse, Load and Credential return: it names the file,
// the line (0 when the problem is not on one line, e.g. a file's mode) and
// the directive, so an operator can go straight to the mistake.
type Error struct {
	File      string
	Line      int
	Directive string
	Msg       string
}

// Error prints FILE:LINE: DIRECTIVE: MSG, leaving out the parts that are
// unknown (line 0, no directive).
func (e *Error) Error() string {
	s := e.File
	if e.Line > 0 {
		s = fmt.Sprintf("%s:%d", s, e.Line)
	}
	if e.Directive != "" {
		s = join(s, e.Directive)
	}
	return join(s, e.Msg)
}

func join(a, b string) string {
	if a == "" {
		return b
	}
	return a + ": " + b
}

func errorf(file string, line int, directive, format string, args ...any) *Error {
	return &Error{File: file, Line: line, Directive: directive, Msg: fmt.Sprintf(format, args...)}
}
