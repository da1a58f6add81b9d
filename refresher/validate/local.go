package validate

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Local is the set of local accounts LDAP entries must not shadow.
type Local struct {
	UserNames  map[string]bool
	UIDs       map[uint32]string // uid -> local user name
	GroupNames map[string]bool
	GIDs       map[uint32]string // gid -> local group name
}

// ReadLocal reads a passwd(5) and a group(5) file. It reads the files
// directly and never calls getpwent/getgrent: through NSS it would see our
// own module (collisions with itself) and could recurse into it. A missing
// file is an error, since without it collisions cannot be ruled out.
func ReadLocal(passwdPath, groupPath string) (*Local, error) {
	l := &Local{UserNames: map[string]bool{}, UIDs: map[uint32]string{},
		GroupNames: map[string]bool{}, GIDs: map[uint32]string{}}
	if err := readColon(passwdPath, func(name string, id uint32, ok bool) {
		l.UserNames[name] = true
		if _, dup := l.UIDs[id]; ok && !dup {
			l.UIDs[id] = name
		}
	}); err != nil {
		return nil, err
	}
	if err := readColon(groupPath, func(name string, id uint32, ok bool) {
		l.GroupNames[name] = true
		if _, dup := l.GIDs[id]; ok && !dup {
			l.GIDs[id] = name
		}
	}); err != nil {
		return nil, err
	}
	return l, nil
}

// readColon calls add for each "name:x:id:..." line. Comments, blank lines
// and NIS compat lines ("+", "-") carry no account and are skipped; a line
// with a non-numeric id still reserves its name.
func readColon(path string, add func(name string, id uint32, ok bool)) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("local accounts: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' || line[0] == '+' || line[0] == '-' {
			continue
		}
		fields := strings.SplitN(line, ":", 4)
		var id uint64
		ok := false
		if len(fields) >= 3 {
			id, err = strconv.ParseUint(fields[2], 10, 32)
			ok = err == nil
		}
		add(fields[0], uint32(id), ok)
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("local accounts: %s: %w", path, err)
	}
	return nil
}
