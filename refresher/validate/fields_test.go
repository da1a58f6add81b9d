package validate

import (
	"errors"
	"strings"
	"testing"

	"github.com/ldapidm/ldapidm/cache"
)

func TestName(t *testing.T) {
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{"alice", true}, {"_svc", true}, {"first.last", true}, {"a-b_c9", true}, {"host$", true},
		{strings.Repeat("a", 32), true},
		{"", false}, {strings.Repeat("a", 33), false}, {"Alice", false}, {"9lives", false},
		{"-rf", false}, {".hidden", false}, {"..", false}, {"a:b", false}, {"a,b", false},
		{"a b", false}, {"a\nb", false}, {"a\x00b", false}, {"a\tb", false}, {"$", false},
		{"a$b", false}, {"émile", false}, {"a/b", false}, {"a=b", false}, {"+", false},
	} {
		err := Name("name", tc.in)
		if (err == nil) != tc.ok {
			t.Errorf("Name(%q) = %v, want ok=%v", tc.in, err, tc.ok)
		}
		var fe *FieldError
		if err != nil && (!errors.As(err, &fe) || fe.Field != "name") {
			t.Errorf("Name(%q) error %T does not name the field", tc.in, err)
		}
	}
}

func TestText(t *testing.T) {
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{"", true}, {"Alice Example,Room 1,555,", true}, {"/home/a b", true}, {"Émile Zola", true},
		{"a:b", false}, {"a\nb", false}, {"a\rb", false}, {"a\x00", false}, {"\x7f", false},
		{"\x1b[31m", false}, {"\xff\xfe", false},
	} {
		if err := Text("gecos", tc.in); (err == nil) != tc.ok {
			t.Errorf("Text(%q) = %v, want ok=%v", tc.in, err, tc.ok)
		}
	}
}

func TestID(t *testing.T) {
	r := Range{Min: 1000, Max: 60000}
	for _, tc := range []struct {
		in   string
		r    Range
		want uint32
		ok   bool
	}{
		{"1000", r, 1000, true}, {"60000", r, 60000, true}, {"4294967294", Range{}, 4294967294, true},
		{"999", r, 0, false}, {"60001", r, 0, false}, {"0", Range{}, 0, false}, {"00", Range{}, 0, false},
		{"65535", Range{}, 0, false}, {"4294967295", Range{}, 0, false}, {"4294967296", Range{}, 0, false},
		{"-1", Range{}, 0, false}, {"+5", Range{}, 0, false}, {" 5", Range{}, 0, false}, {"5 ", Range{}, 0, false},
		{"0x10", Range{}, 0, false}, {"1e3", Range{}, 0, false}, {"", Range{}, 0, false},
		{"99999999999999999999999", Range{}, 0, false}, {"１２３", Range{}, 0, false},
	} {
		got, err := ID("uid", tc.in, tc.r)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ID(%q, %+v) = %d, %v; want %d ok=%v", tc.in, tc.r, got, err, tc.want, tc.ok)
		}
	}
}

// A user's primary gid obeys gidrange like a group's: a directory cannot
// hand out local system groups (sudo 27, shadow 42, adm 4, users 100).
func TestPrimaryGID(t *testing.T) {
	r := Range{Min: 1000, Max: 2147483647}
	for _, tc := range []struct {
		in     string
		r      Range
		want   uint32
		reason string // "" when accepted
	}{
		{"1000", r, 1000, ""}, {"2147483647", r, 2147483647, ""}, {"100", Range{Min: 100, Max: 60000}, 100, ""},
		{"27", r, 0, "primary gid 27 outside gidrange 1000-2147483647"},
		{"42", r, 0, "primary gid 42 outside gidrange 1000-2147483647"},
		{"4", r, 0, "primary gid 4 outside gidrange 1000-2147483647"},
		{"100", r, 0, "primary gid 100 outside gidrange 1000-2147483647"},
		{"999", r, 0, "outside gidrange"}, {"2147483648", r, 0, "outside gidrange"},
		{"5", Range{Min: 10}, 0, "primary gid 5 outside gidrange 10-4294967294"},
		{"0", Range{}, 0, "reserved"}, {"65535", Range{}, 0, "reserved"}, {"-27", r, 0, "not a decimal"},
		{"", r, 0, "empty"},
	} {
		got, err := PrimaryGID(tc.in, tc.r)
		switch {
		case tc.reason == "" && (err != nil || got != tc.want):
			t.Errorf("PrimaryGID(%q, %v) = %d, %v; want %d", tc.in, tc.r, got, err, tc.want)
		case tc.reason != "" && (err == nil || !strings.Contains(err.Error(), tc.reason)):
			t.Errorf("PrimaryGID(%q, %v) = %d, %v; want an error holding %q", tc.in, tc.r, got, err, tc.reason)
		}
		var fe *FieldError
		if err != nil && (!errors.As(err, &fe) || fe.Field != "gid") {
			t.Errorf("PrimaryGID(%q): %v is not a gid FieldError", tc.in, err)
		}
	}
}

func TestShadowNumber(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"", cache.Unset, true}, {"-1", cache.Unset, true}, {"0", 0, true}, {"19000", 19000, true},
		{"2147483647", 2147483647, true}, {"2147483648", 0, false}, {"-2", 0, false}, {"abc", 0, false},
		{"1.5", 0, false}, {" 1", 0, false},
	} {
		got, err := ShadowNumber("shadowmax", tc.in)
		if (err == nil) != tc.ok || (tc.ok && got != tc.want) {
			t.Errorf("ShadowNumber(%q) = %d, %v; want %d ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

func TestUserEntrySize(t *testing.T) {
	base := cache.User{Name: "alice", Passwd: "x", UID: 1000, GID: 1000, Dir: "/home/alice", Shell: "/bin/sh"}
	fixed := len(base.Name) + len(base.Passwd) + len(base.Dir) + len(base.Shell) + 5
	for _, tc := range []struct {
		gecos int
		ok    bool
	}{{0, true}, {MaxEntryStrings - fixed, true}, {MaxEntryStrings - fixed + 1, false}, {3072, false}} {
		u := base
		u.Gecos = strings.Repeat("g", tc.gecos)
		if err := User(&u); (err == nil) != tc.ok {
			t.Errorf("gecos of %d bytes: %v, want ok=%v", tc.gecos, err, tc.ok)
		}
	}
	for _, bad := range []cache.User{
		{Name: "a:b", Passwd: "x"}, {Name: "alice", Passwd: "x", Shell: "/bin/sh\n"},
		{Name: "alice", Passwd: "x", Dir: "/home/a:b"}, {Name: "alice", Passwd: "x:"},
	} {
		if err := User(&bad); err == nil {
			t.Errorf("User(%+v) accepted", bad)
		}
	}
}

func TestShadowAndGroup(t *testing.T) {
	for _, tc := range []struct {
		s  cache.Shadow
		ok bool
	}{
		{cache.Shadow{Name: "alice", Passwd: "$6$salt$hash"}, true},
		{cache.Shadow{Name: "alice", Passwd: "*"}, true},
		{cache.Shadow{Name: "alice", Passwd: ""}, false},
		{cache.Shadow{Name: "alice", Passwd: "$6$a:b"}, false},
		{cache.Shadow{Name: "alice", Passwd: "$6$\n"}, false},
		{cache.Shadow{Name: "alice", Passwd: strings.Repeat("h", 1100)}, false},
	} {
		if err := Shadow(&tc.s); (err == nil) != tc.ok {
			t.Errorf("Shadow(%+v) = %v, want ok=%v", tc.s, err, tc.ok)
		}
	}
	for _, tc := range []struct {
		g  cache.Group
		ok bool
	}{
		{cache.Group{Name: "staff", Passwd: "*"}, true},
		{cache.Group{Name: "st,aff", Passwd: "*"}, false},
		{cache.Group{Name: "staff", Passwd: "a:b"}, false},
	} {
		if err := Group(&tc.g); (err == nil) != tc.ok {
			t.Errorf("Group(%+v) = %v, want ok=%v", tc.g, err, tc.ok)
		}
	}
}
