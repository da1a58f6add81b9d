package daemon

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// LockName is the refresher's lock file inside the cache directory. It is
// distinct from the writer's .publish.lock: this one is held for the whole
// life of a process (daemon or --once), that one only around a publish.
const LockName = "refresher.lock"

// LockedError means another refresher holds the cache directory.
type LockedError struct {
	Path string
	PID  int // 0 when the holder's pid could not be read
}

func (e *LockedError) Error() string {
	pid := "unknown"
	if e.PID > 0 {
		pid = strconv.Itoa(e.PID)
	}
	return fmt.Sprintf("another ldapidm-refresher (pid %s) holds %s", pid, e.Path)
}

// Lock is a held refresher.lock.
type Lock struct {
	f *os.File
}

// AcquireLock takes a non-blocking exclusive flock(2) on
// <cacheDir>/refresher.lock and writes our pid into it. The descriptor is
// O_CLOEXEC (os.OpenFile's default) so that nscd -i and other children do
// not inherit the lock and keep it after we exit. flock is released by the
// kernel when the process dies, so a crash never leaves a stale lock.
func AcquireLock(cacheDir string) (*Lock, error) {
	path := filepath.Join(cacheDir, LockName)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		defer f.Close()
		if err == syscall.EWOULDBLOCK {
			return nil, &LockedError{Path: path, PID: readPID(f)}
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if err := f.Truncate(0); err == nil {
		f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return &Lock{f: f}, nil
}

// Release drops the lock. The file stays (removing it would race with a
// refresher that just opened it and would then lock an unlinked inode).
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	return err
}

func readPID(f *os.File) int {
	buf := make([]byte, 32)
	n, _ := f.ReadAt(buf, 0)
	pid, err := strconv.Atoi(strings.TrimSpace(string(buf[:n])))
	if err != nil {
		return 0
	}
	return pid
}
