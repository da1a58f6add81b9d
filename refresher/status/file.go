package status

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// tempPattern names Write's temporary files (os.CreateTemp replaces the
// '*'); RemoveStaleTemps matches the same pattern.
const tempPattern = ".status-*.tmp"

// Path is the status file of a cache directory.
func Path(cacheDir string) string { return filepath.Join(cacheDir, FileName) }

// Write replaces <cacheDir>/status.json with s by temp file + fsync +
// rename, mode 0644: the file holds no secret and monitoring runs as any user.
func Write(cacheDir string, s *Status) error {
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("status: encode: %w", err)
	}
	data = append(data, '\n')
	tmp, err := os.CreateTemp(cacheDir, tempPattern)
	if err != nil {
		return fmt.Errorf("status: %w", err)
	}
	name := tmp.Name()
	// On any failure the temp file goes: a cache dir must not fill up with
	// half-written reports.
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(name)
		}
	}()
	if _, err := tmp.Write(data); err != nil {
		return fmt.Errorf("status: write %s: %w", name, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		return fmt.Errorf("status: chmod %s: %w", name, err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("status: fsync %s: %w", name, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("status: close %s: %w", name, err)
	}
	if err := os.Rename(name, Path(cacheDir)); err != nil {
		return fmt.Errorf("status: %w", err)
	}
	ok = true
	return nil
}

// RemoveStaleTemps removes the temporary files that a Write killed before
// its rename left in cacheDir (a SIGKILL or a crash runs no cleanup), and
// returns their names. Only regular files and symlinks named like Write's
// temporaries are removed (a symlink as itself, never its target).
//
// The caller must be the only writer of cacheDir's status: a concurrent
// Write's temp file would be removed under it. The daemon calls it once at
// start, holding refresher.lock.
func RemoveStaleTemps(cacheDir string) ([]string, error) {
	entries, err := os.ReadDir(cacheDir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("status: %w", err)
	}
	var removed []string
	for _, e := range entries {
		name := e.Name()
		if ok, _ := filepath.Match(tempPattern, name); !ok {
			continue
		}
		if t := e.Type(); !t.IsRegular() && t&fs.ModeSymlink == 0 {
			continue
		}
		if err := os.Remove(filepath.Join(cacheDir, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return removed, fmt.Errorf("status: remove stale %s: %w", name, err)
		}
		removed = append(removed, name)
	}
	return removed, nil
}

// Read loads a status file. A missing file returns an error wrapping
// fs.ErrNotExist, which callers use to start from an empty report.
func Read(path string) (*Status, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("status: %w", err)
	}
	var s Status
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("status: %s: %w", path, err)
	}
	return &s, nil
}
