package nss

import (
	"errors"
	"sync"
	"syscall"
)

// The module keeps one walk per map per process, so two goroutines
// enumerating the same map at once would share (and split) it.
var enumMu [3]sync.Mutex

// walk runs setXXent, calls step until the end of the map, and always
// runs endXXent. step returns the status of one getXXent_r call made with
// a buffer of size bytes and keeps the entry on success.
func walk(m mapID, opName string, step func(size int) (status, syscall.Errno)) error {
	enumMu[m].Lock()
	defer enumMu[m].Unlock()
	defer rawEndEnt(m)
	if st := rawSetEnt(m); st != statusSuccess {
		return &LookupError{Op: opName, Err: statusErr(st, 0)}
	}
	for {
		err := retryWithBuffer(step)
		if errors.Is(err, ErrNotFound) {
			return nil // NOTFOUND (ENOENT) is the end of the map
		}
		if err != nil {
			return &LookupError{Op: opName, Err: err}
		}
	}
}

// Users enumerates the passwd map in cache order (setpwent/getpwent_r).
func Users() ([]Passwd, error) {
	var out []Passwd
	err := walk(mapPasswd, "enumerate passwd", func(size int) (status, syscall.Errno) {
		st, errno, pw := rawPasswd(next, "", 0, size)
		if st == statusSuccess {
			out = append(out, pw)
		}
		return st, errno
	})
	return out, err
}

// Groups enumerates the group map in cache order.
func Groups() ([]Group, error) {
	var out []Group
	err := walk(mapGroup, "enumerate group", func(size int) (status, syscall.Errno) {
		st, errno, g := rawGroup(next, "", 0, size)
		if st == statusSuccess {
			out = append(out, g)
		}
		return st, errno
	})
	return out, err
}

// Shadows enumerates the shadow map in cache order.
func Shadows() ([]Shadow, error) {
	var out []Shadow
	err := walk(mapShadow, "enumerate shadow", func(size int) (status, syscall.Errno) {
		st, errno, sp := rawShadow(next, "", size)
		if st == statusSuccess {
			out = append(out, sp)
		}
		return st, errno
	})
	return out, err
}
