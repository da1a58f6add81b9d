package cache

import (
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// genSnapshot builds a synthetic directory: users u000000…, groups
// g00000… with perGroup consecutive members each, and optionally shadow.
func genSnapshot(users, groups, perGroup int, shadow bool) *Snapshot {
	s := &Snapshot{Source: fmt.Sprintf("test %d/%d", users, groups)}
	for i := 0; i < users; i++ {
		s.Users = append(s.Users, User{
			Name: fmt.Sprintf("u%06d", i), Passwd: "x", UID: uint32(100000 + i), GID: uint32(200000 + i%max(groups, 1)),
			Gecos: fmt.Sprintf("User %d,Room %d", i, i%100), Dir: fmt.Sprintf("/home/u%06d", i), Shell: "/bin/bash",
		})
	}
	for j := 0; j < groups; j++ {
		g := Group{Name: fmt.Sprintf("g%05d", j), Passwd: "x", GID: uint32(200000 + j)}
		for k := 0; k < perGroup && users > 0; k++ {
			g.Members = append(g.Members, fmt.Sprintf("u%06d", (j*perGroup+k)%users))
		}
		s.Groups = append(s.Groups, g)
	}
	if shadow {
		s.Shadow = []Shadow{}
		for i := 0; i < users; i++ {
			s.Shadow = append(s.Shadow, Shadow{Name: fmt.Sprintf("u%06d", i), Passwd: "$6$salt$hash" + fmt.Sprint(i),
				LastChange: 19000, Min: 0, Max: 99999, Warn: 7, Inactive: Unset, Expire: Unset, Flag: Unset})
		}
	}
	return s
}

// testDir is a fresh 0755 cache directory (t.TempDir is 0700 on some
// systems; the mode matters to ensureDir only when group/world-writable).
func testDir(t testing.TB) string {
	t.Helper()
	d := filepath.Join(t.TempDir(), "cache")
	if err := os.Mkdir(d, 0o755); err != nil {
		t.Fatal(err)
	}
	return d
}

func testOpts(dir string) PublishOptions {
	// A group file of our own: the test never depends on the host's groups.
	// MaxShrinkPct -1: the default guard, as the refresher's default config
	// and `ldapidm import` give it (the zero value would refuse any shrink).
	return PublishOptions{Dir: dir, GroupFile: filepath.Join(dir, "..", "nogroup"), MaxShrinkPct: -1}
}

func mustPublish(t testing.TB, snap *Snapshot, opts PublishOptions) *PublishResult {
	t.Helper()
	res, err := Publish(context.Background(), snap, opts)
	if err != nil {
		t.Fatalf("Publish: %v", err)
	}
	return res
}

// fingerprint is the content of every non-lock file in dir, so a test can
// assert that a refused publish left the directory exactly as it was.
func fingerprint(t testing.TB, dir string) map[string][32]byte {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string][32]byte{}
	for _, e := range entries {
		if e.Name() == lockFile {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		m[e.Name()] = sha256.Sum256(b)
	}
	return m
}

func assertNoTemps(t testing.TB, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		n := e.Name()
		if strings.Contains(n, tmpSuffixTag) || strings.HasSuffix(n, "-journal") || strings.HasSuffix(n, "-wal") || strings.HasSuffix(n, "-shm") {
			t.Errorf("leftover file %s in %s", n, dir)
		}
	}
}

func sameFingerprint(t testing.TB, before, after map[string][32]byte) {
	t.Helper()
	if len(before) != len(after) {
		t.Errorf("directory changed: %d files before, %d after", len(before), len(after))
	}
	for k, v := range before {
		if after[k] != v {
			t.Errorf("%s changed", k)
		}
	}
}
