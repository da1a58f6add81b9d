package cache

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// publishLock is an exclusive flock(2) on <dir>/.publish.lock. flock locks
// belong to the open file description, so two publishers in one process
// exclude each other as two processes do, and a killed publisher's lock
// vanishes with its descriptor.
type publishLock struct{ f *os.File }

// lockPollInterval is how often a waiting publisher retries. flock has no
// timeout; polling LOCK_NB lets a cancelled context end the wait.
const lockPollInterval = 5 * time.Millisecond

func acquireLock(ctx context.Context, dir string) (*publishLock, error) {
	path := filepath.Join(dir, lockFile)
	// os.OpenFile sets O_CLOEXEC: a helper exec'd meanwhile never
	// inherits (and so never prolongs) the lock.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|syscall.O_NOFOLLOW, 0o600)
	if err != nil {
		return nil, fmt.Errorf("cache: open publish lock: %w", err)
	}
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return &publishLock{f: f}, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR) {
			f.Close()
			return nil, fmt.Errorf("cache: flock %s: %w", path, err)
		}
		t := time.NewTimer(lockPollInterval)
		select {
		case <-ctx.Done():
			t.Stop()
			f.Close()
			return nil, fmt.Errorf("cache: waiting for publish lock: %w", ctx.Err())
		case <-t.C:
		}
	}
}

// release drops the lock by closing the descriptor. The lock file itself
// stays: removing it would let a waiter lock an unlinked inode while a third
// publisher locks a new one.
func (l *publishLock) release() { l.f.Close() }

// tmpPrefix is the temp-file prefix for a final file name: ".cache.db.tmp-".
// SQLite adds "-journal" to it while a transaction is open, which the same
// prefix also matches.
func tmpPrefix(final string) string { return "." + final + tmpSuffixTag }

// removeStaleTemps deletes temp files a killed publisher left behind. It
// must run under the publish lock: otherwise it could delete the file a live
// publisher is building.
func removeStaleTemps(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("cache: list %s: %w", dir, err)
	}
	for _, e := range entries {
		n := e.Name()
		if !strings.HasPrefix(n, tmpPrefix(MainFile)) && !strings.HasPrefix(n, tmpPrefix(ShadowFile)) {
			continue
		}
		if err := os.Remove(filepath.Join(dir, n)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("cache: remove stale temp file: %w", err)
		}
	}
	return nil
}
