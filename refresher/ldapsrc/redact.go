package ldapsrc

import "strings"

// redacted is an error whose text has the bind credential replaced by
// REDACTED. Servers choose their diagnostic messages, and one that echoes
// the password it was sent must not get it into a log or the status file.
// Unwrap keeps errors.Is/As working on the original.
type redacted struct {
	msg string
	err error
}

func (e *redacted) Error() string { return e.msg }
func (e *redacted) Unwrap() error { return e.err }

// redact returns err with every occurrence of secret hidden in its text.
func redact(err error, secret string) error {
	if err == nil || secret == "" || !strings.Contains(err.Error(), secret) {
		return err
	}
	return &redacted{msg: strings.ReplaceAll(err.Error(), secret, "REDACTED"), err: err}
}
