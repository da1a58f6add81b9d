package config

import (
	"errors"
	"os"
	"strings"
	"testing"
)

// FuzzParse: Parse never panics, every error is a *Error, and an accepted
// configuration is complete and prints (String) to text that parses back to
// the same number of directories.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"ypldap.conf", "ldapidm.conf", "rfc2307bis.conf"} {
		if b, err := os.ReadFile("../../examples/" + name); err == nil {
			f.Add(string(b))
		}
	}
	f.Add(block("shadow yes\nnested depth 0"))
	f.Add("a = \"$a\"\nb = $a\n" + block("fixed attribute gecos $b"))
	f.Add("directory \"[::1]\" port 636 ldaps {\nbasedn \"o=x\"\nbindext \"x\"\ncertfile \"/c\"\nkeyfile \"/k\"\n}\n")
	f.Add("uidrange 1 2\ngidrange 3 4\njitter 5\ninterval 60\n" + block("server \"b\" port ldap"))
	f.Fuzz(func(t *testing.T, text string) {
		if strings.Contains(text, "include") {
			return // includes read the machine's files: covered by TestInclude
		}
		c, err := Parse("fuzz.conf", strings.NewReader(text))
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || c != nil {
				t.Fatalf("error %v (%T), config %v", err, err, c)
			}
			_ = e.Error()
			return
		}
		if len(c.Directories) == 0 {
			t.Fatal("accepted without a directory")
		}
		for _, d := range c.Directories {
			if d.BaseDN == "" || d.PasswdFilter == "" || d.GroupFilter == "" || len(d.Servers) == 0 || d.URL(0) == "" {
				t.Fatalf("incomplete directory: %+v", d)
			}
			if d.List[FieldGroupMembers] == "" {
				t.Fatalf("no groupmembers source: %+v", d)
			}
		}
		s := c.String()
		back, err := Parse("fuzz.conf", strings.NewReader(s))
		if err != nil {
			if strings.Contains(s, `\`) {
				return // a value ending in a backslash has no encoding
			}
			t.Fatalf("String() output does not parse: %v\n%s", err, s)
		}
		if len(back.Directories) != len(c.Directories) {
			t.Fatalf("round trip: %d directories, want %d", len(back.Directories), len(c.Directories))
		}
	})
}
