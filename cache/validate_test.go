package cache

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// hostile lists snapshots that must be refused, each derived from a valid
// base by one mutation, with the map and field the error must name.
var hostile = []struct {
	name       string
	mutate     func(s *Snapshot)
	wantMap    string
	wantField  string
	wantReason string
}{
	{"colon in gecos", func(s *Snapshot) { s.Users[1].Gecos = "Eve:0:0" }, "passwd", "gecos", "':'"},
	{"newline in name", func(s *Snapshot) { s.Users[1].Name = "eve\nroot" }, "passwd", "name", "whitespace"},
	{"newline in shell", func(s *Snapshot) { s.Users[1].Shell = "/bin/sh\nroot::0:0::/:/bin/sh" }, "passwd", "shell", "newline"},
	{"NUL in dir", func(s *Snapshot) { s.Users[1].Dir = "/home/\x00x" }, "passwd", "dir", "control"},
	{"escape in gecos", func(s *Snapshot) { s.Users[1].Gecos = "\x1b[2J" }, "passwd", "gecos", "control"},
	{"C1 control in gecos", func(s *Snapshot) { s.Users[1].Gecos = "a\u0085b" }, "passwd", "gecos", "control"},
	{"invalid UTF-8 in gecos", func(s *Snapshot) { s.Users[1].Gecos = "a\xffb" }, "passwd", "gecos", "UTF-8"},
	{"CR in name", func(s *Snapshot) { s.Users[1].Name = "eve\r" }, "passwd", "name", "whitespace"},
	{"comma in user name", func(s *Snapshot) { s.Users[1].Name = "a,b" }, "passwd", "name", "','"},
	{"empty user name", func(s *Snapshot) { s.Users[1].Name = "" }, "passwd", "name", "empty"},
	{"compat plus name", func(s *Snapshot) { s.Users[1].Name = "+" }, "passwd", "name", "compat"},
	{"compat minus name", func(s *Snapshot) { s.Users[1].Name = "-bob" }, "passwd", "name", "compat"},
	{"numeric name", func(s *Snapshot) { s.Users[1].Name = "1000" }, "passwd", "name", "digits"},
	{"duplicate uid", func(s *Snapshot) { s.Users[2].UID = s.Users[1].UID }, "passwd", "uid", "duplicate"},
	{"duplicate user name", func(s *Snapshot) { s.Users[2].Name = s.Users[1].Name }, "passwd", "name", "duplicate"},
	{"uid 4294967295", func(s *Snapshot) { s.Users[1].UID = 4294967295 }, "passwd", "uid", "(uid_t)-1"},
	{"uid 0", func(s *Snapshot) { s.Users[1].UID = 0 }, "passwd", "uid", "root"},
	{"gid 0 for user", func(s *Snapshot) { s.Users[1].GID = 0 }, "passwd", "gid", "root"},
	{"empty user passwd", func(s *Snapshot) { s.Users[1].Passwd = "" }, "passwd", "passwd", "without a password"},
	{"hash in cache.db", func(s *Snapshot) { s.Users[1].Passwd = "$6$x$y" }, "passwd", "passwd", "crypt hash"},
	{"duplicate group name", func(s *Snapshot) { s.Groups[1].Name = s.Groups[0].Name }, "group", "name", "duplicate"},
	{"duplicate gid", func(s *Snapshot) { s.Groups[1].GID = s.Groups[0].GID }, "group", "gid", "duplicate"},
	{"gid 4294967295", func(s *Snapshot) { s.Groups[1].GID = 4294967295 }, "group", "gid", "(uid_t)-1"},
	{"member with comma", func(s *Snapshot) { s.Groups[0].Members = []string{"u000001", "x,root"} }, "group", "members", "','"},
	{"empty member", func(s *Snapshot) { s.Groups[0].Members = []string{""} }, "group", "members", "empty"},
	{"member with colon", func(s *Snapshot) { s.Groups[0].Members = []string{"a:b"} }, "group", "members", "':'"},
	{"colon in group passwd", func(s *Snapshot) { s.Groups[0].Passwd = "x:1" }, "group", "passwd", "':'"},
	{"group name with newline", func(s *Snapshot) { s.Groups[0].Name = "g\n" }, "group", "name", "whitespace"},
	{"shadow for nobody", func(s *Snapshot) { s.Shadow[0].Name = "ghost" }, "shadow", "name", "no passwd entry"},
	{"duplicate shadow", func(s *Snapshot) { s.Shadow[1].Name = s.Shadow[0].Name }, "shadow", "name", "duplicate"},
	{"empty shadow hash", func(s *Snapshot) { s.Shadow[0].Passwd = "" }, "shadow", "passwd", "without a password"},
	{"newline in hash", func(s *Snapshot) { s.Shadow[0].Passwd = "$6$a\nb" }, "shadow", "passwd", "newline"},
	{"negative lastchg", func(s *Snapshot) { s.Shadow[0].LastChange = -2 }, "shadow", "lastchg", "negative"},
	{"newline in source", func(s *Snapshot) { s.Source = "a\nb" }, "snapshot", "source", "newline"},
}

// TestSourceMayNameAURL: meta.source is not a passwd/group field, so a
// server URL (with its ':') is accepted there, and only there.
func TestSourceMayNameAURL(t *testing.T) {
	s := genSnapshot(5, 3, 2, true)
	s.Source = "ldaps://[::1]:636"
	if err := Validate(s); err != nil {
		t.Fatalf("URL source refused: %v", err)
	}
	s.Users[0].Gecos = "ldaps://[::1]:636"
	if err := Validate(s); err == nil {
		t.Fatal("':' in gecos accepted")
	}
}

func TestValidateHostile(t *testing.T) {
	if err := Validate(genSnapshot(5, 3, 2, true)); err != nil {
		t.Fatalf("base snapshot refused: %v", err)
	}
	for _, tc := range hostile {
		t.Run(tc.name, func(t *testing.T) {
			s := genSnapshot(5, 3, 2, true)
			tc.mutate(s)
			err := Validate(s)
			var ie *InvalidError
			if !errors.As(err, &ie) {
				t.Fatalf("Validate = %v, want *InvalidError", err)
			}
			if ie.Map != tc.wantMap || ie.Field != tc.wantField || !strings.Contains(ie.Reason, tc.wantReason) {
				t.Errorf("got %s/%s %q, want %s/%s containing %q", ie.Map, ie.Field, ie.Reason, tc.wantMap, tc.wantField, tc.wantReason)
			}
		})
	}
}

// TestPublishRefusesHostile: every hostile snapshot is refused by Publish
// itself (the last line of defence) and the live cache stays byte-for-byte.
func TestPublishRefusesHostile(t *testing.T) {
	dir := testDir(t)
	mustPublish(t, genSnapshot(5, 3, 2, true), testOpts(dir))
	before := fingerprint(t, dir)
	for _, tc := range hostile {
		t.Run(tc.name, func(t *testing.T) {
			s := genSnapshot(5, 3, 2, true)
			tc.mutate(s)
			opts := testOpts(dir)
			opts.Force = true // the guard must not be what refuses it
			_, err := Publish(context.Background(), s, opts)
			var ie *InvalidError
			if !errors.As(err, &ie) {
				t.Fatalf("Publish = %v, want *InvalidError", err)
			}
			sameFingerprint(t, before, fingerprint(t, dir))
			assertNoTemps(t, dir)
		})
	}
	m, err := ReadMeta(dir)
	if err != nil || m.Generation != 1 {
		t.Fatalf("live meta after refusals = %+v, %v; want generation 1", m, err)
	}
}

func TestValidateAccepts(t *testing.T) {
	ok := []struct {
		name   string
		mutate func(s *Snapshot)
	}{
		{"comma in gecos", func(s *Snapshot) { s.Users[0].Gecos = "Ann,Room 1,555,556" }},
		{"UTF-8 gecos", func(s *Snapshot) { s.Users[0].Gecos = "Zoë Ångström 山田" }},
		{"empty gecos dir shell", func(s *Snapshot) { s.Users[0].Gecos, s.Users[0].Dir, s.Users[0].Shell = "", "", "" }},
		{"uid 4294967294", func(s *Snapshot) { s.Users[0].UID = 4294967294 }},
		{"empty group passwd", func(s *Snapshot) { s.Groups[0].Passwd = "" }},
		{"duplicate members", func(s *Snapshot) { s.Groups[0].Members = []string{"a", "b", "a"} }},
		{"member not a user", func(s *Snapshot) { s.Groups[0].Members = []string{"localuser"} }},
		{"user gid without group", func(s *Snapshot) { s.Users[0].GID = 12345 }},
		{"long gecos", func(s *Snapshot) { s.Users[0].Gecos = strings.Repeat("x", 100000) }},
		{"dotted name", func(s *Snapshot) { s.Users[0].Name, s.Shadow[0].Name = "first.last", "first.last" }},
		{"nil shadow", func(s *Snapshot) { s.Shadow = nil }},
	}
	for _, tc := range ok {
		t.Run(tc.name, func(t *testing.T) {
			s := genSnapshot(5, 3, 2, true)
			tc.mutate(s)
			if err := Validate(s); err != nil {
				t.Fatalf("Validate refused a valid snapshot: %v", err)
			}
		})
	}
}

// TestValidateOrder: with violations in several maps at once, Validate
// reports the one a sequential check would meet first (users, groups,
// shadow, source), although groups are checked on another goroutine.
func TestValidateOrder(t *testing.T) {
	badUser := func(s *Snapshot) { s.Users[4].UID = 0 }
	badGroup := func(s *Snapshot) { s.Groups[2].Name = "g:x" }
	badShadow := func(s *Snapshot) { s.Shadow[0].Name = "ghost" }
	badSource := func(s *Snapshot) { s.Source = "a\nb" }
	for _, tc := range []struct {
		name    string
		mutate  []func(*Snapshot)
		wantMap string
	}{
		{"users and groups", []func(*Snapshot){badGroup, badUser}, "passwd"},
		{"users and shadow", []func(*Snapshot){badShadow, badUser}, "passwd"},
		{"every map", []func(*Snapshot){badSource, badShadow, badGroup, badUser}, "passwd"},
		{"groups and shadow", []func(*Snapshot){badShadow, badGroup}, "group"},
		{"groups and source", []func(*Snapshot){badSource, badGroup}, "group"},
		{"shadow and source", []func(*Snapshot){badSource, badShadow}, "shadow"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Many groups, so the groups goroutine is still running when
			// the users check fails (and must still be waited for).
			s := genSnapshot(5, 2000, 2, true)
			for _, m := range tc.mutate {
				m(s)
			}
			var ie *InvalidError
			if err := Validate(s); !errors.As(err, &ie) || ie.Map != tc.wantMap {
				t.Fatalf("Validate = %v, want the %s violation", err, tc.wantMap)
			}
		})
	}
}
