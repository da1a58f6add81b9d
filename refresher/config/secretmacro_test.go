package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLoadBindCredMacro: a password reaching bindcred through a macro
// lives in the file that defined the macro, so that file must be private
// too, wherever it sits in the include chain. Real files with real modes,
// through Load.
func TestLoadBindCredMacro(t *testing.T) {
	const pw = "TopSecret123"
	type file struct {
		name, text string
		mode       os.FileMode
	}
	// dirUse is a directory block binding with $pw (line 3 of main.conf
	// when main.conf starts with one include line and one blank line).
	dirUse := func(macro string) string {
		return block("binddn \"cn=reader,dc=example,dc=com\"\nbindcred $" + macro)
	}
	cases := []struct {
		name  string
		files []file // files[0] is the one loaded
		bad   string // file named by the refusal; "" means Load succeeds
		line  int    // its line in the refusal
		want  []string
	}{
		{
			name: "macro in a world-readable include",
			files: []file{
				{"main.conf", "include \"inc.conf\"\n\n" + dirUse("pw"), 0o600},
				{"inc.conf", "pw = \"" + pw + "\"\n", 0o644},
			},
			bad: "inc.conf", line: 1,
			want: []string{"macro $pw", "bindcred", "main.conf:6", "mode 0644"},
		},
		{
			name: "macro in a group-readable include",
			files: []file{
				{"main.conf", "include \"inc.conf\"\n\n" + dirUse("pw"), 0o600},
				{"inc.conf", "# secrets\n\npw = \"" + pw + "\"\n", 0o640},
			},
			bad: "inc.conf", line: 3,
			want: []string{"mode 0640"},
		},
		{
			name: "macro in a private include",
			files: []file{
				{"main.conf", "include \"inc.conf\"\n\n" + dirUse("pw"), 0o600},
				{"inc.conf", "pw = \"" + pw + "\"\n", 0o600},
			},
		},
		{
			name: "bare-word macro value in a world-readable include",
			files: []file{
				{"main.conf", "include \"inc.conf\"\n" + dirUse("pw"), 0o600},
				{"inc.conf", "pw = " + pw + "\n", 0o644},
			},
			bad: "inc.conf", line: 1,
		},
		{
			name: "macro of a macro: the file holding the text is checked",
			files: []file{
				{"main.conf", "include \"a.conf\"\ninclude \"b.conf\"\n" + dirUse("cred"), 0o600},
				{"a.conf", "pw = \"" + pw + "\"\n", 0o644},
				{"b.conf", "cred = $pw\n", 0o600},
			},
			bad: "a.conf", line: 1,
			want: []string{"macro $pw"},
		},
		{
			name: "macro of a macro: the intermediate file is checked too",
			files: []file{
				{"main.conf", "include \"a.conf\"\ninclude \"b.conf\"\n" + dirUse("cred"), 0o600},
				{"a.conf", "pw = \"" + pw + "\"\n", 0o600},
				{"b.conf", "cred = $pw\n", 0o644},
			},
			bad: "b.conf", line: 1,
			want: []string{"macro $cred"},
		},
		{
			name: "macro in a nested include",
			files: []file{
				{"main.conf", "include \"a.conf\"\n" + dirUse("pw"), 0o600},
				{"a.conf", "include \"b.conf\"\n", 0o644},
				{"b.conf", "pw = \"" + pw + "\"\n", 0o604},
			},
			bad: "b.conf", line: 1,
			want: []string{"mode 0604"},
		},
		{
			name: "redefined in a private file before use: the last definition counts",
			files: []file{
				{"main.conf", "include \"inc.conf\"\npw = \"" + pw + "\"\n" + dirUse("pw"), 0o600},
				{"inc.conf", "pw = \"not-the-password\"\n", 0o644},
			},
		},
		{
			name: "redefined in a world-readable include before use",
			files: []file{
				{"main.conf", "pw = \"first\"\ninclude \"inc.conf\"\n" + dirUse("pw"), 0o600},
				{"inc.conf", "pw = \"" + pw + "\"\n", 0o644},
			},
			bad: "inc.conf", line: 1,
		},
		{
			name: "macro defined in the private main file",
			files: []file{
				{"main.conf", "pw = \"" + pw + "\"\n" + dirUse("pw"), 0o600},
			},
		},
		{
			name: "macro defined in a world-readable main file",
			files: []file{
				{"main.conf", "pw = \"" + pw + "\"\n" + dirUse("pw"), 0o644},
			},
			bad: "main.conf", line: 1,
		},
		{
			// Only bindcred makes a macro secret: a shared file of
			// ordinary settings stays shareable.
			name: "non-secret macros in a world-readable include",
			files: []file{
				{"main.conf", "include \"inc.conf\"\ndirectory $host {\n\tbasedn $base\n\tbinddn \"cn=a\"\n\tbindcred \"" + pw + "\"\n}\n", 0o600},
				{"inc.conf", "host = \"ldap.example.com\"\nbase = \"dc=example,dc=com\"\npw = \"unused\"\n", 0o644},
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, f := range tc.files {
				writeFile(t, filepath.Join(dir, f.name), f.text, f.mode)
			}
			main := filepath.Join(dir, tc.files[0].name)
			if tc.bad == "" {
				cfg, err := Load(main)
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if got, _ := cfg.Directories[0].Credential(); got != pw {
					t.Errorf("credential %q, want %q", got, pw)
				}
				return
			}
			e := loadErr(t, main)
			if e.File != filepath.Join(dir, tc.bad) || e.Line != tc.line || e.Directive != "bindcred" ||
				!strings.Contains(e.Msg, "holds a bind password") {
				t.Errorf("got %q, want %s:%d: bindcred: …holds a bind password…", e.Error(), tc.bad, tc.line)
			}
			for _, w := range tc.want {
				if !strings.Contains(e.Error(), w) {
					t.Errorf("got %q, want it to mention %q", e.Error(), w)
				}
			}
			if strings.Contains(e.Error(), pw) {
				t.Error("error leaks the password")
			}
		})
	}
}

// TestParseBindCredMacro: Parse checks no permissions, so a macro is just
// its value there; the credential must still be the macro's value.
func TestParseBindCredMacro(t *testing.T) {
	c := mustParse(t, "pw = \"a b#c\"\ncred = $pw\n"+block("binddn \"cn=a\"\nbindcred $cred"))
	if got := c.Directories[0].BindCred; got != "a b#c" {
		t.Errorf("BindCred %q", got)
	}
	// A long chain of redefinitions from the macro itself keeps one origin
	// per file, so it parses like any other file of its size.
	c = mustParse(t, "a = \"p\"\n"+strings.Repeat("a = $a\n", 200000)+block("binddn \"cn=a\"\nbindcred $a"))
	if got := c.Directories[0].BindCred; got != "p" {
		t.Errorf("BindCred after the chain %q", got)
	}
}
