package cache

import (
	"errors"
	"strings"
	"testing"
)

const (
	okPasswd = "alice:x:10001:10001:Alice A,Room 1:/home/alice:/bin/bash\nbob:x:10002:10001::/home/bob:/bin/sh\n"
	okGroup  = "staff:x:10001:alice,bob\nempty:x:10003:\n"
	okShadow = "alice:$6$s$h:19000:0:99999:7:::\nbob:*:::::::\n"
)

func TestLoadFilesValid(t *testing.T) {
	snap, err := LoadFiles(strings.NewReader(okPasswd), strings.NewReader(okGroup), strings.NewReader(okShadow))
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Users) != 2 || snap.Users[0] != (User{"alice", "x", 10001, 10001, "Alice A,Room 1", "/home/alice", "/bin/bash"}) {
		t.Errorf("users = %+v", snap.Users)
	}
	if len(snap.Groups) != 2 || strings.Join(snap.Groups[0].Members, "|") != "alice|bob" || snap.Groups[1].Members != nil {
		t.Errorf("groups = %+v", snap.Groups)
	}
	want := Shadow{"alice", "$6$s$h", 19000, 0, 99999, 7, Unset, Unset, Unset}
	if len(snap.Shadow) != 2 || snap.Shadow[0] != want || snap.Shadow[1].LastChange != Unset {
		t.Errorf("shadow = %+v", snap.Shadow)
	}
	snap, err = LoadFiles(strings.NewReader(okPasswd), strings.NewReader(okGroup), nil)
	if err != nil || snap.Shadow != nil {
		t.Fatalf("no shadow reader: %v, shadow %v", err, snap.Shadow)
	}
}

func TestLoadFilesShapes(t *testing.T) {
	long := "carol:x:10005:10001:" + strings.Repeat("g", 70000) + ":/home/carol:/bin/sh"
	cases := []struct {
		name   string
		passwd string
		users  int
	}{
		{"no trailing newline", strings.TrimSuffix(okPasswd, "\n"), 2},
		{"comments and blank lines skipped", "# header\n\n" + okPasswd + "\n# end\n", 2},
		{"line over 64 KiB kept", okPasswd + long + "\n", 3},
		{"long last line without newline", okPasswd + long, 3},
		{"empty file", "", 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			snap, err := LoadFiles(strings.NewReader(tc.passwd), strings.NewReader(""), nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(snap.Users) != tc.users {
				t.Fatalf("%d users, want %d", len(snap.Users), tc.users)
			}
			if tc.users == 3 && len(snap.Users[2].Gecos) != 70000 {
				t.Fatalf("long gecos truncated to %d", len(snap.Users[2].Gecos))
			}
		})
	}
}

func TestLoadFilesHostile(t *testing.T) {
	cases := []struct {
		name                  string
		passwd, group, shadow string
		want                  string // prefix of the error: file:line
		contains              string
	}{
		{"6 fields", "a:x:1000:1000::/home/a\n", "", "", "passwd:1:", "6 fields, want 7"},
		{"8 fields (colon in gecos)", okPasswd + "eve:x:1003:1003:Eve:0:/:/bin/sh\n", "", "", "passwd:3:", "8 fields"},
		{"non-numeric uid", "a:x:abc:1000::/:/bin/sh\n", "", "", "passwd:1:", `uid "abc"`},
		{"negative uid", "a:x:-1:1000::/:/bin/sh\n", "", "", "passwd:1:", "uid"},
		{"plus uid", "a:x:+5:1000::/:/bin/sh\n", "", "", "passwd:1:", "uid"},
		{"uid with space", "a:x: 5:1000::/:/bin/sh\n", "", "", "passwd:1:", "uid"},
		{"uid 2^32", "a:x:4294967296:1000::/:/bin/sh\n", "", "", "passwd:1:", "uid"},
		{"uid 4294967295", "a:x:4294967295:1000::/:/bin/sh\n", "", "", "passwd:1:", "(uid_t)-1"},
		{"uid 0", "root:x:0:0::/root:/bin/sh\n", "", "", "passwd:1:", "root"},
		{"empty uid", "a:x::1000::/:/bin/sh\n", "", "", "passwd:1:", "uid"},
		{"empty name", ":x:1000:1000::/:/bin/sh\n", "", "", "passwd:1:", "empty"},
		{"compat line", okPasswd + "+@admins::::::\n", "", "", "passwd:3:", "compat"},
		{"leading blank", " a:x:1000:1000::/:/bin/sh\n", "", "", "passwd:1:", "whitespace"},
		{"CRLF", "a:x:1000:1000::/:/bin/sh\r\n", "", "", "passwd:1:", "control"},
		{"duplicate name", okPasswd + "alice:x:1009:1009::/:/bin/sh\n", "", "", "passwd:3:", "first on line 1"},
		{"duplicate uid", okPasswd + "zed:x:10002:1009::/:/bin/sh\n", "", "", "passwd:3:", "duplicate uid 10002 (first on line 2)"},
		{"empty password", "a::1000:1000::/:/bin/sh\n", "", "", "passwd:1:", "without a password"},
		{"hash in passwd", "a:$6$x$y:1000:1000::/:/bin/sh\n", "", "", "passwd:1:", "crypt hash"},
		{"group 3 fields", okPasswd, "staff:x:10001\n", "", "group:1:", "3 fields, want 4"},
		{"group trailing comma", okPasswd, "staff:x:10001:alice,\n", "", "group:1:", "empty"},
		{"group double comma", okPasswd, "staff:x:10001:alice,,bob\n", "", "group:1:", "empty"},
		{"group member with space", okPasswd, "staff:x:10001:alice, bob\n", "", "group:1:", "whitespace"},
		{"group duplicate gid", okPasswd, okGroup + "other:x:10001:\n", "", "group:3:", "duplicate gid"},
		{"group bad gid", okPasswd, "staff:x:ten:\n", "", "group:1:", `gid "ten"`},
		{"shadow 8 fields", okPasswd, okGroup, "alice:x:1:2:3:4:5:6\n", "shadow:1:", "8 fields, want 9"},
		{"shadow unknown user", okPasswd, okGroup, okShadow + "mallory:*:::::::\n", "shadow:3:", "no passwd line"},
		{"shadow negative", okPasswd, okGroup, "alice:*:-1::::::\n", "shadow:1:", "lastchg"},
		{"shadow text day", okPasswd, okGroup, "alice:*:soon::::::\n", "shadow:1:", "lastchg"},
		{"shadow empty hash", okPasswd, okGroup, "alice::::::::\n", "shadow:1:", "without a password"},
		{"shadow duplicate", okPasswd, okGroup, okShadow + "alice:*:::::::\n", "shadow:3:", "duplicate name"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var sh *strings.Reader
			if tc.shadow != "" {
				sh = strings.NewReader(tc.shadow)
			}
			var err error
			if sh != nil {
				_, err = LoadFiles(strings.NewReader(tc.passwd), strings.NewReader(tc.group), sh)
			} else {
				_, err = LoadFiles(strings.NewReader(tc.passwd), strings.NewReader(tc.group), nil)
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("LoadFiles = %v, want *ParseError", err)
			}
			if !strings.HasPrefix(err.Error(), tc.want) || !strings.Contains(err.Error(), tc.contains) {
				t.Fatalf("error %q, want prefix %q containing %q", err, tc.want, tc.contains)
			}
		})
	}
}

const okJSON = `{"source": "hr",
 "users": [{"name": "alice", "passwd": "x", "uid": 10001, "gid": 10001, "gecos": "Alice", "dir": "/home/alice", "shell": "/bin/bash"},
           {"name": "bob", "passwd": "x", "uid": 10002, "gid": 10001, "dir": "/home/bob", "shell": "/bin/sh"}],
 "groups": [{"name": "staff", "gid": 10001, "members": ["alice", "bob"]}],
 "shadow": [{"name": "alice", "passwd": "$6$s$h", "lastchg": 19000, "max": 99999, "inact": null}]}`

func TestLoadJSONValid(t *testing.T) {
	snap, err := LoadJSON(strings.NewReader(okJSON))
	if err != nil {
		t.Fatal(err)
	}
	if snap.Source != "hr" || len(snap.Users) != 2 || snap.Users[1].Gecos != "" || snap.Groups[0].Passwd != "x" {
		t.Errorf("snapshot = %+v", snap)
	}
	if s := snap.Shadow[0]; s.LastChange != 19000 || s.Max != 99999 || s.Min != Unset || s.Inactive != Unset {
		t.Errorf("shadow = %+v", s)
	}
	noShadow := okJSON[:strings.Index(okJSON, ",\n \"shadow\"")] + "}"
	snap, err = LoadJSON(strings.NewReader(noShadow))
	if err != nil || snap.Shadow != nil {
		t.Fatalf("without shadow key: %v, %v", err, snap)
	}
}

func TestLoadJSONHostile(t *testing.T) {
	user := func(fields string) string { return `{"users": [{` + fields + `}], "groups": []}` }
	full := `"name": "a", "passwd": "x", "uid": 1000, "gid": 1000, "dir": "/", "shell": "/bin/sh"`
	cases := []struct {
		name, doc, contains string
	}{
		{"not JSON", `users: []`, "invalid character"},
		{"unknown top key", `{"users": [], "groups": [], "extra": 1}`, "unknown field"},
		{"unknown user key", user(full + `, "home": "/x"`), "unknown field"},
		{"trailing data", `{"users": [], "groups": []} {}`, "trailing data"},
		{"missing uid", user(`"name": "a", "passwd": "x", "gid": 1000, "dir": "/", "shell": "/bin/sh"`), "users[0]: uid missing"},
		{"missing passwd", user(`"name": "a", "uid": 1000, "gid": 1000, "dir": "/", "shell": "/bin/sh"`), "users[0]: passwd missing"},
		{"negative uid", user(strings.Replace(full, "1000", "-1", 1)), "uint32"},
		{"uid 2^32", user(strings.Replace(full, "1000", "4294967296", 1)), "uint32"},
		{"uid 4294967295", user(strings.Replace(full, "1000", "4294967295", 1)), "(uid_t)-1"},
		{"fractional uid", user(strings.Replace(full, "1000", "1000.5", 1)), "uint32"},
		{"uid as string", user(strings.Replace(full, "1000", `"1000"`, 1)), "string"},
		{"colon in gecos", user(full + `, "gecos": "a:b"`), "gecos: contains ':'"},
		{"newline in name", user(strings.Replace(full, `"a"`, `"a\nb"`, 1)), "whitespace"},
		{"group missing gid", `{"users": [], "groups": [{"name": "g"}]}`, "groups[0]: gid missing"},
		{"member with comma", `{"users": [], "groups": [{"name": "g", "gid": 5, "members": ["a,b"]}]}`, "','"},
		{"shadow missing passwd", `{"users": [{` + full + `}], "groups": [], "shadow": [{"name": "a"}]}`, "shadow[0]: passwd missing"},
		{"shadow for nobody", `{"users": [{` + full + `}], "groups": [], "shadow": [{"name": "b", "passwd": "*"}]}`, "no passwd entry"},
		{"shadow negative", `{"users": [{` + full + `}], "groups": [], "shadow": [{"name": "a", "passwd": "*", "min": -5}]}`, "negative"},
		{"empty", ``, "EOF"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadJSON(strings.NewReader(tc.doc))
			var pe *ParseError
			if !errors.As(err, &pe) || !strings.Contains(err.Error(), tc.contains) {
				t.Fatalf("LoadJSON = %v, want *ParseError containing %q", err, tc.contains)
			}
		})
	}
}
