package testcache

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// PasswdLine is u as getent passwd prints it.
func PasswdLine(f Fixture, i int) string {
	u := f.Users[i]
	return fmt.Sprintf("%s:%s:%d:%d:%s:%s:%s", u.Name, u.Passwd, u.UID, u.GID, u.Gecos, u.Dir, u.Shell)
}

// WriteText writes passwd, group, shadow and initgroups into dir, each as
// getent -s ldapidm prints that map (initgroups: every user, skip none).
func WriteText(dir string, f Fixture) error {
	var pw, gr, sp, ig strings.Builder
	for i := range f.Users {
		pw.WriteString(PasswdLine(f, i) + "\n")
	}
	for _, g := range f.Groups {
		fmt.Fprintf(&gr, "%s:%s:%d:%s\n", g.Name, g.Passwd, g.GID, strings.Join(g.Members, ","))
	}
	for _, s := range f.Shadow {
		fmt.Fprintf(&sp, "%s:%s:", s.Name, s.Passwd)
		for _, v := range []int64{s.LastChange, s.Min, s.Max, s.Warn, s.Inactive, s.Expire} {
			if v != -1 {
				fmt.Fprintf(&sp, "%d", v)
			}
			sp.WriteString(":")
		}
		if s.Flag != -1 {
			fmt.Fprintf(&sp, "%d", s.Flag)
		}
		sp.WriteString("\n")
	}
	for _, u := range f.Users {
		fmt.Fprintf(&ig, "%-21s", u.Name)
		for _, g := range f.GroupsOf(u.Name, ^uint32(0)) {
			fmt.Fprintf(&ig, " %d", g)
		}
		ig.WriteString("\n")
	}
	for name, b := range map[string]*strings.Builder{"passwd": &pw, "group": &gr, "shadow": &sp, "initgroups": &ig} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(b.String()), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// ReadText reads passwd, group and shadow from dir (files(5) format, as
// WriteText and bench/gendata.py write them) into a Fixture, so that a
// benchmark can build this package's caches, at any version, from the
// data set the product's writer imports. It checks only the field count
// and the numbers: the module, not this reader, is what the tests test.
func ReadText(dir, gen string) (Fixture, error) {
	f := Fixture{Gen: gen}
	err := eachLine(dir, "passwd", 7, func(v []string) error {
		uid, err1 := strconv.ParseUint(v[2], 10, 32)
		gid, err2 := strconv.ParseUint(v[3], 10, 32)
		if err := errors.Join(err1, err2); err != nil {
			return err
		}
		f.Users = append(f.Users, User{Name: v[0], Passwd: v[1], UID: uint32(uid), GID: uint32(gid),
			Gecos: v[4], Dir: v[5], Shell: v[6]})
		return nil
	})
	if err != nil {
		return f, err
	}
	err = eachLine(dir, "group", 4, func(v []string) error {
		gid, err := strconv.ParseUint(v[2], 10, 32)
		if err != nil {
			return err
		}
		g := Group{Name: v[0], Passwd: v[1], GID: uint32(gid)}
		if v[3] != "" {
			g.Members = strings.Split(v[3], ",")
		}
		f.Groups = append(f.Groups, g)
		return nil
	})
	if err != nil {
		return f, err
	}
	err = eachLine(dir, "shadow", 9, func(v []string) error {
		s := Shadow{Name: v[0], Passwd: v[1]}
		for i, p := range []*int64{&s.LastChange, &s.Min, &s.Max, &s.Warn, &s.Inactive, &s.Expire, &s.Flag} {
			*p = Unset
			if v[2+i] == "" {
				continue
			}
			n, err := strconv.ParseInt(v[2+i], 10, 64)
			if err != nil {
				return err
			}
			*p = n
		}
		f.Shadow = append(f.Shadow, s)
		return nil
	})
	return f, err
}

// eachLine calls fn with the n ':'-separated fields of every line of
// dir/name.
func eachLine(dir, name string, n int, fn func([]string) error) error {
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		return err
	}
	for i, line := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
		if line == "" {
			continue
		}
		v := strings.Split(line, ":")
		if len(v) != n {
			return fmt.Errorf("%s line %d: %d fields, want %d", name, i+1, len(v), n)
		}
		if err := fn(v); err != nil {
			return fmt.Errorf("%s line %d: %w", name, i+1, err)
		}
	}
	return nil
}
