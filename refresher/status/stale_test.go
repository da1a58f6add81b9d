package status

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestRemoveStaleTemps: what a killed Write left (its temp names, as
// os.CreateTemp makes them from the same pattern) goes; nothing else in a
// cache directory is touched, whatever its name looks like.
func TestRemoveStaleTemps(t *testing.T) {
	dir := t.TempDir()
	// Real leftovers, made the way Write makes them.
	var stale []string
	for i := 0; i < 3; i++ {
		f, err := os.CreateTemp(dir, tempPattern)
		if err != nil {
			t.Fatal(err)
		}
		f.WriteString(`{"last_attempt": "half`) // torn, as a SIGKILL leaves it
		f.Close()
		stale = append(stale, filepath.Base(f.Name()))
	}
	keep := map[string]string{
		FileName:             "file",
		"cache.db":           "file",
		".cache.db.tmp-123":  "file", // the cache writer's, removed under its own lock
		".status-.tmpx":      "file",
		"status-1.tmp":       "file",
		".status-1.tmp.keep": "file",
		"x.status-1.tmp":     "file",
		".status-dir.tmp":    "dir", // not something Write makes
	}
	for name, kind := range keep {
		p := filepath.Join(dir, name)
		var err error
		if kind == "dir" {
			err = os.Mkdir(p, 0o755)
		} else {
			err = os.WriteFile(p, []byte(name), 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	// A symlink under a temp name is removed as a link; its target stays.
	target := filepath.Join(t.TempDir(), "target")
	if err := os.WriteFile(target, []byte("precious"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := ".status-link.tmp"
	if err := os.Symlink(target, filepath.Join(dir, link)); err != nil {
		t.Fatal(err)
	}

	removed, err := RemoveStaleTemps(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := append(slices.Clone(stale), link)
	slices.Sort(want)
	slices.Sort(removed)
	if !slices.Equal(removed, want) {
		t.Errorf("removed %q, want %q", removed, want)
	}
	for _, name := range want {
		if _, err := os.Lstat(filepath.Join(dir, name)); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s still there (%v)", name, err)
		}
	}
	for name := range keep {
		if _, err := os.Lstat(filepath.Join(dir, name)); err != nil {
			t.Errorf("%s was touched: %v", name, err)
		}
	}
	if b, err := os.ReadFile(target); err != nil || string(b) != "precious" {
		t.Errorf("symlink target: %q, %v", b, err)
	}
	// Nothing left: nothing to do, no error.
	if removed, err := RemoveStaleTemps(dir); err != nil || len(removed) != 0 {
		t.Errorf("second call: %q, %v", removed, err)
	}
	// A missing directory has no temp files; that is not an error either.
	if removed, err := RemoveStaleTemps(filepath.Join(dir, "missing")); err != nil || len(removed) != 0 {
		t.Errorf("missing dir: %q, %v", removed, err)
	}
	// Write still works after cleanup and leaves no temp of its own.
	if err := os.Remove(filepath.Join(dir, ".status-dir.tmp")); err != nil {
		t.Fatal(err)
	}
	if err := Write(dir, &Status{LastError: "x"}); err != nil {
		t.Fatal(err)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, tempPattern)); len(m) != 0 {
		t.Errorf("Write left %q", m)
	}
}
