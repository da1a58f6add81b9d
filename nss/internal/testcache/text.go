package testcache

import (
	"fmt"
	"os"
	"path/filepath"
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
