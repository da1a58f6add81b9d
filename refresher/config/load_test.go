package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const nobodyUID = 65534

// needRoot skips (or, under LDAPIDM_REQUIRE_ALL=1, fails) a test that must
// chown files.
func needRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() == 0 {
		return
	}
	if os.Getenv("LDAPIDM_REQUIRE_ALL") == "1" {
		t.Fatal("needs root to chown files (LDAPIDM_REQUIRE_ALL=1)")
	}
	t.Skip("needs root to chown files")
}

func loadErr(t *testing.T, path string) *Error {
	t.Helper()
	c, err := Load(path)
	if err == nil {
		t.Fatalf("Load(%s) accepted it:\n%s", path, c)
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("%v (%T) is not *Error", err, err)
	}
	return e
}

var withCred = "interval 60\n" + block("binddn \"cn=a\"\nbindcred \"hunter2\"")

func TestLoadPermissions(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name  string
		text  string
		mode  os.FileMode
		owner int    // -1: leave as is (the test's euid)
		want  string // "" means Load succeeds
	}{
		{"bindcred 0600", withCred, 0o600, -1, ""},
		{"bindcred 0400", withCred, 0o400, -1, ""},
		{"bindcred 0644", withCred, 0o644, -1, "holds a bind password but its mode 0644"},
		{"bindcred 0640", withCred, 0o640, -1, "mode 0640"},
		{"bindcred 0604", withCred, 0o604, -1, "mode 0604"},
		{"bindcred 0610 (group execute)", withCred, 0o610, -1, "mode 0610"},
		{"no secret 0644", block(""), 0o644, -1, ""},
		{"no secret 0664", block(""), 0o664, -1, "group- or world-writable (mode 0664"},
		{"no secret 0646", block(""), 0o646, -1, "group- or world-writable (mode 0646"},
		{"bindcred 0600 owned by nobody", withCred, 0o600, nobodyUID, "owned by uid 65534 (mode 0600), not by root or the running user"},
		{"no secret 0644 owned by nobody", block(""), 0o644, nobodyUID, ""},
		{"no secret 0666 owned by nobody", block(""), 0o666, nobodyUID, "owner uid 65534"},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(dir, c.name+".conf")
			writeFile(t, path, c.text, c.mode)
			if c.owner >= 0 {
				needRoot(t)
				if err := os.Chown(path, c.owner, -1); err != nil {
					t.Fatal(err)
				}
			}
			_ = i
			if c.want == "" {
				cfg, err := Load(path)
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if cfg.File != path {
					t.Errorf("File %q", cfg.File)
				}
				return
			}
			e := loadErr(t, path)
			if e.File != path || !strings.Contains(e.Msg, c.want) {
				t.Errorf("got %q, want %s: …%s…", e.Error(), path, c.want)
			}
			if strings.Contains(e.Error(), "hunter2") {
				t.Error("error leaks the password")
			}
		})
	}
}

func TestLoadMissing(t *testing.T) {
	p := filepath.Join(t.TempDir(), "nope.conf")
	e := loadErr(t, p)
	if e.File != p || !strings.Contains(e.Msg, "no such file") {
		t.Errorf("got %q", e.Error())
	}
	e = loadErr(t, "/dev/null")
	if !strings.Contains(e.Msg, "not a regular file") {
		t.Errorf("got %q", e.Error())
	}
}

// An included file is held to the same rules as the file including it.
func TestLoadIncludedPermissions(t *testing.T) {
	dir := t.TempDir()
	main := filepath.Join(dir, "main.conf")
	writeFile(t, main, "include \"secret.conf\"\n", 0o644)
	sec := filepath.Join(dir, "secret.conf")
	writeFile(t, sec, withCred, 0o644)
	e := loadErr(t, main)
	if e.File != sec || !strings.Contains(e.Msg, "mode 0644") {
		t.Errorf("got %q, want the included file named", e.Error())
	}
	if err := os.Chmod(sec, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(main); err != nil {
		t.Errorf("0600 include refused: %v", err)
	}
	if err := os.Chmod(sec, 0o620); err != nil {
		t.Fatal(err)
	}
	e = loadErr(t, main)
	if !strings.Contains(e.Msg, "group- or world-writable") || !strings.Contains(e.Error(), "secret.conf") {
		t.Errorf("got %q", e.Error())
	}
}

func TestBindCredFile(t *testing.T) {
	dir := t.TempDir()
	cred := filepath.Join(dir, "cred")
	conf := filepath.Join(dir, "ldapidm.conf")
	// the config itself may be world-readable: the secret is elsewhere
	writeFile(t, conf, block("binddn \"cn=a\"\nbindcredfile \""+cred+"\""), 0o644)

	cases := []struct {
		name    string
		content string
		mode    os.FileMode
		owner   int
		want    string // credential, or error fragment when wantErr
		wantErr bool
	}{
		{"trailing newline stripped", "s3cret\n", 0o600, -1, "s3cret", false},
		{"no newline", "s3cret", 0o400, -1, "s3cret", false},
		{"CRLF stripped", "s3cret\r\n", 0o600, -1, "s3cret", false},
		{"spaces kept", " pass word \n", 0o600, -1, " pass word ", false},
		{"only one newline stripped", "s3cret\n\n", 0o600, -1, "more than one line", true},
		{"two lines", "a\nb\n", 0o600, -1, "more than one line", true},
		{"empty", "", 0o600, -1, "is empty", true},
		{"just a newline", "\n", 0o600, -1, "is empty", true},
		{"world readable", "s3cret\n", 0o644, -1, "mode 0644", true},
		{"group readable", "s3cret\n", 0o640, -1, "mode 0640", true},
		{"owned by nobody", "s3cret\n", 0o600, nobodyUID, "owned by uid 65534", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			os.Remove(cred)
			writeFile(t, cred, c.content, c.mode)
			if c.owner >= 0 {
				needRoot(t)
				if err := os.Chown(cred, c.owner, -1); err != nil {
					t.Fatal(err)
				}
			}
			cfg, err := Load(conf)
			if c.wantErr {
				var e *Error
				if err == nil || !errors.As(err, &e) {
					t.Fatalf("Load: got %v, want *Error", err)
				}
				if e.File != conf || e.Line != 4 || e.Directive != "bindcredfile" || !strings.Contains(e.Msg, c.want) {
					t.Errorf("got %q, want %s:4: bindcredfile: …%s…", e.Error(), conf, c.want)
				}
				if strings.Contains(e.Error(), "s3cret") {
					t.Error("error leaks the password")
				}
				return
			}
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			got, err := cfg.Directories[0].Credential()
			if err != nil || got != c.want {
				t.Errorf("Credential = %q, %v; want %q", got, err, c.want)
			}
			if s := cfg.String(); strings.Contains(s, "s3cret") || !strings.Contains(s, cred) {
				t.Errorf("String leaks the secret or hides the file name:\n%s", s)
			}
		})
	}

	// Credential re-checks at every read: a file loosened after Load is refused.
	os.Remove(cred)
	writeFile(t, cred, "s3cret\n", 0o600)
	cfg, err := Load(conf)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(cred, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := cfg.Directories[0].Credential(); err == nil || !strings.Contains(err.Error(), "mode 0644") {
		t.Errorf("Credential after chmod 0644: %v", err)
	}
	os.Remove(cred)
	if err := os.Symlink("/dev/zero", cred); err != nil {
		t.Fatal(err)
	}
	if _, err := cfg.Directories[0].Credential(); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("Credential through a symlink to /dev/zero: %v", err)
	}
}
