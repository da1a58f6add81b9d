package nss

import (
	"errors"
	"fmt"
	"syscall"
)

var (
	// ErrNotFound: the cache is usable and holds no such entry.
	ErrNotFound = errors.New("not found")
	// ErrUnavailable: no cache, or one the module refuses to trust
	// (permissions, symlink, wrong version or kind, corrupt).
	ErrUnavailable = errors.New("cache unavailable")
	// ErrTooLarge: an entry did not fit in maxBuffer bytes.
	ErrTooLarge = errors.New("entry larger than the buffer limit")
)

// LookupError says which lookup failed and why; Err is one of the
// sentinels above or a *StatusError.
type LookupError struct {
	Op  string // "user", "uid", "group", "gid", "shadow", "initgroups", "enumerate passwd", …
	Key string
	Err error
}

func (e *LookupError) Error() string {
	if e.Key == "" {
		return fmt.Sprintf("nss %s: %v", e.Op, e.Err)
	}
	return fmt.Sprintf("nss %s %q: %v", e.Op, e.Key, e.Err)
}

func (e *LookupError) Unwrap() error { return e.Err }

// StatusError is a status the module returned that is neither found, not
// found, unavailable nor a short buffer (in practice TRYAGAIN with ENOMEM).
type StatusError struct {
	Status int
	Errno  syscall.Errno
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("nss status %d: %v", e.Status, e.Errno)
}

func (e *StatusError) Unwrap() error { return e.Errno }

// statusErr maps a final (non-ERANGE) status to an error; nil on success.
func statusErr(st status, errno syscall.Errno) error {
	switch st {
	case statusSuccess:
		return nil
	case statusNotFound:
		return ErrNotFound
	case statusUnavail:
		return ErrUnavailable
	}
	return &StatusError{Status: int(st), Errno: errno}
}
