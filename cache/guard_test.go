package cache

import (
	"context"
	"errors"
	"testing"
)

func TestShrinkGuard(t *testing.T) {
	cases := []struct {
		name          string
		live          *Snapshot // nil: no live cache
		users, groups int
		maxPct        int
		force         bool
		wantMap       string // "" means accepted
	}{
		{"first publish, empty users", nil, 0, 5, 0, false, "passwd"},
		{"first publish, empty users forced", nil, 0, 5, 0, true, ""},
		{"first publish, no groups", nil, 10, 0, 0, false, ""},
		{"empty users", genSnapshot(10, 10, 1, false), 0, 10, 0, false, "passwd"},
		{"empty groups", genSnapshot(10, 10, 1, false), 10, 0, 0, false, "group"},
		{"empty groups at 100%", genSnapshot(10, 10, 1, false), 10, 0, 100, false, "group"},
		{"empty forced", genSnapshot(10, 10, 1, false), 0, 0, 0, true, ""},
		{"users -20% allowed", genSnapshot(10, 10, 1, false), 8, 10, 0, false, ""},
		{"users -30% refused", genSnapshot(10, 10, 1, false), 7, 10, 0, false, "passwd"},
		{"groups -30% refused", genSnapshot(10, 10, 1, false), 10, 7, 0, false, "group"},
		{"users -30% with maxpct 50", genSnapshot(10, 10, 1, false), 7, 10, 50, false, ""},
		{"users -30% forced", genSnapshot(10, 10, 1, false), 7, 10, 0, true, ""},
		{"growth", genSnapshot(10, 10, 1, false), 1000, 100, 0, false, ""},
		{"1 of 1000 lost at 0.1%", genSnapshot(1000, 10, 1, false), 999, 10, 1, false, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := testDir(t)
			if tc.live != nil {
				mustPublish(t, tc.live, testOpts(dir))
			}
			before := fingerprint(t, dir)
			opts := testOpts(dir)
			opts.MaxShrinkPct, opts.Force = tc.maxPct, tc.force
			_, err := Publish(context.Background(), genSnapshot(tc.users, tc.groups, 1, false), opts)
			if tc.wantMap == "" {
				if err != nil {
					t.Fatalf("Publish = %v, want success", err)
				}
				return
			}
			var se *ShrinkError
			if !errors.As(err, &se) || se.Map != tc.wantMap || se.New != map[string]int{"passwd": tc.users, "group": tc.groups}[tc.wantMap] {
				t.Fatalf("Publish = %v, want *ShrinkError for %s", err, tc.wantMap)
			}
			sameFingerprint(t, before, fingerprint(t, dir))
			assertNoTemps(t, dir)
		})
	}
}

func TestShrinksTooMuch(t *testing.T) {
	for _, tc := range []struct {
		old, new, pct int
		want          bool
	}{
		{10, 8, 20, false}, {10, 7, 20, true}, {100000, 80000, 20, false}, {100000, 79999, 20, true},
		{3, 2, 20, true}, {1, 0, 100, false}, {0, 0, 20, false}, {5, 6, 0, false}, {5, 4, 0, true},
	} {
		if got := shrinksTooMuch(tc.old, tc.new, tc.pct); got != tc.want {
			t.Errorf("shrinksTooMuch(%d, %d, %d) = %v, want %v", tc.old, tc.new, tc.pct, got, tc.want)
		}
	}
}
