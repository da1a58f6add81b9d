package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/ldapidm/ldapidm/nss"
)

// The line formats of passwd(5), group(5) and shadow(5), as getent prints
// them. The cache never holds ':' or '\n' in a field (the writer refuses
// them), so joining with ':' is unambiguous.

func formatPasswd(p nss.Passwd) string {
	return fmt.Sprintf("%s:%s:%d:%d:%s:%s:%s", p.Name, p.Passwd, p.UID, p.GID, p.Gecos, p.Dir, p.Shell)
}

func formatGroup(g nss.Group) string {
	return fmt.Sprintf("%s:%s:%d:%s", g.Name, g.Passwd, g.GID, strings.Join(g.Members, ","))
}

// day prints a shadow day count; -1 is an empty field.
func day(v int64) string {
	if v == -1 {
		return ""
	}
	return strconv.FormatInt(v, 10)
}

func formatShadow(s nss.Shadow) string {
	flag := ""
	if s.Flag != ^uint64(0) {
		flag = strconv.FormatUint(s.Flag, 10)
	}
	return strings.Join([]string{s.Name, s.Passwd, day(s.LastChange), day(s.Min), day(s.Max),
		day(s.Warn), day(s.Inactive), day(s.Expire), flag}, ":")
}
