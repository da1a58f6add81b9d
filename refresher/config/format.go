package config

import (
	"fmt"
	"net"
	"strconv"
	"strings"
)

// URL returns the LDAP URL of Servers[i] ("" when i is out of range):
// ldaps:// for TLSLDAPS, ldap:// otherwise (StartTLS upgrades a plain
// connection), with the default port filled in.
func (d *Directory) URL(i int) string {
	if i < 0 || i >= len(d.Servers) {
		return ""
	}
	s := d.Servers[i]
	scheme, port := "ldap", 389
	if d.TLS == TLSLDAPS {
		scheme, port = "ldaps", 636
	}
	if s.Port != 0 {
		port = s.Port
	}
	return scheme + "://" + net.JoinHostPort(s.Host, strconv.Itoa(port))
}

func (m TLSMode) String() string {
	switch m {
	case TLSNone:
		return "none"
	case TLSStartTLS:
		return "tls"
	case TLSLDAPS:
		return "ldaps"
	}
	return fmt.Sprintf("TLSMode(%d)", int(m))
}

func (c CollisionPolicy) String() string {
	switch c {
	case CollisionSkip:
		return "skip"
	case CollisionFail:
		return "fail"
	}
	return fmt.Sprintf("CollisionPolicy(%d)", int(c))
}

// redacted is what a secret prints as.
const redacted = "REDACTED"

// String dumps the effective configuration in the file's own syntax (for
// `-n`), with the bind password replaced by REDACTED.
func (c *Config) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n", c.File)
	fmt.Fprintf(&b, "interval %d\njitter %d\n", int64(c.Interval.Seconds()), int64(c.Jitter.Seconds()))
	fmt.Fprintf(&b, "cachedir %s\n", quote(c.CacheDir))
	fmt.Fprintf(&b, "uidrange %d %d\ngidrange %d %d\n", c.UIDMin, c.UIDMax, c.GIDMin, c.GIDMax)
	fmt.Fprintf(&b, "collisions %s\nlocalfiles %s %s\n", c.Collisions, quote(c.LocalPasswd), quote(c.LocalGroup))
	fmt.Fprintf(&b, "maxshrink %d\npagesize %d\n", c.MaxShrinkPct, c.PageSize)
	fmt.Fprintf(&b, "connect timeout %d\nsearch timeout %d\n", int64(c.ConnectTimeout.Seconds()), int64(c.SearchTimeout.Seconds()))
	if c.CAFile != "" {
		fmt.Fprintf(&b, "cafile %s\n", quote(c.CAFile))
	}
	for _, d := range c.Directories {
		b.WriteString("\n")
		b.WriteString(d.String())
	}
	return b.String()
}

// String dumps one directory block; BindCred prints as REDACTED.
func (d *Directory) String() string {
	var b strings.Builder
	host := ""
	port := 0
	if len(d.Servers) > 0 {
		host, port = d.Servers[0].Host, d.Servers[0].Port
	}
	fmt.Fprintf(&b, "directory %s", quote(host))
	if port != 0 {
		fmt.Fprintf(&b, " port %d", port)
	}
	if d.TLS != TLSNone {
		fmt.Fprintf(&b, " %s", d.TLS)
	}
	b.WriteString(" {\n")
	for _, s := range d.Servers[min(1, len(d.Servers)):] {
		fmt.Fprintf(&b, "\tserver %s", quote(s.Host))
		if s.Port != 0 {
			fmt.Fprintf(&b, " port %d", s.Port)
		}
		b.WriteString("\n")
	}
	str := func(k, v string) {
		if v != "" {
			fmt.Fprintf(&b, "\t%s %s\n", k, quote(v))
		}
	}
	str("basedn", d.BaseDN)
	str("groupdn", d.GroupDN)
	str("binddn", d.BindDN)
	if d.BindCred != "" {
		str("bindcred", redacted)
	}
	str("bindcredfile", d.BindCredFile)
	if d.BindExt {
		fmt.Fprintf(&b, "\tbindext %s\n", quote(d.BindExtID))
	}
	str("cafile", d.CAFile)
	str("certfile", d.CertFile)
	str("keyfile", d.KeyFile)
	str("passwd filter", d.PasswdFilter)
	str("group filter", d.GroupFilter)
	yes := map[bool]string{true: "yes", false: "no"}
	fmt.Fprintf(&b, "\tshadow %s\n\tnested depth %d\n", yes[d.Shadow], d.NestedDepth)
	for _, f := range fields {
		if v, ok := d.Attr[f]; ok {
			fmt.Fprintf(&b, "\tattribute %s maps to %s\n", f, quote(v))
		}
		if v, ok := d.Fixed[f]; ok {
			fmt.Fprintf(&b, "\tfixed attribute %s %s\n", f, quote(v))
		}
		if v, ok := d.List[f]; ok {
			fmt.Fprintf(&b, "\tlist %s maps to %s\n", f, quote(v))
		}
	}
	b.WriteString("}\n")
	return b.String()
}

// quote writes v as a double-quoted string of the file's syntax. The
// lexer unescapes a backslash only before a quote, space or tab, so such a
// pair is written `\\` + byte; a value ending in a backslash has no encoding
// and prints as it is.
func quote(v string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c == '"':
			b.WriteString(`\"`)
		case c == '\\' && i+1 < len(v) && (v[i+1] == '"' || v[i+1] == ' ' || v[i+1] == '\t'):
			// the first backslash is kept, the second escapes the byte
			b.WriteString(`\\`)
			b.WriteByte(v[i+1])
			i++
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}
