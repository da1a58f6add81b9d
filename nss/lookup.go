package nss

import (
	"strconv"
	"strings"
	"syscall"
)

const (
	// initialBuffer matches glibc's sysconf(_SC_GETPW_R_SIZE_MAX).
	initialBuffer = 1024
	// maxBuffer bounds the doubling: a group of 1,000,000 members of 16
	// bytes each still fits.
	maxBuffer = 64 << 20
)

// retryWithBuffer calls f with growing buffer sizes while it reports a
// short buffer (TRYAGAIN + ERANGE), then maps the final status.
func retryWithBuffer(f func(size int) (status, syscall.Errno)) error {
	for size := initialBuffer; ; size *= 2 {
		st, errno := f(size)
		if st == statusTryAgain && errno == syscall.ERANGE {
			if size >= maxBuffer {
				return ErrTooLarge
			}
			continue
		}
		return statusErr(st, errno)
	}
}

func lookupPasswd(o op, opName, key, name string, id uint32) (Passwd, error) {
	var pw Passwd
	err := retryWithBuffer(func(size int) (st status, errno syscall.Errno) {
		st, errno, pw = rawPasswd(o, name, id, size)
		return st, errno
	})
	if err != nil {
		return Passwd{}, &LookupError{Op: opName, Key: key, Err: err}
	}
	return pw, nil
}

func lookupGroup(o op, opName, key, name string, id uint32) (Group, error) {
	var g Group
	err := retryWithBuffer(func(size int) (st status, errno syscall.Errno) {
		st, errno, g = rawGroup(o, name, id, size)
		return st, errno
	})
	if err != nil {
		return Group{}, &LookupError{Op: opName, Key: key, Err: err}
	}
	return g, nil
}

// hasNUL reports a name C would see truncated: "a\x00b" must not find "a".
func hasNUL(s string) bool { return strings.IndexByte(s, 0) >= 0 }

// LookupUser is getpwnam_r.
func LookupUser(name string) (Passwd, error) {
	if hasNUL(name) {
		return Passwd{}, &LookupError{Op: "user", Key: name, Err: ErrNotFound}
	}
	return lookupPasswd(byName, "user", name, name, 0)
}

// LookupUserID is getpwuid_r.
func LookupUserID(uid uint32) (Passwd, error) {
	return lookupPasswd(byID, "uid", strconv.FormatUint(uint64(uid), 10), "", uid)
}

// LookupGroup is getgrnam_r.
func LookupGroup(name string) (Group, error) {
	if hasNUL(name) {
		return Group{}, &LookupError{Op: "group", Key: name, Err: ErrNotFound}
	}
	return lookupGroup(byName, "group", name, name, 0)
}

// LookupGroupID is getgrgid_r.
func LookupGroupID(gid uint32) (Group, error) {
	return lookupGroup(byID, "gid", strconv.FormatUint(uint64(gid), 10), "", gid)
}

// LookupShadow is getspnam_r. Only a process that may read shadow.db (root,
// group shadow when the file is 0640) gets anything but ErrUnavailable.
func LookupShadow(name string) (Shadow, error) {
	if hasNUL(name) {
		return Shadow{}, &LookupError{Op: "shadow", Key: name, Err: ErrNotFound}
	}
	var sp Shadow
	err := retryWithBuffer(func(size int) (st status, errno syscall.Errno) {
		st, errno, sp = rawShadow(byName, name, size)
		return st, errno
	})
	if err != nil {
		return Shadow{}, &LookupError{Op: "shadow", Key: name, Err: err}
	}
	return sp, nil
}

// GroupsOf is initgroups_dyn: the gids of the groups that list user as a
// member, in the cache's order, without skip. A user in no group (or
// unknown) gives an empty list and no error: the module's NOTFOUND only
// means "nothing added".
func GroupsOf(user string, skip uint32) ([]uint32, error) {
	if hasNUL(user) {
		return []uint32{}, nil
	}
	st, errno, gids := rawInitgroups(user, skip, 16, 0)
	if st == statusNotFound {
		return []uint32{}, nil
	}
	if err := statusErr(st, errno); err != nil {
		return nil, &LookupError{Op: "initgroups", Key: user, Err: err}
	}
	return gids, nil
}
