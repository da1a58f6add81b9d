package config

import (
	"errors"
	"strings"
	"testing"
)

// block wraps directives in a directory block that is valid on its own,
// so a test adds only what it is about. The block starts at line 1 and
// its body at line 3.
func block(body string) string {
	return "directory \"ldap.example.com\" {\n\tbasedn \"dc=example,dc=com\"\n" + body + "\n}\n"
}

func mustParse(t *testing.T, text string) *Config {
	t.Helper()
	c, err := Parse("t.conf", strings.NewReader(text))
	if err != nil {
		t.Fatalf("Parse: %v\n--- input:\n%s", err, text)
	}
	return c
}

// parseErr parses text, requires a *Error, and returns it.
func parseErr(t *testing.T, text string) *Error {
	t.Helper()
	c, err := Parse("t.conf", strings.NewReader(text))
	if err == nil {
		t.Fatalf("Parse accepted it:\n%s\n--- gave:\n%s", text, c)
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not a *config.Error", err, err)
	}
	return e
}
