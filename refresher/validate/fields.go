package validate

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"unicode/utf8"

	"github.com/ldapidm/ldapidm/cache"
)

// Limits; doc.go says where each comes from.
const (
	MaxNameLen      = 32
	MaxEntryStrings = 1024 // NSS_BUFLEN_PASSWD
)

// Field errors are *FieldError so callers can report the field.
type FieldError struct {
	Field  string
	Reason string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Reason }

func ferr(field, format string, args ...any) error {
	return &FieldError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// Name checks a user or group name (see doc.go for the rule).
func Name(field, s string) error {
	if s == "" {
		return ferr(field, "empty")
	}
	if len(s) > MaxNameLen {
		return ferr(field, "%d bytes, longer than %d", len(s), MaxNameLen)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c == '_':
		case (c >= '0' && c <= '9') || c == '.' || c == '-':
			if i == 0 {
				return ferr(field, "%q must start with a lowercase letter or '_'", s)
			}
		case c == '$' && i == len(s)-1 && i > 0:
		default:
			return ferr(field, "%q: character %q not allowed in a name", s, c)
		}
	}
	return nil
}

// Text checks a free-text field (gecos, home, shell, passwd, hash): no ':'
// (the field separator), no control characters (newline ends a line, NUL
// ends a C string), valid UTF-8.
func Text(field, s string) error {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == ':' {
			return ferr(field, "contains ':'")
		}
		if c < 0x20 || c == 0x7f {
			return ferr(field, "contains control character %#02x", c)
		}
	}
	if !utf8.ValidString(s) {
		return ferr(field, "not valid UTF-8")
	}
	return nil
}

// Range is an inclusive id range; Max 0 means the largest valid id.
type Range struct{ Min, Max uint32 }

// maxID is the largest id: (uid_t)-1 is "no id" to chown(2) and setreuid(2).
const maxID = math.MaxUint32 - 1

// ErrReservedID is returned for 0 and the 16-bit "-1" (65535).
var ErrReservedID = errors.New("reserved id")

// ID parses a decimal uid/gid and checks it against r. 0 is never valid
// (root), nor 65535 ((uint16_t)-1, "no id" to 16-bit interfaces and to
// systemd) nor 4294967295 ((uid_t)-1).
func ID(field, s string, r Range) (uint32, error) {
	if s == "" {
		return 0, ferr(field, "empty")
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, ferr(field, "%q is not a decimal number", s)
		}
	}
	v, err := strconv.ParseUint(s, 10, 32)
	if err != nil || v > maxID {
		return 0, ferr(field, "%q out of range", s)
	}
	id := uint32(v)
	if id == 0 || id == 65535 {
		return 0, ferr(field, "%d is a %v", id, ErrReservedID)
	}
	if !r.Contains(id) {
		return 0, ferr(field, "%d outside the allowed range %v", id, r)
	}
	return id, nil
}

// Contains says whether id is inside r.
func (r Range) Contains(id uint32) bool { return id >= r.Min && id <= r.hi() }

// String is "min-max", as gidrange and uidrange are written.
func (r Range) String() string { return fmt.Sprintf("%d-%d", r.Min, r.hi()) }

func (r Range) hi() uint32 {
	if r.Max == 0 {
		return maxID
	}
	return r.Max
}

// PrimaryGID parses a user's primary gid and checks it against the
// configured gidrange, exactly as a group's gid is checked. A primary gid
// is a privilege in itself (files group-owned by it, group-based sudo and
// polkit rules), so a directory must not be able to put a user's primary
// group at a local system group such as sudo (27), shadow (42) or adm (4)
// just because no group entry is involved. Sites whose users' primary
// group is a local one (Debian's "users", 100) widen gidrange to say so.
func PrimaryGID(s string, gidrange Range) (uint32, error) {
	id, err := ID("gid", s, Range{Min: 1})
	if err != nil {
		return 0, err
	}
	if !gidrange.Contains(id) {
		return 0, ferr("gid", "primary gid %d outside gidrange %v", id, gidrange)
	}
	return id, nil
}

// ShadowNumber parses a shadow(5) day count or flag. "" and "-1" mean an
// empty field (cache.Unset); anything else must be a decimal in 0..2^31-1
// (glibc's struct spwd fields are long; larger values are nonsense dates).
func ShadowNumber(field, s string) (int64, error) {
	if s == "" || s == "-1" {
		return cache.Unset, nil
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, ferr(field, "%q is not a non-negative decimal number", s)
		}
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v > math.MaxInt32 {
		return 0, ferr(field, "%q out of range", s)
	}
	return v, nil
}

// User checks every field of a mapped user and the entry's total size.
func User(u *cache.User) error {
	if err := Name("name", u.Name); err != nil {
		return err
	}
	for _, f := range []struct{ name, v string }{
		{"passwd", u.Passwd}, {"gecos", u.Gecos}, {"home", u.Dir}, {"shell", u.Shell},
	} {
		if err := Text(f.name, f.v); err != nil {
			return err
		}
	}
	if n := len(u.Name) + len(u.Passwd) + len(u.Gecos) + len(u.Dir) + len(u.Shell) + 5; n > MaxEntryStrings {
		return ferr("entry", "passwd entry is %d bytes, over the %d-byte limit (gecos %d, home %d, shell %d)",
			n, MaxEntryStrings, len(u.Gecos), len(u.Dir), len(u.Shell))
	}
	return nil
}

// Shadow checks a mapped shadow entry's strings.
func Shadow(s *cache.Shadow) error {
	if err := Name("name", s.Name); err != nil {
		return err
	}
	if s.Passwd == "" {
		return ferr("shadow passwd", "empty (would allow login without a password)")
	}
	if err := Text("shadow passwd", s.Passwd); err != nil {
		return err
	}
	if n := len(s.Name) + len(s.Passwd) + 2; n > MaxEntryStrings {
		return ferr("shadow passwd", "shadow entry is %d bytes, over the %d-byte limit", n, MaxEntryStrings)
	}
	return nil
}

// Group checks a mapped group's name and password (members are checked one
// by one by Member, so that one bad value does not cost the whole group).
func Group(g *cache.Group) error {
	if err := Name("groupname", g.Name); err != nil {
		return err
	}
	if err := Text("grouppasswd", g.Passwd); err != nil {
		return err
	}
	if len(g.Passwd) > MaxEntryStrings {
		return ferr("grouppasswd", "%d bytes, over the %d-byte limit", len(g.Passwd), MaxEntryStrings)
	}
	return nil
}

// Member checks one group member name. ',' is covered by the name rule.
func Member(s string) error { return Name("groupmembers", s) }
