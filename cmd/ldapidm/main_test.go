package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// bin is the ldapidm binary built once for the end-to-end tests: they run
// it as an operator would, as a separate process.
var bin string

func TestMain(m *testing.M) {
	tmp, err := os.MkdirTemp("", "ldapidm-cli-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bin = filepath.Join(tmp, "ldapidm")
	// GOFLAGS (-tags=libsqlite3) is inherited from the go test invocation.
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build ldapidm:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(tmp)
	os.Exit(code)
}

type result struct {
	stdout, stderr string
	code           int
}

func ldapidm(t *testing.T, args ...string) result {
	t.Helper()
	cmd := exec.Command(bin, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	cmd.Env = append(os.Environ(), "LDAPIDM_CACHE_DIR=") // only --cachedir decides
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return result{out.String(), errb.String(), code}
}

// workdir is a 0755 cache directory plus a place for input files.
func workdir(t *testing.T) (cacheDir, files string) {
	t.Helper()
	files = t.TempDir()
	os.Chmod(files, 0o755) // the module refuses nothing here, but other users traverse it
	cacheDir = filepath.Join(files, "cache")
	if err := os.Mkdir(cacheDir, 0o755); err != nil {
		t.Fatal(err)
	}
	return cacheDir, files
}

func write(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const (
	passwdIn = "alice:x:10001:10001:Alice Liddell,Room 1,555:/home/alice:/bin/bash\n" +
		"bob:x:10002:10001::/home/bob:/bin/sh\n" +
		"carol:*:10003:10002:Carol:/home/carol:/usr/sbin/nologin\n"
	groupIn  = "staff:x:10001:alice,bob,alice\nops:x:10002:carol,bob\nempty:*:10003:\n"
	shadowIn = "alice:$6$salt$hash:19000:0:99999:7:::\nbob:*::::::::\n"
)

func importFiles(t *testing.T, dir, files string, extra ...string) result {
	t.Helper()
	args := append([]string{"import", "--cachedir", dir,
		"--passwd", write(t, files, "passwd", passwdIn),
		"--group", write(t, files, "group", groupIn)}, extra...)
	return ldapidm(t, args...)
}

func TestImportThenLookup(t *testing.T) {
	dir, files := workdir(t)
	r := importFiles(t, dir, files, "--shadow", write(t, files, "shadow", strings.Replace(shadowIn, "::::::::", ":::::::", 1)), "--source", "unit test")
	if r.code != 0 {
		t.Fatalf("import: %d %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, "generation 1") || !strings.Contains(r.stdout, "3 users, 3 groups, 4 memberships, 2 shadow entries") {
		t.Fatalf("import summary %q", r.stdout)
	}
	cases := []struct {
		args []string
		want string
		code int
	}{
		{[]string{"passwd"}, passwdIn, 0},
		{[]string{"passwd", "alice"}, "alice:x:10001:10001:Alice Liddell,Room 1,555:/home/alice:/bin/bash\n", 0},
		{[]string{"passwd", "10003"}, "carol:*:10003:10002:Carol:/home/carol:/usr/sbin/nologin\n", 0},
		{[]string{"passwd", "nobody-here"}, "", 2},
		{[]string{"passwd", "4294967295"}, "", 2},
		{[]string{"group"}, "staff:x:10001:alice,bob\nops:x:10002:carol,bob\nempty:*:10003:\n", 0},
		{[]string{"group", "ops"}, "ops:x:10002:carol,bob\n", 0},
		{[]string{"group", "10003"}, "empty:*:10003:\n", 0},
		{[]string{"group", "99999"}, "", 2},
		{[]string{"shadow"}, "alice:$6$salt$hash:19000:0:99999:7:::\nbob:*:::::::\n", 0},
		{[]string{"shadow", "alice"}, "alice:$6$salt$hash:19000:0:99999:7:::\n", 0},
		{[]string{"shadow", "carol"}, "", 2},
		{[]string{"initgroups", "bob"}, "bob 10001 10002\n", 0},
		{[]string{"initgroups", "carol"}, "carol 10002\n", 0},
		{[]string{"initgroups", "ghost"}, "", 2},
		{[]string{"hosts", "x"}, "", 1},
		{[]string{}, "", 1},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.args, "_"), func(t *testing.T) {
			r := ldapidm(t, append([]string{"lookup", "--cachedir", dir}, tc.args...)...)
			if r.code != tc.code || r.stdout != tc.want {
				t.Fatalf("lookup %v = %d %q (stderr %q), want %d %q", tc.args, r.code, r.stdout, r.stderr, tc.code, tc.want)
			}
		})
	}
	// Flags may follow the positional arguments.
	if r := ldapidm(t, "lookup", "passwd", "bob", "--cachedir", dir); r.code != 0 || !strings.HasPrefix(r.stdout, "bob:") {
		t.Fatalf("interspersed flags: %+v", r)
	}
	// No cache at all: unavailable, exit 1, not "not found".
	if r := ldapidm(t, "lookup", "--cachedir", filepath.Join(files, "none"), "passwd", "alice"); r.code != 1 || !strings.Contains(r.stderr, "unavailable") {
		t.Fatalf("missing cache: %+v", r)
	}
}

func TestInfo(t *testing.T) {
	dir, files := workdir(t)
	if r := ldapidm(t, "info", "--cachedir", dir); r.code != 1 || !strings.Contains(r.stderr, "no cache") {
		t.Fatalf("info on empty dir: %+v", r)
	}
	for i := 1; i <= 2; i++ {
		if r := importFiles(t, dir, files); r.code != 0 {
			t.Fatal(r.stderr)
		}
	}
	r := ldapidm(t, "info", "--cachedir", dir, "--json")
	if r.code != 0 {
		t.Fatal(r.stderr)
	}
	var out infoOut
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("info --json: %v\n%s", err, r.stdout)
	}
	if out.Generation != 2 || out.Users != 3 || out.Groups != 3 || out.Members != 4 || out.Shadow != 0 ||
		!out.Main.Present || out.Main.Mode != "0644" || out.ShadowFile.Present {
		t.Fatalf("info = %+v", out)
	}
	if r := ldapidm(t, "info", "--cachedir", dir); r.code != 0 || !strings.Contains(r.stdout, "generation: 2") {
		t.Fatalf("info text: %+v", r)
	}
}

// TestImportRefusals: every bad input exits 1 with a message naming the
// problem, and the live cache keeps answering the previous generation.
func TestImportRefusals(t *testing.T) {
	dir, files := workdir(t)
	if r := importFiles(t, dir, files); r.code != 0 {
		t.Fatal(r.stderr)
	}
	bad := func(name, content string) string { return write(t, files, name, content) }
	okP, okG := bad("okp", passwdIn), bad("okg", groupIn)
	cases := []struct {
		name string
		args []string
		msg  string
	}{
		{"colon in gecos", []string{"--passwd", bad("p1", passwdIn+"eve:x:10009:10001:a:b:/:/bin/sh\n"), "--group", okG}, "p1:4: 8 fields, want 7"},
		{"duplicate uid", []string{"--passwd", bad("p2", passwdIn+"eve:x:10001:10001::/:/bin/sh\n"), "--group", okG}, "p2:4: invalid passwd entry \"eve\": uid: duplicate uid 10001 (also alice); first on line 1"},
		{"uid 4294967295", []string{"--passwd", bad("p3", "eve:x:4294967295:1::/:/bin/sh\n"), "--group", okG}, "p3:1: invalid passwd entry \"eve\": uid: 4294967295 is (uid_t)-1"},
		{"member with space", []string{"--passwd", okP, "--group", bad("g1", "g:x:5:a b\n")}, "g1:1: invalid group entry \"g\": members: member \"a b\": contains whitespace"},
		{"duplicate group", []string{"--passwd", okP, "--group", bad("g2", groupIn+"staff:x:777:\n")}, "g2:4: invalid group entry \"staff\": name: duplicate name; first on line 1"},
		{"shadow for unknown", []string{"--passwd", okP, "--group", okG, "--shadow", bad("s1", "zed:*:::::::\n")}, "s1:1: invalid shadow entry \"zed\": name: no passwd entry"},
		{"shadow day not a number", []string{"--passwd", okP, "--group", okG, "--shadow", bad("s2", "alice:*::x:::::\n")}, "s2:1: min \"x\": not empty or a non-negative decimal number"},
		{"shadow 10 fields", []string{"--passwd", okP, "--group", okG, "--shadow", bad("s3", "alice:*:::::::\nbob:*::::::::\n")}, "s3:2: 10 fields, want 9"},
		{"json missing field", []string{"--json", bad("j3", `{"users": [{"name": "a"}], "groups": []}`)}, "j3: users[0]: passwd missing"},
		{"json colon in name", []string{"--json", bad("j4", `{"users": [{"name": "a", "passwd": "x", "uid": 1000, "gid": 1000, "dir": "/", "shell": "/bin/sh"},
			{"name": "b:0", "passwd": "x", "uid": 1001, "gid": 1000, "dir": "/", "shell": "/bin/sh"}], "groups": []}`)}, "j4: users[1]: invalid passwd entry \"b:0\": name: contains ':'"},
		{"json shadow duplicate", []string{"--json", bad("j5", `{"users": [{"name": "a", "passwd": "x", "uid": 1000, "gid": 1000, "dir": "/", "shell": "/bin/sh"}], "groups": [],
			"shadow": [{"name": "a", "passwd": "*"}, {"name": "a", "passwd": "*", "lastchg": 0}]}`)}, "j5: shadow[1]: invalid shadow entry \"a\": name: duplicate name; first at shadow[0]"},
		{"json unknown field", []string{"--json", bad("j1", `{"users": [], "groups": [], "x": 1}`)}, "unknown field"},
		{"json and files", []string{"--json", bad("j2", `{}`), "--passwd", okP}, "excludes"},
		{"missing group", []string{"--passwd", okP}, "need --passwd and --group"},
		{"missing file", []string{"--passwd", filepath.Join(files, "nope"), "--group", okG}, "no such file"},
		{"empty users", []string{"--passwd", bad("p4", ""), "--group", okG}, "would empty the cache"},
		{"shrink", []string{"--passwd", bad("p5", "alice:x:10001:10001::/:/bin/sh\n"), "--group", okG}, "shrinks from 3 to 1"},
		{"stray argument", []string{"--passwd", okP, "--group", okG, "extra"}, "unexpected argument"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := ldapidm(t, append([]string{"import", "--cachedir", dir}, tc.args...)...)
			if r.code != 1 || !strings.Contains(r.stderr, tc.msg) {
				t.Fatalf("import = %d, stderr %q; want 1 and %q", r.code, r.stderr, tc.msg)
			}
			if r := ldapidm(t, "lookup", "--cachedir", dir, "passwd"); r.stdout != passwdIn {
				t.Fatalf("live cache changed: %q", r.stdout)
			}
		})
	}
	// --force publishes the shrink that was refused.
	r := ldapidm(t, "import", "--cachedir", dir, "--force", "--passwd", write(t, files, "p6", "alice:x:10001:10001::/:/bin/sh\n"), "--group", okG)
	if r.code != 0 || !strings.Contains(r.stdout, "generation 2") {
		t.Fatalf("forced import: %+v", r)
	}
}

func TestImportJSON(t *testing.T) {
	dir, files := workdir(t)
	doc := `{"source": "json test",
	  "users": [{"name": "dora", "passwd": "x", "uid": 20001, "gid": 20001, "gecos": "Dora", "dir": "/home/dora", "shell": "/bin/zsh"}],
	  "groups": [{"name": "explorers", "gid": 20001, "members": ["dora", "boots"]}],
	  "shadow": [{"name": "dora", "passwd": "$y$j9T$abc", "lastchg": 20000}]}`
	r := ldapidm(t, "import", "--cachedir", dir, "--json", write(t, files, "snap.json", doc))
	if r.code != 0 {
		t.Fatal(r.stderr)
	}
	for _, c := range []struct{ db, key, want string }{
		{"passwd", "dora", "dora:x:20001:20001:Dora:/home/dora:/bin/zsh\n"},
		{"group", "explorers", "explorers:x:20001:dora,boots\n"},
		{"shadow", "dora", "dora:$y$j9T$abc:20000::::::\n"},
		{"initgroups", "boots", "boots 20001\n"},
	} {
		if r := ldapidm(t, "lookup", "--cachedir", dir, c.db, c.key); r.code != 0 || r.stdout != c.want {
			t.Errorf("lookup %s %s = %d %q, want %q", c.db, c.key, r.code, r.stdout, c.want)
		}
	}
	if r := ldapidm(t, "info", "--cachedir", dir); !strings.Contains(r.stdout, "source:     json test") {
		t.Errorf("info: %q", r.stdout)
	}
}

// TestConcurrentImports runs imports as separate processes at once: the
// publish lock serializes them, each gets its own generation, and the
// directory ends clean.
func TestConcurrentImports(t *testing.T) {
	dir, files := workdir(t)
	const n = 5
	var wg sync.WaitGroup
	results := make([]result, n)
	for i := 0; i < n; i++ {
		// Same users in every file (so the shrink guard never refuses,
		// whatever the order), told apart by gecos.
		var extra strings.Builder
		for k := 0; k < 20; k++ {
			fmt.Fprintf(&extra, "x%d:x:%d:10001:import %d:/:/bin/sh\n", k, 30000+k, i)
		}
		p := write(t, files, fmt.Sprintf("p%d", i), passwdIn+extra.String())
		g := write(t, files, fmt.Sprintf("g%d", i), groupIn)
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			results[i] = ldapidm(t, "import", "--cachedir", dir, "--passwd", p, "--group", g)
		}(i)
	}
	wg.Wait()
	seen := map[string]bool{}
	for i, r := range results {
		if r.code != 0 {
			t.Fatalf("import %d: %s", i, r.stderr)
		}
		gen := strings.Fields(r.stdout)[2]
		if seen[gen] {
			t.Fatalf("generation %s published twice", gen)
		}
		seen[gen] = true
	}
	r := ldapidm(t, "info", "--cachedir", dir, "--json")
	var out infoOut
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil || out.Generation != n {
		t.Fatalf("final info %+v %v", out, err)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") || strings.HasSuffix(e.Name(), "-journal") {
			t.Errorf("leftover %s", e.Name())
		}
	}
}
