package validate

import "fmt"

// Rejection is one entry, or one member value of a group, left out of a
// pull, with why.
type Rejection struct {
	DN     string // LDAP DN of the entry
	Map    string // "passwd", "group" or "shadow"
	Name   string // the entry's name when known
	Reason string
}

func (r Rejection) String() string {
	return fmt.Sprintf("%s %s (%s): %s", r.Map, r.Name, r.DN, r.Reason)
}

// Map names used in Rejection.Map.
const (
	MapPasswd = "passwd"
	MapGroup  = "group"
	MapShadow = "shadow"
)
