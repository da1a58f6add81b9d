package cache

import (
	"context"
	"errors"
	"testing"
)

func TestShrinkGuard(t *testing.T) {
	const dflt = -1 // a negative MaxShrinkPct asks for DefaultMaxShrinkPct
	cases := []struct {
		name          string
		live          *Snapshot // nil: no live cache
		users, groups int
		maxPct        int
		force         bool
		wantMap       string // "" means accepted
	}{
		{"first publish, empty users", nil, 0, 5, dflt, false, "passwd"},
		{"first publish, empty users forced", nil, 0, 5, dflt, true, ""},
		{"first publish, no groups", nil, 10, 0, dflt, false, ""},
		{"first publish, no groups, maxshrink 0", nil, 10, 0, 0, false, ""},
		{"empty users", genSnapshot(10, 10, 1, false), 0, 10, dflt, false, "passwd"},
		{"empty groups", genSnapshot(10, 10, 1, false), 10, 0, dflt, false, "group"},
		{"empty groups at 100%", genSnapshot(10, 10, 1, false), 10, 0, 100, false, "group"},
		{"empty forced", genSnapshot(10, 10, 1, false), 0, 0, dflt, true, ""},
		// A directory without groups stays without groups: nothing is
		// emptied, so every later refresh must go through.
		{"no groups live, none new", genSnapshot(10, 0, 1, false), 10, 0, dflt, false, ""},
		{"no groups live, none new, maxshrink 0", genSnapshot(10, 0, 1, false), 10, 0, 0, false, ""},
		{"no groups live, users shrink -30%", genSnapshot(10, 0, 1, false), 7, 0, dflt, false, "passwd"},
		{"no groups live, users empty", genSnapshot(10, 0, 1, false), 0, 0, dflt, false, "passwd"},
		{"no users live (forced), none new", genSnapshot(0, 5, 1, false), 0, 5, dflt, false, ""},
		{"no users live (forced), groups emptied", genSnapshot(0, 5, 1, false), 0, 0, 100, false, "group"},
		{"users -20% allowed by default", genSnapshot(10, 10, 1, false), 8, 10, dflt, false, ""},
		{"users -20% allowed, any negative is the default", genSnapshot(10, 10, 1, false), 8, 10, -7, false, ""},
		{"users -30% refused by default", genSnapshot(10, 10, 1, false), 7, 10, dflt, false, "passwd"},
		{"groups -30% refused by default", genSnapshot(10, 10, 1, false), 10, 7, dflt, false, "group"},
		{"users -30% with maxpct 50", genSnapshot(10, 10, 1, false), 7, 10, 50, false, ""},
		{"users -30% forced", genSnapshot(10, 10, 1, false), 7, 10, dflt, true, ""},
		{"growth", genSnapshot(10, 10, 1, false), 1000, 100, dflt, false, ""},
		{"1 of 1000 lost at 0.1%", genSnapshot(1000, 10, 1, false), 999, 10, 1, false, ""},
		// maxshrink 0 is documented (ldapidm.conf(5): 0 to 100) and means
		// what it says: no loss at all, not the default 20.
		{"maxpct 0: users -10% refused", genSnapshot(10, 10, 1, false), 9, 10, 0, false, "passwd"},
		{"maxpct 0: groups -10% refused", genSnapshot(10, 10, 1, false), 10, 9, 0, false, "group"},
		{"maxpct 0: 1 of 1000 lost refused", genSnapshot(1000, 10, 1, false), 999, 10, 0, false, "passwd"},
		{"maxpct 0: unchanged accepted", genSnapshot(10, 10, 1, false), 10, 10, 0, false, ""},
		{"maxpct 0: growth accepted", genSnapshot(10, 10, 1, false), 11, 12, 0, false, ""},
		{"maxpct 0: shrink forced", genSnapshot(10, 10, 1, false), 9, 10, 0, true, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := testDir(t)
			if tc.live != nil {
				// The live cache is set up, not tested: force lets it be
				// empty where a case needs that.
				live := testOpts(dir)
				live.Force = true
				mustPublish(t, tc.live, live)
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
			wantPct := tc.maxPct
			if wantPct < 0 {
				wantPct = DefaultMaxShrinkPct
			}
			if se.MaxPct != wantPct {
				t.Errorf("ShrinkError.MaxPct = %d for MaxShrinkPct %d", se.MaxPct, tc.maxPct)
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

// TestMaxShrinkPctRange: above 100 is a caller's bug, refused before
// anything is touched; every negative value means the default.
func TestMaxShrinkPctRange(t *testing.T) {
	dir := testDir(t)
	mustPublish(t, genSnapshot(10, 10, 1, false), testOpts(dir))
	before := fingerprint(t, dir)
	for _, pct := range []int{101, 1000, int(^uint(0) >> 1)} {
		opts := testOpts(dir)
		opts.MaxShrinkPct = pct
		if _, err := Publish(context.Background(), genSnapshot(10, 10, 1, false), opts); err == nil {
			t.Errorf("MaxShrinkPct %d accepted", pct)
		}
	}
	sameFingerprint(t, before, fingerprint(t, dir))
	for _, pct := range []int{-1, -20, -1 << 31} {
		if got := (PublishOptions{MaxShrinkPct: pct}).withDefaults().MaxShrinkPct; got != DefaultMaxShrinkPct {
			t.Errorf("MaxShrinkPct %d → %d, want %d", pct, got, DefaultMaxShrinkPct)
		}
	}
	for _, pct := range []int{0, 1, 100} {
		if got := (PublishOptions{MaxShrinkPct: pct}).withDefaults().MaxShrinkPct; got != pct {
			t.Errorf("MaxShrinkPct %d → %d, want it kept", pct, got)
		}
	}
}
