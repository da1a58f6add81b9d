package cache

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"
)

const (
	modeDir    = 0o755
	modeMain   = 0o644
	modeShadow = 0o640 // group shadow may read hashes (unix_chkpwd, …)
	modeRoot   = 0o600 // shadow.db when there is no shadow group
)

// ensureDir creates dir 0755 if missing and refuses one that group or others
// may write: whoever can write there can rename their own cache.db into
// place (the module refuses such a directory too).
func ensureDir(dir string) error {
	fi, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(dir, modeDir); err != nil {
			return fmt.Errorf("cache: create %s: %w", dir, err)
		}
		// MkdirAll is subject to the umask; say exactly what we mean.
		if err := os.Chmod(dir, modeDir); err != nil {
			return fmt.Errorf("cache: chmod %s: %w", dir, err)
		}
		fi, err = os.Stat(dir)
	}
	if err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("cache: %s is not a directory", dir)
	}
	if fi.Mode().Perm()&0o022 != 0 {
		return fmt.Errorf("%w: %s has mode %04o", ErrUnsafeDir, dir, fi.Mode().Perm())
	}
	return nil
}

// groupID reads the group file as a file and returns name's gid. It never
// goes through NSS: the refresher may run inside an nsswitch.conf that
// includes ldapidm, and must not consult the cache it is replacing.
func groupID(file, name string) (uint32, bool, error) {
	f, err := os.Open(file)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("cache: read %s: %w", file, err)
	}
	defer f.Close()
	r := bufio.NewReader(f)
	for {
		line, err := r.ReadString('\n')
		fields := strings.Split(strings.TrimRight(line, "\n"), ":")
		if len(fields) >= 3 && fields[0] == name {
			gid, perr := strconv.ParseUint(fields[2], 10, 32)
			if perr != nil {
				return 0, false, fmt.Errorf("cache: %s: group %q has gid %q", file, name, fields[2])
			}
			return uint32(gid), true, nil
		}
		if err != nil {
			return 0, false, nil // EOF (or a read error): treat as absent, the safe answer
		}
	}
}

// setOwnerMode gives a built file its final owner and mode before it is
// renamed into place, so it is never visible with the wrong ones. As root the
// owner is root; otherwise the caller keeps ownership (tests, a private dir).
func setOwnerMode(path string, mode os.FileMode, gid int) error {
	if os.Geteuid() == 0 {
		if err := os.Chown(path, 0, gid); err != nil {
			return fmt.Errorf("cache: chown %s: %w", path, err)
		}
	}
	if err := os.Chmod(path, mode); err != nil {
		return fmt.Errorf("cache: chmod %s: %w", path, err)
	}
	return nil
}

// shadowOwnerMode decides shadow.db's group and mode: 0640 with the shadow
// group when it exists and we can set it, else 0600 (never 0640 with some
// other group, which would hand the hashes to that group).
func shadowOwnerMode(path string, opts *PublishOptions) (os.FileMode, int, error) {
	gid, ok, err := groupID(opts.GroupFile, opts.ShadowGroup)
	if err != nil || !ok {
		return modeRoot, 0, err
	}
	if os.Geteuid() != 0 {
		// An unprivileged publisher may set a group it belongs to.
		if err := os.Chown(path, -1, int(gid)); err != nil {
			return modeRoot, 0, nil
		}
	}
	return modeShadow, int(gid), nil
}
