package nss

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// The package must compile exactly the sources the .so is linked from:
// every SRCS entry of c/Makefile has a c_<name> symlink here pointing at
// it, and there is no other c_*.c.
func TestCompilesTheModuleSources(t *testing.T) {
	mk, err := os.ReadFile("../c/Makefile")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^SRCS\s*:?=\s*(.+)$`).FindSubmatch(mk)
	if m == nil {
		t.Fatal("no SRCS in c/Makefile")
	}
	want := strings.Fields(string(m[1]))
	sort.Strings(want)
	links, _ := filepath.Glob("c_*.c")
	var got []string
	for _, l := range links {
		target, err := os.Readlink(l)
		if err != nil {
			t.Errorf("%s is not a symlink: %v", l, err)
			continue
		}
		if target != "../c/"+strings.TrimPrefix(l, "c_") {
			t.Errorf("%s -> %s, want ../c/%s", l, target, strings.TrimPrefix(l, "c_"))
		}
		got = append(got, strings.TrimPrefix(l, "c_"))
	}
	sort.Strings(got)
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("nss/c_*.c = %v, c/Makefile SRCS = %v", got, want)
	}
	if target, err := os.Readlink("ldapidm.h"); err != nil || target != "../c/ldapidm.h" {
		t.Errorf("nss/ldapidm.h -> %q, %v; want ../c/ldapidm.h", target, err)
	}
}
