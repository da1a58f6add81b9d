package cache

import (
	"context"
	"fmt"
	"os"
)

type builder func(ctx context.Context, path string, snap *Snapshot, meta *Meta) error

// fileJob is one file of a publication (cache.db or shadow.db): how to build
// it, what it must hold, and the temp file it was built in. The two jobs of
// a publication share nothing they write, so they run at once (both.go).
type fileJob struct {
	final  string         // MainFile or ShadowFile
	kind   string         // meta kind verifyFile checks
	want   map[string]int // counts verifyFile checks
	build  builder
	mode   func(tmp string) (os.FileMode, int, error) // final mode and group
	filled string                                     // stage once committed
	built  string                                     // stage once verified, mode set
	// tmp is set as soon as the temp file exists, so cleanup removes it
	// whatever happens next; only this job's goroutine writes it, and
	// cleanup reads it after that goroutine has returned.
	tmp string
}

// prepare leaves j's temp file ready to rename: created, filled in one
// transaction, verified through a fresh read-only connection, given its
// final owner and mode, and fsynced. Every connection it opens is its own:
// SQLite connections are never shared between the two jobs.
func (p *publication) prepare(ctx context.Context, j *fileJob) error {
	tmp, err := createTemp(p.dir, j.final)
	if err != nil {
		return err
	}
	j.tmp = tmp
	if err := j.build(ctx, tmp, p.snap, p.meta); err != nil {
		return err
	}
	if err := step(ctx, j.filled, p.snap.Source); err != nil {
		return err
	}
	if err := verifyFile(ctx, tmp, j.kind, j.want); err != nil {
		return err
	}
	// A journal left after a successful commit would mean SQLite did not
	// finish; the published file must stand alone.
	if _, err := os.Lstat(tmp + "-journal"); err == nil {
		return fmt.Errorf("cache: %s-journal still present after commit", tmp)
	}
	mode, gid, err := j.mode(tmp)
	if err != nil {
		return err
	}
	if err := setOwnerMode(tmp, mode, gid); err != nil {
		return err
	}
	if err := step(ctx, j.built, p.snap.Source); err != nil {
		return err
	}
	// fsync after chmod/chown so the flush covers the final mode and owner
	// as well as the data; it happens before the other file is renamed,
	// as both must be durable before either is visible (rename.go).
	if err := fsyncPath(tmp); err != nil {
		return fmt.Errorf("cache: fsync %s: %w", tmp, err)
	}
	return nil
}
