package cache

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
)

// withHook installs testHook for one test. Tests using it do not run in
// parallel.
func withHook(t *testing.T, h func(ctx context.Context, stage, source string) error) {
	t.Helper()
	testHook = h
	t.Cleanup(func() { testHook = nil })
}

// TestPublishCancelled cancels the context at every stage and checks that
// the live cache is untouched and no temp file remains.
func TestPublishCancelled(t *testing.T) {
	for _, stage := range []string{stageLocked, stageUsersInserted, stageMainFilled, stageMainBuilt,
		stageShadowInserted, stageShadowFilled, stageShadowBuilt, stageBeforeRename} {
		t.Run(stage, func(t *testing.T) {
			dir := testDir(t)
			mustPublish(t, genSnapshot(30, 5, 3, true), testOpts(dir))
			before := fingerprint(t, dir)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var reached atomic.Bool // the shadow stages run on their own goroutine
			withHook(t, func(_ context.Context, s, _ string) error {
				if s == stage {
					reached.Store(true)
					cancel()
				}
				return nil
			})
			_, err := Publish(ctx, genSnapshot(31, 5, 3, true), testOpts(dir))
			if !reached.Load() {
				t.Fatalf("stage %s never reached", stage)
			}
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("Publish = %v, want context.Canceled", err)
			}
			sameFingerprint(t, before, fingerprint(t, dir))
			assertNoTemps(t, dir)
			if m, err := ReadMeta(dir); err != nil || m.Generation != 1 || m.Users != 30 {
				t.Fatalf("live meta = %+v, %v", m, err)
			}
		})
	}
	t.Run("before start", func(t *testing.T) {
		dir := testDir(t)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := Publish(ctx, genSnapshot(3, 1, 1, false), testOpts(dir)); !errors.Is(err, context.Canceled) {
			t.Fatalf("Publish = %v, want context.Canceled", err)
		}
		assertNoTemps(t, dir)
	})
}

// TestConcurrentPublishersSerialize runs several publishers at once and
// records, through the hook, when each holds the lock: the record must
// never show two holders, and every publish gets its own generation.
func TestConcurrentPublishersSerialize(t *testing.T) {
	dir := testDir(t)
	var mu sync.Mutex
	var events []string
	holder := ""
	overlap := ""
	withHook(t, func(_ context.Context, stage, source string) error {
		mu.Lock()
		defer mu.Unlock()
		switch stage {
		case stageLocked:
			if holder != "" {
				overlap = fmt.Sprintf("%s locked while %s held the lock", source, holder)
			}
			holder = source
			events = append(events, "lock "+source)
		case stageUnlocking:
			if holder != source {
				overlap = fmt.Sprintf("%s unlocking while %q held the lock", source, holder)
			}
			holder = ""
			events = append(events, "unlock "+source)
		default:
			// Either side of a publication, on whichever goroutine, runs
			// only while its own publisher holds the lock.
			if holder != source {
				overlap = fmt.Sprintf("%s reached %s while %q held the lock", source, stage, holder)
			}
		}
		return nil
	})
	const n = 6
	var wg sync.WaitGroup
	gens := make(chan int64, n)
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			s := genSnapshot(200+i, 20, 3, true)
			s.Source = fmt.Sprintf("p%d", i)
			res, err := Publish(context.Background(), s, testOpts(dir))
			if err != nil {
				errs <- err
				return
			}
			gens <- res.Meta.Generation
		}(i)
	}
	wg.Wait()
	close(gens)
	close(errs)
	for err := range errs {
		t.Errorf("publisher failed: %v", err)
	}
	if overlap != "" {
		t.Fatalf("publishers overlapped: %s (events %v)", overlap, events)
	}
	seen := map[int64]bool{}
	for g := range gens {
		if seen[g] || g < 1 || g > n {
			t.Errorf("generation %d duplicated or out of range", g)
		}
		seen[g] = true
	}
	if m, err := ReadMeta(dir); err != nil || m.Generation != n {
		t.Fatalf("final meta = %+v, %v; want generation %d", m, err, n)
	}
	assertNoTemps(t, dir)
}

// TestReaderKeepsOldGeneration: a reader that opened cache.db before a
// publish keeps reading the old file through its descriptor (rename never
// writes into it), and a new open sees the new generation.
func TestReaderKeepsOldGeneration(t *testing.T) {
	dir := testDir(t)
	mustPublish(t, genSnapshot(10, 2, 2, false), testOpts(dir))
	old := openTest(t, filepath.Join(dir, MainFile))
	read := func() (gen string, users int) {
		t.Helper()
		if err := old.QueryRow(`SELECT value FROM meta WHERE key='generation'`).Scan(&gen); err != nil {
			t.Fatal(err)
		}
		if err := old.QueryRow(`SELECT count(*) FROM passwd`).Scan(&users); err != nil {
			t.Fatal(err)
		}
		return
	}
	if g, u := read(); g != "1" || u != 10 {
		t.Fatalf("before: generation %s, %d users", g, u)
	}
	for i := 0; i < 3; i++ {
		mustPublish(t, genSnapshot(11+i, 2, 2, false), testOpts(dir))
		if g, u := read(); g != "1" || u != 10 {
			t.Fatalf("old reader after publish %d: generation %s, %d users; want 1, 10", i+2, g, u)
		}
	}
	m, err := ReadMeta(dir)
	if err != nil || m.Generation != 4 || m.Users != 13 {
		t.Fatalf("new reader: %+v, %v", m, err)
	}
}

// TestPublishWaitsForLock: a lock held by another descriptor
// (as another process would) makes Publish wait, and a cancelled wait
// leaves nothing behind.
func TestPublishWaitsForLock(t *testing.T) {
	dir := testDir(t)
	l, err := acquireLock(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer l.release()
	os.WriteFile(filepath.Join(dir, ".cache.db.tmp-inprogress"), []byte("another publisher's file"), 0o600)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() {
		_, err := Publish(ctx, genSnapshot(3, 1, 1, false), testOpts(dir))
		done <- err
	}()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Publish under a held lock = %v, want context.Canceled", err)
	}
	// Stale-temp removal runs only under the lock: the other publisher's
	// file must still be there.
	if _, err := os.Stat(filepath.Join(dir, ".cache.db.tmp-inprogress")); err != nil {
		t.Fatalf("temp file of the lock holder was removed: %v", err)
	}
}

// TestLockIsCloexec: the lock descriptor is close-on-exec, so a program
// the publisher's process runs never inherits (and prolongs) the lock.
func TestLockIsCloexec(t *testing.T) {
	dir := testDir(t)
	l, err := acquireLock(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer l.release()
	info, err := os.ReadFile(fmt.Sprintf("/proc/self/fdinfo/%d", l.f.Fd()))
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	var flags int
	for _, line := range strings.Split(string(info), "\n") {
		if v, ok := strings.CutPrefix(line, "flags:"); ok {
			fmt.Sscanf(strings.TrimSpace(v), "%o", &flags)
		}
	}
	if flags&syscall.O_CLOEXEC == 0 {
		t.Fatalf("lock fd flags %o lack O_CLOEXEC", flags)
	}
}
