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
// the right number of fields, and every number must be one; anything that
// cannot be parsed is a *ParseError naming the file and line
// ("passwd:12: …"). Nothing is dropped: lines of any length are read whole
// (ypldap silently dropped lines over 1024 bytes).
//
// Like glibc's files module, empty lines and lines starting with '#' are
// skipped; unlike it, the compat syntax ('+'/'-' lines) is an error, as it
// has no meaning in a cache.
//
// LoadFiles only parses. Whether the entries may be published (names,
// ids, fields, duplicates, shadow entries without a user) is Validate's
// to say, once, in Publish; Origin.Place turns what it refuses into a
// *ParseError naming the line, as for a parse error.
func LoadFiles(passwd, group, shadow io.Reader) (*Snapshot, *Origin, error) {
	if passwd == nil || group == nil {
		return nil, nil, errors.New("cache: LoadFiles needs a passwd and a group reader")
	}
	snap := &Snapshot{}
	o := &Origin{lines: map[string][]int{}}
	if err := loadMap("passwd", passwd, 7, parseUser, &snap.Users, o); err != nil {
		return nil, nil, err
	}
	if err := loadMap("group", group, 4, parseGroup, &snap.Groups, o); err != nil {
		return nil, nil, err
	}
	if shadow != nil {
		snap.Shadow = []Shadow{} // an empty file is an empty map, not none
		if err := loadMap("shadow", shadow, 9, parseShadow, &snap.Shadow, o); err != nil {
			return nil, nil, err
		}
	}
	return snap, o, nil
}

// loadMap parses every entry line of r with parse, appending the entries
// to dst and their line numbers to o.
func loadMap[T any](file string, r io.Reader, nfields int, parse func([]string) (T, string), dst *[]T, o *Origin) error {
	return eachLine(file, r, nfields, func(line int, f []string) string {
		v, msg := parse(f)
		if msg == "" {
			*dst = append(*dst, v)
			o.lines[file] = append(o.lines[file], line)
		}
		return msg
	})
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
			// Said as what it is, rather than as the empty uid or the
			// field count a compat line usually has.
			if text[0] == '+' || text[0] == '-' {
				return &ParseError{File: file, Line: n, Msg: "compat syntax ('+'/'-' line) has no meaning in a cache"}
			}
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

// parseID reads a decimal id as getpwent(3) could return it: digits only,
// 0..4294967295. Which of those a cache may hold is Validate's business.
func parseID(what, s string) (uint32, string) {
	v, err := strconv.ParseUint(s, 10, 32) // no sign, no blank, no '_'
	if err != nil {
		return 0, fmt.Sprintf("%s %q: not a decimal number in 0..4294967295", what, s)
	}
	return uint32(v), ""
}

func parseUser(f []string) (User, string) {
	u := User{Name: f[0], Passwd: f[1], Gecos: f[4], Dir: f[5], Shell: f[6]}
	var msg string
	if u.UID, msg = parseID("uid", f[2]); msg != "" {
		return u, msg
	}
	u.GID, msg = parseID("gid", f[3])
	return u, msg
}

func parseGroup(f []string) (Group, string) {
	g := Group{Name: f[0], Passwd: f[1]}
	var msg string
	if g.GID, msg = parseID("gid", f[2]); msg != "" {
		return g, msg
	}
	if f[3] != "" {
		// No trimming and no skipping: "a,,b" or "a," keeps its empty
		// member, which Validate refuses, rather than a silently shorter
		// list.
		g.Members = strings.Split(f[3], ",")
	}
	return g, ""
}

// parseShadow reads the day counts: an empty field is Unset, anything else
// must be digits only. A sign is refused here, not left to Validate: "-1"
// would read as Unset, an empty field the file does not have.
func parseShadow(f []string) (Shadow, string) {
	s := Shadow{Name: f[0], Passwd: f[1]}
	for i, d := range shadowDays(&s) {
		v := f[2+i]
		if v == "" {
			*d.v = Unset
			continue
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || v[0] < '0' || v[0] > '9' {
			return s, fmt.Sprintf("%s %q: not empty or a non-negative decimal number", d.name, v)
		}
		*d.v = n
	}
	return s, ""
}
