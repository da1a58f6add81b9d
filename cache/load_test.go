package cache

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
)

const (
	okPasswd = "alice:x:10001:10001:Alice A,Room 1:/home/alice:/bin/bash\nbob:x:10002:10001::/home/bob:/bin/sh\n"
	okGroup  = "staff:x:10001:alice,bob\nempty:x:10003:\n"
	okShadow = "alice:$6$s$h:19000:0:99999:7:::\nbob:*:::::::\n"
)

func TestLoadFilesValid(t *testing.T) {
	snap, origin, err := LoadFiles(strings.NewReader(okPasswd), strings.NewReader(okGroup), strings.NewReader(okShadow))
	if err != nil {
		t.Fatal(err)
	}
	if origin == nil {
		t.Fatal("no Origin")
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
	snap, _, err = LoadFiles(strings.NewReader(okPasswd), strings.NewReader(okGroup), nil)
	if err != nil || snap.Shadow != nil {
		t.Fatalf("no shadow reader: %v, shadow %v", err, snap.Shadow)
	}
	snap, _, err = LoadFiles(strings.NewReader(okPasswd), strings.NewReader(okGroup), strings.NewReader(""))
	if err != nil || snap.Shadow == nil || len(snap.Shadow) != 0 {
		t.Fatalf("empty shadow file: %v, shadow %#v; want an empty map, not none", err, snap.Shadow)
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
			snap, _, err := LoadFiles(strings.NewReader(tc.passwd), strings.NewReader(""), nil)
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

// Which step must refuse a hostile input: the loader, because the text
// cannot be read as entries, or Publish's Validate, because the entries
// may not be published. Each check has one home; a case refused by the
// other step means a check moved (or was copied) there.
const (
	byParse    = "parse"
	byValidate = "validate"
)

// importVia does what `ldapidm import` does: load, then Publish (which
// validates), and place a refusal on its line or element. It returns the
// step that refused and its error, and checks that a refusal left the
// cache directory empty.
func importVia(t *testing.T, load func() (*Snapshot, *Origin, error)) (string, error) {
	t.Helper()
	snap, origin, err := load()
	if err != nil {
		return byParse, err
	}
	dir := testDir(t)
	opts := testOpts(dir)
	opts.Force = true // the guard must not be what refuses it
	if _, err = Publish(context.Background(), snap, opts); err == nil {
		return "", nil
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("refused publish left %d files in %s", len(entries), dir)
	}
	return byValidate, origin.Place(err)
}

// checkRefusal asserts a hostile case was refused by the step it names,
// with a *ParseError that starts with the place (file:line, or
// json: key[index]) and says why.
func checkRefusal(t *testing.T, by string, err error, wantBy, prefix, contains string) {
	t.Helper()
	if by != wantBy {
		t.Fatalf("refused by %q (%v), want by %q", by, err, wantBy)
	}
	var pe *ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("error %v (%T), want *ParseError", err, err)
	}
	if !strings.HasPrefix(err.Error(), prefix) || !strings.Contains(err.Error(), contains) {
		t.Fatalf("error %q, want prefix %q containing %q", err, prefix, contains)
	}
	var ie *InvalidError
	if wantBy == byValidate && !errors.As(err, &ie) {
		t.Fatalf("placed error %v hides the *InvalidError", err)
	}
}

func TestLoadFilesHostile(t *testing.T) {
	cases := []struct {
		name                  string
		passwd, group, shadow string
		by                    string
		want                  string // prefix of the error: file:line
		contains              string
	}{
		{"6 fields", "a:x:1000:1000::/home/a\n", "", "", byParse, "passwd:1:", "6 fields, want 7"},
		{"8 fields (colon in gecos)", okPasswd + "eve:x:1003:1003:Eve:0:/:/bin/sh\n", "", "", byParse, "passwd:3:", "8 fields"},
		{"colon in user name", okPasswd + "ev:e:x:1003:1003::/:/bin/sh\n", "", "", byParse, "passwd:3:", "8 fields, want 7"},
		{"non-numeric uid", "a:x:abc:1000::/:/bin/sh\n", "", "", byParse, "passwd:1:", `uid "abc"`},
		{"negative uid", "a:x:-1:1000::/:/bin/sh\n", "", "", byParse, "passwd:1:", `uid "-1"`},
		{"plus uid", "a:x:+5:1000::/:/bin/sh\n", "", "", byParse, "passwd:1:", `uid "+5"`},
		{"uid with space", "a:x: 5:1000::/:/bin/sh\n", "", "", byParse, "passwd:1:", `uid " 5"`},
		{"uid 2^32", "a:x:4294967296:1000::/:/bin/sh\n", "", "", byParse, "passwd:1:", `uid "4294967296"`},
		{"empty uid", "a:x::1000::/:/bin/sh\n", "", "", byParse, "passwd:1:", `uid ""`},
		{"non-numeric gid", "a:x:1000:staff::/:/bin/sh\n", "", "", byParse, "passwd:1:", `gid "staff"`},
		{"uid 4294967295", "a:x:4294967295:1000::/:/bin/sh\n", "", "", byValidate, "passwd:1:", `invalid passwd entry "a": uid: 4294967295 is (uid_t)-1`},
		{"uid 0", "root:x:0:0::/root:/bin/sh\n", "", "", byValidate, "passwd:1:", "uid: 0 is root"},
		{"empty name", ":x:1000:1000::/:/bin/sh\n", "", "", byValidate, "passwd:1:", `invalid passwd entry "": name: empty`},
		{"compat line", okPasswd + "+@admins::::::\n", "", "", byParse, "passwd:3:", "compat"},
		{"compat minus line", "-bob:x:1000:1000::/:/bin/sh\n", "", "", byParse, "passwd:1:", "compat"},
		{"leading blank", " a:x:1000:1000::/:/bin/sh\n", "", "", byValidate, "passwd:1:", "name: contains whitespace"},
		{"CRLF", "a:x:1000:1000::/:/bin/sh\r\n", "", "", byValidate, "passwd:1:", "shell: contains a control character"},
		{"duplicate name", okPasswd + "alice:x:1009:1009::/:/bin/sh\n", "", "", byValidate, "passwd:3:", "name: duplicate name; first on line 1"},
		{"duplicate uid", okPasswd + "zed:x:10002:1009::/:/bin/sh\n", "", "", byValidate, "passwd:3:", "uid: duplicate uid 10002 (also bob); first on line 2"},
		{"lines count skipped ones", "# head\n\n" + okPasswd + "\nalice:x:1009:1009::/:/bin/sh\n", "", "", byValidate, "passwd:6:", "first on line 3"},
		{"empty password", "a::1000:1000::/:/bin/sh\n", "", "", byValidate, "passwd:1:", "without a password"},
		{"hash in passwd", "a:$6$x$y:1000:1000::/:/bin/sh\n", "", "", byValidate, "passwd:1:", "crypt hash"},
		{"group 3 fields", okPasswd, "staff:x:10001\n", "", byParse, "group:1:", "3 fields, want 4"},
		{"colon in group name", okPasswd, "st:aff:x:10001:\n", "", byParse, "group:1:", "5 fields, want 4"},
		{"group trailing comma", okPasswd, "staff:x:10001:alice,\n", "", byValidate, "group:1:", `members: member "": empty`},
		{"group double comma", okPasswd, "staff:x:10001:alice,,bob\n", "", byValidate, "group:1:", `member "": empty`},
		{"group member with space", okPasswd, "staff:x:10001:alice, bob\n", "", byValidate, "group:1:", "whitespace"},
		{"group duplicate gid", okPasswd, okGroup + "other:x:10001:\n", "", byValidate, "group:3:", "gid: duplicate gid 10001 (also staff); first on line 1"},
		{"group bad gid", okPasswd, "staff:x:ten:\n", "", byParse, "group:1:", `gid "ten"`},
		{"group gid 0", okPasswd, "wheel:x:0:\n", "", byValidate, "group:1:", `invalid group entry "wheel": gid: 0 is root`},
		{"shadow 8 fields", okPasswd, okGroup, "alice:x:1:2:3:4:5:6\n", byParse, "shadow:1:", "8 fields, want 9"},
		{"shadow 10 fields", okPasswd, okGroup, "alice:*::::::::\n", byParse, "shadow:1:", "10 fields, want 9"},
		{"colon in shadow name", okPasswd, okGroup, "ali:ce:*:::::::\n", byParse, "shadow:1:", "10 fields, want 9"},
		{"shadow compat line", okPasswd, okGroup, "+@admins::::::::\n", byParse, "shadow:1:", "compat"},
		{"shadow unknown user", okPasswd, okGroup, okShadow + "mallory:*:::::::\n", byValidate, "shadow:3:", `invalid shadow entry "mallory": name: no passwd entry`},
		{"shadow negative", okPasswd, okGroup, "alice:*:-1::::::\n", byParse, "shadow:1:", `lastchg "-1"`},
		{"shadow minus zero", okPasswd, okGroup, "alice:*:-0::::::\n", byParse, "shadow:1:", `lastchg "-0"`},
		{"shadow plus sign", okPasswd, okGroup, "alice:*:::+5::::\n", byParse, "shadow:1:", `max "+5"`},
		{"shadow text day", okPasswd, okGroup, "alice:*:soon::::::\n", byParse, "shadow:1:", `lastchg "soon"`},
		{"shadow non-numeric flag", okPasswd, okGroup, "alice:*:::::::x\n", byParse, "shadow:1:", `flag "x"`},
		{"shadow blank in day", okPasswd, okGroup, "alice:*:::: 7:::\n", byParse, "shadow:1:", `warn " 7"`},
		{"shadow day over int64", okPasswd, okGroup, "alice:*:::::99999999999999999999::\n", byParse, "shadow:1:", `inact "99999999999999999999"`},
		{"shadow CRLF", okPasswd, okGroup, "alice:*:::::::\r\n", byParse, "shadow:1:", "flag"},
		{"shadow empty hash", okPasswd, okGroup, "alice::::::::\n", byValidate, "shadow:1:", "passwd: empty (would allow login without a password)"},
		{"shadow duplicate", okPasswd, okGroup, okShadow + "alice:*:::::::\n", byValidate, "shadow:3:", "name: duplicate name; first on line 1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			by, err := importVia(t, func() (*Snapshot, *Origin, error) {
				if tc.shadow == "" {
					return LoadFiles(strings.NewReader(tc.passwd), strings.NewReader(tc.group), nil)
				}
				return LoadFiles(strings.NewReader(tc.passwd), strings.NewReader(tc.group), strings.NewReader(tc.shadow))
			})
			checkRefusal(t, by, err, tc.by, tc.want, tc.contains)
		})
	}
}

const okJSON = `{"source": "hr",
 "users": [{"name": "alice", "passwd": "x", "uid": 10001, "gid": 10001, "gecos": "Alice", "dir": "/home/alice", "shell": "/bin/bash"},
           {"name": "bob", "passwd": "x", "uid": 10002, "gid": 10001, "dir": "/home/bob", "shell": "/bin/sh"}],
 "groups": [{"name": "staff", "gid": 10001, "members": ["alice", "bob"]}],
 "shadow": [{"name": "alice", "passwd": "$6$s$h", "lastchg": 19000, "max": 99999, "inact": null}]}`

func TestLoadJSONValid(t *testing.T) {
	snap, origin, err := LoadJSON(strings.NewReader(okJSON))
	if err != nil {
		t.Fatal(err)
	}
	if origin == nil {
		t.Fatal("no Origin")
	}
	if snap.Source != "hr" || len(snap.Users) != 2 || snap.Users[1].Gecos != "" || snap.Groups[0].Passwd != "x" {
		t.Errorf("snapshot = %+v", snap)
	}
	if s := snap.Shadow[0]; s.LastChange != 19000 || s.Max != 99999 || s.Min != Unset || s.Inactive != Unset {
		t.Errorf("shadow = %+v", s)
	}
	noShadow := okJSON[:strings.Index(okJSON, ",\n \"shadow\"")] + "}"
	snap, _, err = LoadJSON(strings.NewReader(noShadow))
	if err != nil || snap.Shadow != nil {
		t.Fatalf("without shadow key: %v, %v", err, snap)
	}
}

func TestLoadJSONHostile(t *testing.T) {
	user := func(fields string) string { return `{"users": [{` + fields + `}], "groups": []}` }
	full := `"name": "a", "passwd": "x", "uid": 1000, "gid": 1000, "dir": "/", "shell": "/bin/sh"`
	second := `{"name": "b", "passwd": "x", "uid": 1001, "gid": 1000, "dir": "/", "shell": "/bin/sh"}`
	withShadow := func(shadow string) string {
		return `{"users": [{` + full + `}, ` + second + `], "groups": [], "shadow": [` + shadow + `]}`
	}
	cases := []struct {
		name, doc, by, want, contains string
	}{
		{"not JSON", `users: []`, byParse, "json: ", "invalid character"},
		{"unknown top key", `{"users": [], "groups": [], "extra": 1}`, byParse, "json: ", "unknown field"},
		{"unknown user key", user(full + `, "home": "/x"`), byParse, "json: ", "unknown field"},
		{"trailing data", `{"users": [], "groups": []} {}`, byParse, "json: ", "trailing data"},
		{"missing uid", user(`"name": "a", "passwd": "x", "gid": 1000, "dir": "/", "shell": "/bin/sh"`), byParse, "json: users[0]: ", "uid missing"},
		{"missing passwd", user(`"name": "a", "uid": 1000, "gid": 1000, "dir": "/", "shell": "/bin/sh"`), byParse, "json: users[0]: ", "passwd missing"},
		{"negative uid", user(strings.Replace(full, "1000", "-1", 1)), byParse, "json: ", "uint32"},
		{"uid 2^32", user(strings.Replace(full, "1000", "4294967296", 1)), byParse, "json: ", "uint32"},
		{"uid 4294967295", user(strings.Replace(full, "1000", "4294967295", 1)), byValidate, "json: users[0]: ", `invalid passwd entry "a": uid: 4294967295 is (uid_t)-1`},
		{"fractional uid", user(strings.Replace(full, "1000", "1000.5", 1)), byParse, "json: ", "uint32"},
		{"uid as string", user(strings.Replace(full, "1000", `"1000"`, 1)), byParse, "json: ", "string"},
		{"colon in gecos", user(full + `, "gecos": "a:b"`), byValidate, "json: users[0]: ", "gecos: contains ':'"},
		{"newline in name", user(strings.Replace(full, `"a"`, `"a\nb"`, 1)), byValidate, "json: users[0]: ", "whitespace"},
		{"colon in user name", `{"users": [{` + full + `}, ` + strings.Replace(second, `"b"`, `"b:0"`, 1) + `], "groups": []}`,
			byValidate, "json: users[1]: ", `invalid passwd entry "b:0": name: contains ':'`},
		{"duplicate user", `{"users": [{` + full + `}, ` + second + `, ` + strings.Replace(second, "1001", "1002", 1) + `], "groups": []}`,
			byValidate, "json: users[2]: ", "name: duplicate name; first at users[1]"},
		{"group missing gid", `{"users": [], "groups": [{"name": "g"}]}`, byParse, "json: groups[0]: ", "gid missing"},
		{"member with comma", `{"users": [], "groups": [{"name": "g", "gid": 5, "members": ["a,b"]}]}`, byValidate, "json: groups[0]: ", "','"},
		{"colon in group name", `{"users": [], "groups": [{"name": "g", "gid": 5}, {"name": "h:x", "gid": 6}]}`, byValidate, "json: groups[1]: ", "name: contains ':'"},
		{"duplicate gid", `{"users": [], "groups": [{"name": "g", "gid": 5}, {"name": "h", "gid": 5}]}`, byValidate, "json: groups[1]: ", "gid: duplicate gid 5 (also g); first at groups[0]"},
		{"shadow missing passwd", withShadow(`{"name": "a"}`), byParse, "json: shadow[0]: ", "passwd missing"},
		{"shadow for nobody", withShadow(`{"name": "a", "passwd": "*"}, {"name": "c", "passwd": "*"}`), byValidate, "json: shadow[1]: ", `invalid shadow entry "c": name: no passwd entry`},
		{"colon in shadow name", withShadow(`{"name": "a:b", "passwd": "*"}`), byValidate, "json: shadow[0]: ", "name: contains ':'"},
		{"shadow duplicate", withShadow(`{"name": "b", "passwd": "*"}, {"name": "b", "passwd": "*"}`), byValidate, "json: shadow[1]: ", "duplicate name; first at shadow[0]"},
		{"shadow negative", withShadow(`{"name": "a", "passwd": "*", "min": -5}`), byValidate, "json: shadow[0]: ", "min: negative"},
		{"shadow text day", withShadow(`{"name": "a", "passwd": "*", "lastchg": "soon"}`), byParse, "json: ", "lastchg"},
		{"shadow fractional day", withShadow(`{"name": "a", "passwd": "*", "max": 1.5}`), byParse, "json: ", "max"},
		{"shadow empty hash", withShadow(`{"name": "b", "passwd": ""}`), byValidate, "json: shadow[0]: ", `invalid shadow entry "b": passwd: empty`},
		{"empty", ``, byParse, "json: ", "EOF"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			by, err := importVia(t, func() (*Snapshot, *Origin, error) { return LoadJSON(strings.NewReader(tc.doc)) })
			checkRefusal(t, by, err, tc.by, tc.want, tc.contains)
		})
	}
}

// TestShadowZeroIsNotEmpty: a day count of 0 (lastchg 0 forces a password
// change) and an empty one (Unset) stay apart through either loader and
// are both published.
func TestShadowZeroIsNotEmpty(t *testing.T) {
	const users = "a:x:1000:1000::/:/bin/sh\n"
	cases := []struct {
		name string
		load func() (*Snapshot, *Origin, error)
		want Shadow
	}{
		{"file zero", func() (*Snapshot, *Origin, error) {
			return LoadFiles(strings.NewReader(users), strings.NewReader(""), strings.NewReader("a:*:0:0:0:0:0:0:0\n"))
		}, Shadow{"a", "*", 0, 0, 0, 0, 0, 0, 0}},
		{"file empty", func() (*Snapshot, *Origin, error) {
			return LoadFiles(strings.NewReader(users), strings.NewReader(""), strings.NewReader("a:*:::::::\n"))
		}, Shadow{"a", "*", Unset, Unset, Unset, Unset, Unset, Unset, Unset}},
		{"file leading zeros", func() (*Snapshot, *Origin, error) {
			return LoadFiles(strings.NewReader(users), strings.NewReader(""), strings.NewReader("a:*:00019000::::::\n"))
		}, Shadow{"a", "*", 19000, Unset, Unset, Unset, Unset, Unset, Unset}},
		{"json zero", func() (*Snapshot, *Origin, error) {
			return LoadJSON(strings.NewReader(`{"users": [{"name": "a", "passwd": "x", "uid": 1000, "gid": 1000, "dir": "/", "shell": "/bin/sh"}], "groups": [],
				"shadow": [{"name": "a", "passwd": "*", "lastchg": 0, "min": 0, "max": 0, "warn": 0, "inact": 0, "expire": 0, "flag": 0}]}`))
		}, Shadow{"a", "*", 0, 0, 0, 0, 0, 0, 0}},
		{"json null and absent", func() (*Snapshot, *Origin, error) {
			return LoadJSON(strings.NewReader(`{"users": [{"name": "a", "passwd": "x", "uid": 1000, "gid": 1000, "dir": "/", "shell": "/bin/sh"}], "groups": [],
				"shadow": [{"name": "a", "passwd": "*", "lastchg": null, "min": null}]}`))
		}, Shadow{"a", "*", Unset, Unset, Unset, Unset, Unset, Unset, Unset}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			snap, _, err := tc.load()
			if err != nil {
				t.Fatal(err)
			}
			if len(snap.Shadow) != 1 || snap.Shadow[0] != tc.want {
				t.Fatalf("shadow = %+v, want %+v", snap.Shadow, tc.want)
			}
			if by, err := importVia(t, tc.load); by != "" {
				t.Fatalf("refused by %s: %v", by, err)
			}
		})
	}
}

// TestPlaceLeavesOtherErrors: Place rewrites only an entry refusal of the
// snapshot it loaded; anything else (snapshot-wide fields, the guard,
// errors of other origins, a snapshot extended after loading) is
// returned as it came.
func TestPlaceLeavesOtherErrors(t *testing.T) {
	snap, origin, err := LoadFiles(strings.NewReader(okPasswd), strings.NewReader(okGroup), nil)
	if err != nil {
		t.Fatal(err)
	}
	extended := *snap
	extended.Users = append(append([]User(nil), snap.Users...), User{Name: "x", Passwd: "x", UID: 0, GID: 5})
	source := *snap
	source.Source = "a\nb"
	for _, tc := range []struct {
		name string
		err  error
	}{
		{"source", Validate(&source)},
		{"entry beyond the loaded lines", Validate(&extended)},
		{"shrink guard", &ShrinkError{Map: "passwd", Old: 3, New: 0}},
		{"plain", errors.New("disk on fire")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.err == nil {
				t.Fatal("test input is not an error")
			}
			if got := origin.Place(tc.err); got != tc.err {
				t.Fatalf("Place(%v) = %v, want it unchanged", tc.err, got)
			}
		})
	}
	var none *Origin
	if err := Validate(&extended); none.Place(err) != err {
		t.Fatal("a nil Origin changed the error")
	}
}
