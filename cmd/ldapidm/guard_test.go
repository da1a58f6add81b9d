package main

import (
	"fmt"
	"strings"
	"testing"
)

// TestImportWithoutGroups: a directory with no groups at all publishes,
// and keeps publishing: the guard refuses emptying a map, and an empty map
// that was already empty empties nothing.
func TestImportWithoutGroups(t *testing.T) {
	dir, files := workdir(t)
	p := write(t, files, "passwd", passwdIn)
	for gen := 1; gen <= 3; gen++ {
		r := ldapidm(t, "import", "--cachedir", dir, "--passwd", p, "--group", "/dev/null")
		if r.code != 0 || !strings.Contains(r.stdout, fmt.Sprintf("generation %d", gen)) || !strings.Contains(r.stdout, "3 users, 0 groups") {
			t.Fatalf("import %d without groups = %d, stdout %q, stderr %q", gen, r.code, r.stdout, r.stderr)
		}
	}
	// Groups that appear may not silently vanish again.
	if r := ldapidm(t, "import", "--cachedir", dir, "--passwd", p, "--group", write(t, files, "group", groupIn)); r.code != 0 {
		t.Fatalf("import with groups: %+v", r)
	}
	r := ldapidm(t, "import", "--cachedir", dir, "--passwd", p, "--group", "/dev/null")
	if r.code != 1 || !strings.Contains(r.stderr, "group map is empty and would empty the cache (live has 3") {
		t.Fatalf("emptying the groups = %d, stderr %q; want a refusal", r.code, r.stderr)
	}
	// A cache with users must never take an empty users map either.
	r = ldapidm(t, "import", "--cachedir", dir, "--passwd", "/dev/null", "--group", "/dev/null")
	if r.code != 1 || !strings.Contains(r.stderr, "passwd map is empty") {
		t.Fatalf("emptying the users = %d, stderr %q; want a refusal", r.code, r.stderr)
	}
}

// TestImportMaxShrink: --maxshrink is the percentage of entries a map may
// lose, 0 to 100; 0 means no loss at all, and the default is 20.
func TestImportMaxShrink(t *testing.T) {
	users := func(n int) string {
		var b strings.Builder
		for i := 0; i < n; i++ {
			fmt.Fprintf(&b, "m%02d:x:%d:10001::/home/m%02d:/bin/sh\n", i, 20000+i, i)
		}
		return b.String()
	}
	cases := []struct {
		name       string
		flags      []string
		from, to   int
		wantShrink bool // refused by the guard
	}{
		{"default allows 20%", nil, 10, 8, false},
		{"default refuses 30%", nil, 10, 7, true},
		{"0 refuses one entry lost", []string{"--maxshrink", "0"}, 10, 9, true},
		{"0 refuses 1 of 100", []string{"--maxshrink", "0"}, 100, 99, true},
		{"0 accepts growth", []string{"--maxshrink", "0"}, 10, 11, false},
		{"0 accepts no change", []string{"--maxshrink", "0"}, 10, 10, false},
		{"50 allows 30%", []string{"--maxshrink", "50"}, 10, 7, false},
		{"100 allows 90%", []string{"--maxshrink", "100"}, 10, 1, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir, files := workdir(t)
			g := write(t, files, "group", groupIn)
			if r := ldapidm(t, "import", "--cachedir", dir, "--passwd", write(t, files, "p1", users(tc.from)), "--group", g); r.code != 0 {
				t.Fatalf("first import: %+v", r)
			}
			args := append([]string{"import", "--cachedir", dir, "--passwd", write(t, files, "p2", users(tc.to)), "--group", g}, tc.flags...)
			r := ldapidm(t, args...)
			if !tc.wantShrink {
				if r.code != 0 || !strings.Contains(r.stdout, "generation 2") {
					t.Fatalf("import %d → %d = %d, stderr %q; want published", tc.from, tc.to, r.code, r.stderr)
				}
				return
			}
			want := fmt.Sprintf("passwd map shrinks from %d to %d entries", tc.from, tc.to)
			if r.code != 1 || !strings.Contains(r.stderr, want) {
				t.Fatalf("import %d → %d = %d, stderr %q; want %q", tc.from, tc.to, r.code, r.stderr, want)
			}
			if r := ldapidm(t, "info", "--cachedir", dir); !strings.Contains(r.stdout, "generation: 1") {
				t.Fatalf("refused import changed the cache: %q", r.stdout)
			}
		})
	}
	// Outside 0..100 is a usage error, caught before anything is read.
	dir, files := workdir(t)
	for _, v := range []string{"-1", "101", "x"} {
		r := ldapidm(t, "import", "--cachedir", dir, "--maxshrink", v, "--passwd", write(t, files, "p", passwdIn), "--group", "/dev/null")
		if r.code != 1 || !strings.Contains(r.stderr, "maxshrink") {
			t.Errorf("--maxshrink %s = %d, stderr %q; want a refusal naming the flag", v, r.code, r.stderr)
		}
	}
	if r := ldapidm(t, "info", "--cachedir", dir); r.code != 1 {
		t.Errorf("a refused --maxshrink published something: %+v", r)
	}
}
