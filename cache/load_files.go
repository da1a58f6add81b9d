package cache

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// LoadFiles parses passwd(5), group(5) and (optionally, shadow may be nil)
// shadow(5) text into a Snapshot, strictly: every line must have exactly
// the right number of fields and valid values, and any problem is a
// *ParseError naming the file and line ("passwd:12: …"). Nothing is dropped:
// lines of any length are read whole (ypldap silently dropped lines over
// 1024 bytes).
//
// Like glibc's files module, empty lines and lines starting with '#' are
// skipped; unlike it, a line with leading blanks is an error, as is the
// compat syntax ('+'/'-' names), which has no meaning in a cache.
// The result has passed Validate.
func LoadFiles(passwd, group, shadow io.Reader) (*Snapshot, error) {
	if passwd == nil || group == nil {
		return nil, errors.New("cache: LoadFiles needs a passwd and a group reader")
	}
	snap := &Snapshot{}
	users := map[string]int{} // name → line, for duplicate messages
	uids := map[uint32]int{}
	err := eachLine("passwd", passwd, 7, func(line int, f []string) string {
		u, msg := parseUser(f)
		if msg == "" {
			msg = firstDup(users, u.Name, "name", line)
		}
		if msg == "" {
			msg = firstDup(uids, u.UID, "uid", line)
		}
		if msg == "" {
			snap.Users = append(snap.Users, u)
		}
		return msg
	})
	if err != nil {
		return nil, err
	}
	groups, gids := map[string]int{}, map[uint32]int{}
	err = eachLine("group", group, 4, func(line int, f []string) string {
		g, msg := parseGroup(f)
		if msg == "" {
			msg = firstDup(groups, g.Name, "name", line)
		}
		if msg == "" {
			msg = firstDup(gids, g.GID, "gid", line)
		}
		if msg == "" {
			snap.Groups = append(snap.Groups, g)
		}
		return msg
	})
	if err != nil {
		return nil, err
	}
	if shadow != nil {
		snap.Shadow = []Shadow{}
		names := map[string]int{}
		err = eachLine("shadow", shadow, 9, func(line int, f []string) string {
			s, msg := parseShadow(f)
			if msg == "" {
				msg = firstDup(names, s.Name, "name", line)
			}
			if _, ok := users[s.Name]; msg == "" && !ok {
				msg = fmt.Sprintf("user %q has no passwd line", s.Name)
			}
			if msg == "" {
				snap.Shadow = append(snap.Shadow, s)
			}
			return msg
		})
		if err != nil {
			return nil, err
		}
	}
	if err := Validate(snap); err != nil {
		return nil, err
	}
	return snap, nil
}

// eachLine calls fn with the ':'-separated fields of every line that is
// not blank or a comment; fn returns "" or a message for this line.
func eachLine(file string, r io.Reader, nfields int, fn func(line int, f []string) string) error {
	br := bufio.NewReader(r)
	for n := 1; ; n++ {
		text, err := br.ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return &ParseError{File: file, Line: n, Msg: "read: " + err.Error(), Err: err}
		}
		if text == "" && err != nil {
			return nil // EOF; a final line without '\n' was handled last round
		}
		text = strings.TrimSuffix(text, "\n")
		if text != "" && text[0] != '#' {
			f := strings.Split(text, ":")
			if len(f) != nfields {
				return &ParseError{File: file, Line: n, Msg: fmt.Sprintf("%d fields, want %d", len(f), nfields)}
			}
			if msg := fn(n, f); msg != "" {
				return &ParseError{File: file, Line: n, Msg: msg}
			}
		}
		if err != nil {
			return nil
		}
	}
}

func firstDup[K comparable](seen map[K]int, k K, what string, line int) string {
	if first, dup := seen[k]; dup {
		return fmt.Sprintf("duplicate %s %v (first on line %d)", what, k, first)
	}
	seen[k] = line
	return ""
}

// parseID accepts a decimal id as getpwent(3) could return it.
func parseID(what, s string) (uint32, string) {
	v, err := strconv.ParseUint(s, 10, 32)
	if err != nil || s[0] == '+' {
		return 0, fmt.Sprintf("%s %q: not a decimal number in 1..%d", what, s, uint32(maxID))
	}
	if r := idProblem(uint32(v)); r != "" {
		return 0, fmt.Sprintf("%s %s: %s", what, s, r)
	}
	return uint32(v), ""
}

func parseUser(f []string) (User, string) {
	u := User{Name: f[0], Passwd: f[1], Gecos: f[4], Dir: f[5], Shell: f[6]}
	if r := nameProblem(u.Name); r != "" {
		return u, fmt.Sprintf("name %q: %s", u.Name, r)
	}
	var msg string
	if u.UID, msg = parseID("uid", f[2]); msg != "" {
		return u, msg
	}
	if u.GID, msg = parseID("gid", f[3]); msg != "" {
		return u, msg
	}
	if err := checkUser(&u, map[string]struct{}{}, map[uint32]string{}); err != nil {
		var ie *InvalidError
		errors.As(err, &ie)
		return u, ie.Field + ": " + ie.Reason
	}
	return u, ""
}

func parseGroup(f []string) (Group, string) {
	g := Group{Name: f[0], Passwd: f[1]}
	if r := nameProblem(g.Name); r != "" {
		return g, fmt.Sprintf("name %q: %s", g.Name, r)
	}
	var msg string
	if g.GID, msg = parseID("gid", f[2]); msg != "" {
		return g, msg
	}
	if f[3] != "" {
		// No trimming and no skipping: "a,,b" or "a," is an error, not a
		// silently shorter list.
		g.Members = strings.Split(f[3], ",")
	}
	if err := checkGroup(&g, map[string]struct{}{}, map[uint32]string{}); err != nil {
		var ie *InvalidError
		errors.As(err, &ie)
		return g, ie.Field + ": " + ie.Reason
	}
	return g, ""
}

func parseShadow(f []string) (Shadow, string) {
	s := Shadow{Name: f[0], Passwd: f[1]}
	if r := nameProblem(s.Name); r != "" {
		return s, fmt.Sprintf("name %q: %s", s.Name, r)
	}
	if r := passwdProblem(s.Passwd); r != "" {
		return s, "passwd: " + r
	}
	names := [...]string{"lastchg", "min", "max", "warn", "inact", "expire", "flag"}
	dst := [...]*int64{&s.LastChange, &s.Min, &s.Max, &s.Warn, &s.Inactive, &s.Expire, &s.Flag}
	for i, v := range f[2:] {
		if v == "" {
			*dst[i] = Unset
			continue
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 || v[0] == '+' {
			return s, fmt.Sprintf("%s %q: not empty or a non-negative decimal number", names[i], v)
		}
		*dst[i] = n
	}
	return s, ""
}
