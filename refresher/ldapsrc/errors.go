package ldapsrc

import (
	"fmt"
	"strings"
)

// Error is a failed step against one server address. Op says which step
// ("resolve", "dial", "tls", "starttls", "bind", "search"), Server which
// address, and for a search the base and the 1-based page.
type Error struct {
	Op     string
	Server string
	Base   string
	Page   int
	Err    error
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "ldap %s", e.Op)
	if e.Server != "" {
		fmt.Fprintf(&b, " on %s", e.Server)
	}
	if e.Base != "" {
		fmt.Fprintf(&b, " base %q", e.Base)
	}
	if e.Page > 0 {
		fmt.Fprintf(&b, " page %d", e.Page)
	}
	fmt.Fprintf(&b, ": %v", e.Err)
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// ConnectError means no server of a directory could be used: none could
// be connected to, or each one that could failed a search. Attempts has
// one *Error per failure (address tried, or search that failed), in order.
type ConnectError struct {
	Attempts []error
}

func (e *ConnectError) Error() string {
	parts := make([]string, len(e.Attempts))
	for i, a := range e.Attempts {
		parts[i] = a.Error()
	}
	return "no LDAP server usable: " + strings.Join(parts, "; ")
}

func (e *ConnectError) Unwrap() []error { return e.Attempts }
