package status

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/ldapidm/ldapidm/cache"
)

// keys returns the member names of the JSON object data, in order; for a
// member whose value is itself an object, its own names follow as
// "member.name".
func keys(t *testing.T, data []byte) []string {
	t.Helper()
	var out []string
	var walk func(prefix string, raw json.RawMessage)
	walk = func(prefix string, raw json.RawMessage) {
		dec := json.NewDecoder(bytes.NewReader(raw))
		if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
			t.Fatalf("%s: not an object: %s", prefix, raw)
		}
		for dec.More() {
			tok, err := dec.Token()
			if err != nil {
				t.Fatal(err)
			}
			var v json.RawMessage
			if err := dec.Decode(&v); err != nil {
				t.Fatal(err)
			}
			name := prefix + tok.(string)
			out = append(out, name)
			if len(v) > 0 && v[0] == '{' {
				walk(name+".", v)
			}
		}
	}
	walk("", data)
	return out
}

// The JSON the status file and `status --json` carry is an interface that
// monitoring parses: its names and their order are pinned here, every
// field set so that omitempty hides none.
func TestJSONNames(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	c := CacheInfo{Generation: 7, BuiltAt: at, Source: "ldaps 10.0.0.1 port 636", Users: 1, Groups: 2, Members: 3, Shadow: 4}
	s := &Status{PID: 1, LastAttempt: at, LastSuccess: at, LastError: "x", ConsecutiveFailures: 1,
		DurationSeconds: 1, NextAttempt: at, Forced: true,
		Directories: []Directory{{Directory: "d", Server: "s", Users: 1}}, Rejected: 1,
		Rejections: []RejectionGroup{{Reason: "r", Count: 1, Examples: []string{"a"}}}, CacheInfo: c}

	statusKeys := []string{"pid", "last_attempt", "last_success", "last_error", "consecutive_failures",
		"duration_seconds", "next_attempt", "forced",
		"generation", "built_at", "source", "users", "groups", "members", "shadow",
		"directories", "rejected", "rejections"}
	cacheKeys := []string{"generation", "built_at", "source", "users", "groups", "members", "shadow"}

	data, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	if got := keys(t, data); !reflect.DeepEqual(got, statusKeys) {
		t.Errorf("status file names\n got %q\nwant %q", got, statusKeys)
	}
	// The cache as Status describes it and as the report's "cache" does
	// are the same JSON.
	var back CacheInfo
	if err := json.Unmarshal(data, &back); err != nil || back != c {
		t.Errorf("the status file's cache fields read back as %+v (%v), want %+v", back, err, c)
	}

	var js bytes.Buffer
	if err := NewReport(s, nil, &c, nil, at.Add(time.Hour)).WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	want := []string{"health", "cache_age_seconds", "cache"}
	for _, k := range cacheKeys {
		want = append(want, "cache."+k)
	}
	want = append(want, "status")
	for _, k := range statusKeys {
		want = append(want, "status."+k)
	}
	want = append(want, "checked_at")
	if got := keys(t, js.Bytes()); !reflect.DeepEqual(got, want) {
		t.Errorf("status --json names\n got %q\nwant %q", got, want)
	}
}

// CacheFromMeta copies every field, and gives the build time in UTC
// whatever zone the cache's reader returned it in.
func TestCacheFromMeta(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 6, time.FixedZone("X", 5*3600))
	m := &cache.Meta{Generation: 9, BuiltAt: at, Source: "ldap 127.0.0.1 port 389", Users: 1, Groups: 2, Members: 3, Shadow: 4}
	got := CacheFromMeta(m)
	want := CacheInfo{Generation: 9, BuiltAt: at.UTC(), Source: m.Source, Users: 1, Groups: 2, Members: 3, Shadow: 4}
	if got != want || got.BuiltAt.Location() != time.UTC {
		t.Fatalf("CacheFromMeta(%+v) = %+v, want %+v", m, got, want)
	}
}
