package config

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestHostileInputs(t *testing.T) {
	mb := 1 << 20
	cases := []struct {
		name, text string
		line       int    // 0: any line
		msg        string // "" means the input must parse
	}{
		{"1 MB quoted line", "basedn \"" + strings.Repeat("a", mb) + "\"\n", 1, "longer than 8192 bytes"},
		{"1 MB bare word", strings.Repeat("b", mb) + "\n", 1, "longer than 8192 bytes"},
		{"1 MB comment is fine", "#" + strings.Repeat("c", mb) + "\n" + block(""), 0, ""},
		{"over 4 MB", strings.Repeat("#\n", 2*mb+1), 0, "larger than"},
		{"deeply nested braces", "directory \"h\" " + strings.Repeat("{", 100000), 1, "do not nest"},
		{"deeply nested closing", strings.Repeat("}", 100000), 1, "without an open directory block"},
		{"NUL in a string", block("gecos \"a\x00\""), 3, "NUL"},
		{"NUL everywhere", strings.Repeat("\x00", 1000), 1, "0x00"},
		{"binary", "\x7fELF\x02\x01\x01\x00", 1, "unexpected character"},
		{"many newlines then error", strings.Repeat("\n", 100000) + "bogus\n", 100001, "unknown directive"},
		{"many continuations", strings.Repeat("\\\n", 50000) + "bogus\n", 50001, "unknown directive"},
		{"unterminated quote swallowing nothing", "basedn \"", 1, "unterminated"},
		{"lone quote char", "'", 1, "unterminated"},
		{"macro bomb stays flat", "a = \"$a$a$a$a\"\nb = $a\n" + block("fixed attribute gecos $b"), 0, ""},
		{"number with 10000 digits", "interval " + strings.Repeat("9", 10000) + "\n", 1, "longer than 8192 bytes"},
		{"number with 400 digits", "interval " + strings.Repeat("9", 400) + "\n", 1, "out of range"},
		{"minus alone", "interval -\n", 1, "not a decimal number"},
		{"1000 directories", strings.Repeat(block(""), 1000), 0, ""},
		{"10000 macros", strings.Repeat("m = \"x\"\n", 10000) + block(""), 0, ""},
		{"CRLF file", strings.ReplaceAll("interval 60\n"+block("binddn \"cn=a\"\nbindcred \"p\""), "\n", "\r\n"), 0, ""},
		{"lone CR", "interval 60\rjitter 5\n", 1, "unexpected character 0x0d"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := Parse("t.conf", strings.NewReader(c.text))
			if c.msg == "" {
				if err != nil {
					t.Fatalf("rejected: %v", err)
				}
				if len(cfg.Directories) == 0 {
					t.Fatal("no directories")
				}
				return
			}
			if err == nil {
				t.Fatal("accepted")
			}
			e, ok := err.(*Error)
			if !ok {
				t.Fatalf("%T is not *Error", err)
			}
			if c.line != 0 && e.Line != c.line || !strings.Contains(e.Msg, c.msg) {
				t.Errorf("got %q, want line %d containing %q", short(e.Error()), c.line, c.msg)
			}
		})
	}
}

func short(s string) string {
	if len(s) > 300 {
		return s[:300] + "…"
	}
	return s
}

func writeFile(t *testing.T, path, text string, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil { // umask
		t.Fatal(err)
	}
}

func TestInclude(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "dirs.conf"), "base = \"o=inc\"\n"+block("groupdn $base"), 0o644)
	writeFile(t, filepath.Join(dir, "bad.conf"), "interval 60\n\nbogus\n", 0o644)
	writeFile(t, filepath.Join(dir, "self.conf"), "include \"self.conf\"\n", 0o644)
	writeFile(t, filepath.Join(dir, "a.conf"), "include \"b.conf\"\n", 0o644)
	writeFile(t, filepath.Join(dir, "b.conf"), "include \"a.conf\"\n", 0o644)
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo"), 0o644); err != nil {
		t.Fatal(err)
	}
	main := filepath.Join(dir, "main.conf")

	c, err := Parse(main, strings.NewReader("interval 120\ninclude \"dirs.conf\"\nuidrange 5000 6000\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Interval.Seconds() != 120 || c.UIDMin != 5000 || len(c.Directories) != 1 || c.Directories[0].GroupDN != "o=inc" {
		t.Errorf("include result wrong:\n%s", c)
	}

	errCases := []struct{ text, want string }{
		{"include \"bad.conf\"\n", filepath.Join(dir, "bad.conf") + ":3: bogus: unknown directive"},
		{"include \"self.conf\"\n", "includes itself"},
		{"include \"a.conf\"\n", "cycle"},
		{"include \"missing.conf\"\n", main + ":1: include: open " + filepath.Join(dir, "missing.conf")},
		{"include \"/dev/zero\"\n", "/dev/zero is not a regular file"},
		{"include \"fifo\"\n", "fifo is not a regular file"},
	}
	for _, ec := range errCases {
		_, err := Parse(main, strings.NewReader(ec.text))
		if err == nil || !strings.Contains(err.Error(), ec.want) {
			t.Errorf("%q: got %v, want …%s…", ec.text, err, ec.want)
		}
	}
}
