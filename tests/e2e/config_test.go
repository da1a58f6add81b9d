package e2e

import (
	"fmt"
	"strings"
	"testing"
)

// -n accepts a good file (printing its notices) and refuses a bad one with
// file:line; a file holding bindcred that others can read is refused with
// its mode, by -n, --once and the daemon alike.
func TestConfigCheck(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	good := conf{Jitter: -1, MaxShrink: -1, Extra: []string{`domain "example.org"`},
		Dirs: []dirConf{{Host: "127.0.0.1", Port: 1, BaseDN: "ou=people,dc=x", BindDN: "cn=reader,dc=x",
			BindCred: "s3cret-never-printed", Members: "memberUid"}}}
	e.write(good)
	r := e.refresh("-n")
	if r.Code != 0 || strings.TrimSpace(r.Stdout) != "configuration OK" || !strings.Contains(r.Stderr, "notice:") {
		t.Fatalf("-n on a good file:\n%s", r)
	}

	cases := []struct {
		name string
		text string
		line int
	}{
		{"unknown directive", "interval 60\ncachedir \"/tmp/x\"\nfrobnicate yes\n", 3},
		{"bad number", "\n\npagesize 0\n", 3},
		{"unclosed block", "directory \"127.0.0.1\" {\n\tbasedn \"dc=x\"\n", 1},
		{"directive outside a block", "basedn \"dc=x\"\n", 1},
		{"uid range with root", "uidrange 0 100\n", 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			writeFile(t, e.confPath, tc.text, 0o600)
			r := e.refresh("-n")
			prefix := fmt.Sprintf("%s:%d: ", e.confPath, tc.line)
			if r.Code != 1 || !strings.HasPrefix(r.Stderr, prefix) || strings.Contains(r.Stdout, "OK") {
				t.Fatalf("want exit 1 and stderr starting %q:\n%s", prefix, r)
			}
		})
	}

	// The good file, world-readable: refused, and the password not shown.
	e.write(good)
	writeFile(t, e.confPath, good.withCache(e.cacheDir).text(), 0o644)
	for _, args := range [][]string{{"-n"}, {"--once"}, {}} {
		r := e.refresh(args...)
		if r.Code != 1 || !strings.Contains(r.Stderr, "0644") || !strings.Contains(r.Stderr, e.confPath) {
			t.Errorf("bindcred in a 0644 file, args %v: want exit 1 naming the file and its mode:\n%s", args, r)
		}
	}
}

func (c conf) withCache(dir string) conf { c.CacheDir = dir; return c }
