package status

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestGroupRejections(t *testing.T) {
	rs := func(pairs ...string) []Rejection {
		var out []Rejection
		for i := 0; i+1 < len(pairs); i += 2 {
			out = append(out, Rejection{DN: pairs[i], Reason: pairs[i+1]})
		}
		return out
	}
	many := make([]Rejection, 0, 1000)
	for i := 0; i < 1000; i++ {
		many = append(many, Rejection{DN: "uid=u" + strings.Repeat("x", i%7) + ",dc=x", Reason: "uid 0"})
	}
	cases := []struct {
		name string
		in   []Rejection
		want []RejectionGroup
	}{
		{"none", nil, nil},
		{"one", rs("uid=a", "uid 0"), []RejectionGroup{{"uid 0", 1, []string{"uid=a"}}}},
		{"most frequent first, ties by reason", rs("a", "z", "b", "y", "c", "y", "d", "x"), []RejectionGroup{
			{"y", 2, []string{"b", "c"}}, {"x", 1, []string{"d"}}, {"z", 1, []string{"a"}}}},
		{"examples capped, count exact", many, []RejectionGroup{{"uid 0", 1000, []string{
			many[0].DN, many[1].DN, many[2].DN, many[3].DN, many[4].DN}}}},
		{"hostile reason and DN kept verbatim", rs("cn=a\nb", "name has ':'\x00"),
			[]RejectionGroup{{"name has ':'\x00", 1, []string{"cn=a\nb"}}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := GroupRejections(tc.in)
			g, _ := json.Marshal(got)
			w, _ := json.Marshal(tc.want)
			if len(got) != len(tc.want) || string(g) != string(w) {
				t.Fatalf("got %s\nwant %s", g, w)
			}
		})
	}
}

func TestWriteRead(t *testing.T) {
	dir := t.TempDir()
	if _, err := Read(Path(dir)); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Read of a missing file: %v, want ErrNotExist", err)
	}
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	in := &Status{PID: 42, LastAttempt: at, LastError: "ldap bind: \"x\"\n<y>", ConsecutiveFailures: 3,
		CacheInfo: CacheInfo{Generation: 7}, Rejected: 2, Rejections: GroupRejections([]Rejection{{DN: "a", Reason: "r"}, {DN: "b", Reason: "r"}}),
		Directories: []Directory{{Directory: "ldap.example", Server: "ldaps://10.0.0.1:636", Users: 5}}}
	for round := 0; round < 2; round++ { // the second write replaces the first
		in.Generation += int64(round)
		if err := Write(dir, in); err != nil {
			t.Fatal(err)
		}
		out, err := Read(Path(dir))
		if err != nil {
			t.Fatal(err)
		}
		a, _ := json.Marshal(in)
		b, _ := json.Marshal(out)
		if string(a) != string(b) {
			t.Fatalf("round trip:\n in %s\nout %s", a, b)
		}
	}
	fi, err := os.Stat(Path(dir))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644", fi.Mode().Perm())
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Errorf("directory holds %d files after two writes, want only status.json", len(ents))
	}
	// A corrupt file is an error, not an empty status.
	os.WriteFile(Path(dir), []byte("{\"pid\": "), 0o644)
	if _, err := Read(Path(dir)); err == nil {
		t.Error("Read of a truncated file succeeded")
	}
	// A directory that does not exist: an error.
	if err := Write(filepath.Join(dir, "nope"), in); err == nil {
		t.Error("Write into a missing directory succeeded")
	}
}

func TestCheckAndReport(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	cache := &CacheInfo{Generation: 3, BuiltAt: now.Add(-90 * time.Minute), Users: 10}
	ok := &Status{LastAttempt: now.Add(-time.Minute), LastSuccess: now.Add(-time.Minute)}
	bad := &Status{LastAttempt: now.Add(-time.Minute), LastError: "ldap dial: refused", ConsecutiveFailures: 4,
		Rejected: 1, Rejections: []RejectionGroup{{"uid 0 is root", 1, []string{"uid=evil,dc=x"}}}}
	cases := []struct {
		name   string
		s      *Status
		c      *CacheInfo
		want   Health
		inText []string
	}{
		{"healthy", ok, cache, Healthy, []string{"health:           ok", "generation 3", "1h30m0s ago", "succeeded"}},
		{"failed attempt, old cache serves", bad, cache, AttemptFailed, []string{"last attempt failed", "FAILED",
			"ldap dial: refused", "failures in a row: 4", "uid 0 is root", "uid=evil,dc=x"}},
		{"no cache", ok, nil, NoCache, []string{"health:           no cache", "cache:            missing"}},
		{"no cache and failed", bad, nil, NoCache, []string{"no cache", "FAILED"}},
		{"cache without status (import)", nil, cache, Healthy, []string{"last attempt:     unknown"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if h := Check(tc.s, tc.c); h != tc.want {
				t.Fatalf("Check = %v, want %v", h, tc.want)
			}
			var cerr, serr error
			if tc.c == nil {
				cerr = fs.ErrNotExist
			}
			if tc.s == nil {
				serr = fs.ErrNotExist
			}
			r := NewReport(tc.s, serr, tc.c, cerr, now)
			var text bytes.Buffer
			r.WriteText(&text)
			for _, s := range tc.inText {
				if !strings.Contains(text.String(), s) {
					t.Errorf("text lacks %q:\n%s", s, text.String())
				}
			}
			var js bytes.Buffer
			r.WriteJSON(&js)
			var back Report
			if err := json.Unmarshal(js.Bytes(), &back); err != nil {
				t.Fatal(err)
			}
			if back.Health != tc.want.String() {
				t.Errorf("json health %q, want %q", back.Health, tc.want)
			}
			if tc.c != nil && back.CacheAgeSecs != 5400 {
				t.Errorf("cache age %v, want 5400", back.CacheAgeSecs)
			}
		})
	}
}
