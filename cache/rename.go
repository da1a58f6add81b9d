package cache

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// rename puts the built files in place. From here on the context is no
// longer consulted: stopping between the two renames would leave a mix of
// generations for no benefit.
//
// shadow.db goes first. A reader of cache.db never depends on shadow.db,
// but a login does: pam looks a user up in passwd, then reads the hash from
// shadow. Renaming shadow first means every user visible in the new cache.db
// already has its entry in shadow.db; the opposite order would briefly show
// new users with no hash (a failed login) or, after a password reset, a new
// user entry next to the old hash. The leftover in this order — a shadow
// entry for a user not yet (or no longer) in cache.db — is unreachable
// through passwd for the instant it lasts.
//
// If the main rename fails after the shadow rename succeeded, shadow.db is
// one generation ahead until the next publish; the error is returned.
func (p *publication) rename(mainTmp, shadowTmp string) (*PublishResult, error) {
	res := &PublishResult{Meta: *p.meta, MainPath: filepath.Join(p.dir, MainFile)}
	livesShadow := filepath.Join(p.dir, ShadowFile)
	if shadowTmp != "" {
		if err := os.Rename(shadowTmp, livesShadow); err != nil {
			return nil, fmt.Errorf("cache: rename %s: %w", livesShadow, err)
		}
		res.ShadowPath = livesShadow
	} else if err := os.Remove(livesShadow); err != nil && !errors.Is(err, fs.ErrNotExist) {
		// No shadow map: stale hashes must not outlive the directory's
		// decision to stop serving them.
		return nil, fmt.Errorf("cache: remove stale %s: %w", livesShadow, err)
	}
	if err := os.Rename(mainTmp, res.MainPath); err != nil {
		return nil, fmt.Errorf("cache: rename %s: %w", res.MainPath, err)
	}
	if err := fsyncPath(p.dir); err != nil {
		return nil, fmt.Errorf("cache: fsync directory %s: %w", p.dir, err)
	}
	return res, nil
}
