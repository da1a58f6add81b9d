package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Every shipped example parses, and loads once given the permissions and
// secret files a real installation has.
func TestExamples(t *testing.T) {
	files, err := filepath.Glob("../../examples/*.conf")
	if err != nil || len(files) < 3 {
		t.Fatalf("examples: %v %v", files, err)
	}
	dir := t.TempDir()
	cred := filepath.Join(dir, "bindcred")
	writeFile(t, cred, "s3cret\n", 0o600)
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			text, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := Parse(f, strings.NewReader(string(text))); err != nil {
				t.Fatalf("Parse: %v", err)
			}
			// The installed copy: root-owned 0600, its bindcredfile real.
			inst := filepath.Join(dir, filepath.Base(f))
			writeFile(t, inst, strings.ReplaceAll(string(text), "/etc/ldapidm/bindcred", cred), 0o600)
			c, err := Load(inst)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			for _, d := range c.Directories {
				if _, err := d.Credential(); err != nil {
					t.Errorf("Credential: %v", err)
				}
			}
		})
	}
}

func TestExampleRFC2307bis(t *testing.T) {
	text, _ := os.ReadFile("../../examples/rfc2307bis.conf")
	c := mustParse(t, string(text))
	d := c.Directories[0]
	if !d.MembersAreDNs() || d.NestedDepth != 3 || !d.BindExt || d.TLS != TLSLDAPS || d.URL(1) != "ldaps://ldap-backup.example.org:636" {
		t.Errorf("rfc2307bis example:\n%s", c)
	}
	if len(c.Notices) != 0 {
		t.Errorf("notices %q", c.Notices)
	}
}

// examples/ldapidm.conf is the annotated tour: it must use every ldapidm
// extension, so a new directive without an example fails here.
func TestExampleUsesEveryExtension(t *testing.T) {
	text, err := os.ReadFile("../../examples/ldapidm.conf")
	if err != nil {
		t.Fatal(err)
	}
	words := map[string]bool{}
	for _, line := range strings.Split(string(text), "\n") {
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		for _, w := range strings.Fields(line) {
			words[w] = true
		}
	}
	ext := []string{"cachedir", "uidrange", "gidrange", "collisions", "localfiles", "maxshrink",
		"pagesize", "connect", "search", "timeout", "jitter", "server", "bindcredfile", "shadow", "nested", "depth"}
	for _, w := range ext {
		if !words[w] {
			t.Errorf("examples/ldapidm.conf does not use %q", w)
		}
	}
	for k := range topLevel {
		if !words[k] && k != "include" && k != "domain" && k != "provide" && k != "bind" {
			t.Errorf("examples/ldapidm.conf does not use top-level %q", k)
		}
	}
	c := mustParse(t, string(text))
	if !c.Directories[0].Shadow || len(c.Directories[0].Servers) != 3 {
		t.Errorf("ldapidm.conf example:\n%s", c)
	}
}
