package cache

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// maxID is the largest id a cache may hold: 4294967295 is (uid_t)-1, which
// chown(2) and setreuid(2) read as "leave unchanged".
const maxID = 4294967294

// Validate re-checks every invariant in the package documentation and
// returns the first violation as *InvalidError (errors.As finds it). It is
// the one place entries are checked: the loaders only parse, and Publish
// calls Validate. It does not modify snap.
//
// A violation by one entry carries that entry's position in its map
// (InvalidError.Index, First), so that Origin.Place can name the line or
// JSON element the entry was loaded from.
//
// Groups share no state with users and shadow, so they are checked on a
// goroutine of their own while users, then shadow (which needs the user
// names), are checked on this one: the two halves cost about the same, and
// Validate is on Publish's path before the lock (issue #3, wall time). The
// result is still the first violation in the order users, groups, shadow,
// source, the same as checking them one after the other.
func Validate(snap *Snapshot) error {
	if snap == nil {
		return &InvalidError{Map: "snapshot", Field: "snapshot", Reason: "nil", Index: -1, First: -1}
	}
	groupsErr := make(chan error, 1)
	go func() { groupsErr <- checkGroups(snap.Groups) }()
	users, usersErr := checkUsers(snap.Users)
	var shadowErr error
	if usersErr == nil {
		shadowErr = checkShadows(snap.Shadow, users)
	}
	// Always received, even after a users violation: the goroutine must
	// not outlive the call.
	gErr := <-groupsErr
	for _, err := range [...]error{usersErr, gErr, shadowErr} {
		if err != nil {
			return err
		}
	}
	// Source is metadata (meta.source, `status`): a newline or control
	// character would garble `info` and status output.
	if r := textProblem(snap.Source); r != "" {
		return &InvalidError{Map: "snapshot", Field: "source", Reason: r, Index: -1, First: -1}
	}
	return nil
}

// entryErr is the violation by entry i of map m; first is the earlier
// entry a duplicate repeats, or -1.
func entryErr(m, name string, i, first int, field, reason string) error {
	return &InvalidError{Map: m, Name: name, Field: field, Reason: reason, Index: i, First: first}
}

// checkUsers returns the set of user names, which shadow entries must
// belong to, or the first invalid user.
func checkUsers(us []User) (map[string]int, error) {
	names := make(map[string]int, len(us))
	uids := make(map[uint32]int, len(us))
	for i := range us {
		if err := checkUser(us, i, names, uids); err != nil {
			return nil, err
		}
	}
	return names, nil
}

func checkGroups(gs []Group) error {
	names := make(map[string]int, len(gs))
	gids := make(map[uint32]int, len(gs))
	for i := range gs {
		if err := checkGroup(gs, i, names, gids); err != nil {
			return err
		}
	}
	return nil
}

func checkShadows(ss []Shadow, users map[string]int) error {
	seen := make(map[string]int, len(ss))
	for i := range ss {
		if err := checkShadow(ss, i, users, seen); err != nil {
			return err
		}
	}
	return nil
}

// checkUser checks us[i]; names and ids map what earlier users hold to
// their position, for duplicates.
func checkUser(us []User, i int, names map[string]int, ids map[uint32]int) error {
	u := &us[i]
	bad := func(field, reason string) error { return entryErr("passwd", u.Name, i, -1, field, reason) }
	if r := nameProblem(u.Name); r != "" {
		return bad("name", r)
	}
	if first, dup := names[u.Name]; dup {
		return entryErr("passwd", u.Name, i, first, "name", "duplicate name")
	}
	names[u.Name] = i
	if r := idProblem(u.UID); r != "" {
		return bad("uid", r)
	}
	if first, dup := ids[u.UID]; dup {
		return entryErr("passwd", u.Name, i, first, "uid", fmt.Sprintf("duplicate uid %d (also %s)", u.UID, us[first].Name))
	}
	ids[u.UID] = i
	if r := idProblem(u.GID); r != "" {
		return bad("gid", r)
	}
	if r := passwdProblem(u.Passwd); r != "" {
		return bad("passwd", r)
	}
	if strings.HasPrefix(u.Passwd, "$") {
		return bad("passwd", "looks like a crypt hash; hashes belong in shadow, cache.db is world-readable")
	}
	for _, f := range [...]struct{ name, v string }{{"gecos", u.Gecos}, {"dir", u.Dir}, {"shell", u.Shell}} {
		if r := fieldProblem(f.v); r != "" {
			return bad(f.name, r)
		}
	}
	return nil
}

func checkGroup(gs []Group, i int, names map[string]int, ids map[uint32]int) error {
	g := &gs[i]
	bad := func(field, reason string) error { return entryErr("group", g.Name, i, -1, field, reason) }
	if r := nameProblem(g.Name); r != "" {
		return bad("name", r)
	}
	if first, dup := names[g.Name]; dup {
		return entryErr("group", g.Name, i, first, "name", "duplicate name")
	}
	names[g.Name] = i
	if r := idProblem(g.GID); r != "" {
		return bad("gid", r)
	}
	if first, dup := ids[g.GID]; dup {
		return entryErr("group", g.Name, i, first, "gid", fmt.Sprintf("duplicate gid %d (also %s)", g.GID, gs[first].Name))
	}
	ids[g.GID] = i
	// A group password may be empty in group(5); it only guards newgrp.
	if r := fieldProblem(g.Passwd); r != "" {
		return bad("passwd", r)
	}
	for _, m := range g.Members {
		if r := nameProblem(m); r != "" {
			return bad("members", "member "+strconv.Quote(m)+": "+r)
		}
	}
	return nil
}

func checkShadow(ss []Shadow, i int, users, seen map[string]int) error {
	s := &ss[i]
	bad := func(field, reason string) error { return entryErr("shadow", s.Name, i, -1, field, reason) }
	if r := nameProblem(s.Name); r != "" {
		return bad("name", r)
	}
	if first, dup := seen[s.Name]; dup {
		return entryErr("shadow", s.Name, i, first, "name", "duplicate name")
	}
	seen[s.Name] = i
	if _, ok := users[s.Name]; !ok {
		return bad("name", "no passwd entry with this name")
	}
	if r := passwdProblem(s.Passwd); r != "" {
		return bad("passwd", r)
	}
	for _, d := range shadowDays(s) {
		if *d.v < Unset {
			return bad(d.name, "negative (only -1, meaning empty, is allowed)")
		}
	}
	return nil
}

// shadowDay is one day count of a shadow entry.
type shadowDay struct {
	name string // as errors name it
	v    *int64
}

// shadowDays lists s's day counts in shadow(5) field order (fields 3 to
// 9), so the file parser and checkShadow agree on order and names.
func shadowDays(s *Shadow) [7]shadowDay {
	return [7]shadowDay{{"lastchg", &s.LastChange}, {"min", &s.Min}, {"max", &s.Max},
		{"warn", &s.Warn}, {"inact", &s.Inactive}, {"expire", &s.Expire}, {"flag", &s.Flag}}
}

// nameProblem says why s cannot be a user, group or member name, or "".
func nameProblem(s string) string {
	switch {
	case s == "":
		return "empty"
	case !utf8.ValidString(s):
		return "not valid UTF-8"
	case s[0] == '+' || s[0] == '-':
		return "starts with '+' or '-' (an NSS compat marker)"
	case allDigits(s):
		return "all digits (ambiguous with a numeric id)"
	}
	for _, r := range s {
		switch {
		case r == ':':
			return "contains ':'"
		case r == ',':
			return "contains ','"
		case r == ' ' || r == '\t' || r == '\n' || r == '\r':
			return "contains whitespace"
		case isControl(r):
			return "contains a control character"
		}
	}
	return ""
}

// fieldProblem says why s cannot be a text field of a line, or "".
// fieldProblem is why s cannot be a field of a passwd, group or shadow
// line: invalid UTF-8, a ':' (the field separator), a newline or a control
// character, whichever comes first.
func fieldProblem(s string) string { return lineProblem(s, true) }

// textProblem is why s cannot be printed on one line (metadata such as
// meta.source, which is never part of a passwd or group line, so a ':' in
// a server URL is fine there).
func textProblem(s string) string { return lineProblem(s, false) }

func lineProblem(s string, colon bool) string {
	if !utf8.ValidString(s) {
		return "not valid UTF-8"
	}
	for _, r := range s {
		switch {
		case colon && r == ':':
			return "contains ':'"
		case r == '\n':
			return "contains a newline"
		case isControl(r):
			return "contains a control character"
		}
	}
	return ""
}

func passwdProblem(s string) string {
	if s == "" {
		return "empty (would allow login without a password)"
	}
	return fieldProblem(s)
}

func idProblem(id uint32) string {
	switch {
	case id == 0:
		return "0 is root; a directory never serves it"
	case id > maxID:
		return "4294967295 is (uid_t)-1, not an id"
	}
	return ""
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) }

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
