package ldapsrc

import (
	"errors"
	"io"
	"testing"
)

func TestRedact(t *testing.T) {
	base := &Error{Op: "bind", Err: errors.New(`server said: password "hunter2" rejected`)}
	got := redact(base, "hunter2")
	if got.Error() != `ldap bind: server said: password "REDACTED" rejected` {
		t.Fatalf("redacted text %q", got.Error())
	}
	var le *Error
	if !errors.As(got, &le) || le != base {
		t.Fatal("redaction lost the original error")
	}
	if redact(io.EOF, "") != io.EOF || redact(io.EOF, "x") != io.EOF || redact(nil, "x") != nil {
		t.Fatal("redact changed an error without the secret")
	}
}
