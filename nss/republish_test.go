package nss

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ldapidm/ldapidm/nss/internal/testcache"
)

// publishCopy copies src over dst the way the writer publishes: a temp file
// beside dst, then rename(2).
func publishCopy(src, dst string, mode os.FileMode) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	tmp := dst + ".tmp"
	if err := os.WriteFile(tmp, b, mode); err != nil {
		return err
	}
	if err := os.Chmod(tmp, mode); err != nil {
		return err
	}
	return os.Rename(tmp, dst)
}

// genOf returns the generation an answer claims, from its home directory
// ("/home/<gen>/<name>") or group password ("gen-<gen>").
func genOf(s string) string {
	if rest, ok := strings.CutPrefix(s, "/home/"); ok {
		g, _, _ := strings.Cut(rest, "/")
		return g
	}
	return strings.TrimPrefix(s, "gen-")
}

// 1,000 publishes alternating generations A and B while four goroutines
// look up and one enumerates: no errors, and no answer mixing generations
// (each answer must equal the claimed generation's entry exactly,
// including group members and initgroups lists, which differ by
// generation, and every enumeration must be one generation throughout).
func TestRepublishUnderLoad(t *testing.T) {
	const (
		users     = 600
		groups    = 20
		publishes = 1000
		readers   = 4
	)
	fx := map[string]testcache.Fixture{
		"A": testcache.Synthetic(users, groups, "A"),
		"B": testcache.Synthetic(users, groups, "B"),
	}
	src := map[string]string{}
	for gen, f := range fx {
		d := newDir(t)
		if err := testcache.Build(d, f); err != nil {
			t.Fatal(err)
		}
		src[gen] = d
	}
	live := newDir(t)
	publish := func(gen string) {
		if err := publishCopy(filepath.Join(src[gen], "cache.db"), filepath.Join(live, "cache.db"), 0o644); err != nil {
			t.Error(err)
		}
		if err := publishCopy(filepath.Join(src[gen], "shadow.db"), filepath.Join(live, "shadow.db"), 0o600); err != nil {
			t.Error(err)
		}
		Recheck()
	}
	publish("A")
	useDir(t, live)

	var (
		stop     atomic.Bool
		lookups  atomic.Int64
		failures atomic.Int64
		seen     [2]atomic.Int64 // answers from A, from B
		wg       sync.WaitGroup
	)
	fail := func(format string, args ...any) {
		if failures.Add(1) <= 10 {
			t.Errorf(format, args...)
		}
	}
	check := func(gen string, what string) (testcache.Fixture, bool) {
		f, ok := fx[gen]
		if !ok {
			fail("%s: unknown generation %q", what, gen)
			return f, false
		}
		seen[gen[0]-'A'].Add(1)
		return f, true
	}
	for r := 0; r < readers; r++ {
		wg.Add(1)
		go func(seed uint64) {
			defer wg.Done()
			rnd := rand.New(rand.NewPCG(seed, 1))
			for !stop.Load() {
				i := rnd.IntN(users)
				name := testcache.UserName(i)
				lookups.Add(1)
				switch rnd.IntN(4) {
				case 0:
					pw, err := LookupUser(name)
					if err != nil {
						fail("LookupUser(%q): %v", name, err)
					} else if f, ok := check(genOf(pw.Dir), "passwd"); ok && pw != wantPasswd(f.Users[i]) {
						fail("LookupUser(%q) mixes generations: %+v", name, pw)
					}
				case 1:
					j := rnd.IntN(len(fx["A"].Groups))
					g, err := LookupGroupID(fx["A"].Groups[j].GID)
					if err != nil {
						fail("LookupGroupID: %v", err)
					} else if f, ok := check(genOf(g.Passwd), "group"); ok && !reflect.DeepEqual(g, wantGroup(f.Groups[j])) {
						fail("group %s (gen %s) has another generation's members", g.Name, genOf(g.Passwd))
					}
				case 2:
					got, err := GroupsOf(name, ^uint32(0))
					a, b := fx["A"].GroupsOf(name, ^uint32(0)), fx["B"].GroupsOf(name, ^uint32(0))
					if err != nil {
						fail("GroupsOf(%q): %v", name, err)
					} else if !reflect.DeepEqual(got, a) && !reflect.DeepEqual(got, b) {
						fail("GroupsOf(%q) = %v, neither A %v nor B %v", name, got, a, b)
					}
				case 3:
					sp, err := LookupShadow(name)
					if err != nil {
						fail("LookupShadow(%q): %v", name, err)
					} else if sp != wantShadow(fx["A"].Shadow[i]) && sp != wantShadow(fx["B"].Shadow[i]) {
						fail("LookupShadow(%q) = %+v matches no generation", name, sp)
					}
				}
			}
		}(uint64(r))
	}
	var walks atomic.Int64
	wg.Add(1)
	go func() {
		defer wg.Done()
		for !stop.Load() {
			gs, err := Groups()
			if err != nil {
				fail("Groups: %v", err)
				continue
			}
			walks.Add(1)
			gen := genOf(gs[0].Passwd)
			f, ok := check(gen, "enumeration")
			if ok && !reflect.DeepEqual(gs, func() []Group {
				var w []Group
				for _, g := range f.Groups {
					w = append(w, wantGroup(g))
				}
				return w
			}()) {
				fail("an enumeration of generation %s mixes generations", gen)
			}
		}
	}()

	start := time.Now()
	for p := 1; p <= publishes; p++ {
		publish([]string{"A", "B"}[p%2])
	}
	elapsed := time.Since(start)
	stop.Store(true)
	wg.Wait()
	t.Logf("%d publishes in %v; %d lookups (%d answers from A, %d from B), %d enumerations, %d failures",
		publishes, elapsed.Round(time.Millisecond), lookups.Load(), seen[0].Load(), seen[1].Load(), walks.Load(), failures.Load())
	if failures.Load() != 0 {
		t.Fatalf("%d failures", failures.Load())
	}
	if seen[0].Load() == 0 || seen[1].Load() == 0 {
		t.Fatalf("readers never saw both generations (A %d, B %d): republication went unnoticed", seen[0].Load(), seen[1].Load())
	}
}
