package cache

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"time"
)

// Stages at which Publish checks its context (and calls testHook). The
// main-* and shadow-* stages are reached on the two sides of a publication,
// which run at once (job.go).
const (
	stageLocked         = "locked"
	stageUsersInserted  = "users-inserted"  // main side, mid-transaction
	stageMainFilled     = "main-filled"     // main side, committed, not yet verified
	stageMainBuilt      = "main-built"      // main side, verified, final mode set
	stageShadowInserted = "shadow-inserted" // shadow side, mid-transaction
	stageShadowFilled   = "shadow-filled"   // shadow side, committed, not yet verified
	stageShadowBuilt    = "shadow-built"    // shadow side, verified, final mode set
	stageBeforeRename   = "before-rename"
	stageUnlocking      = "unlocking" // hook only: the lock is about to be released
)

// testHook, when set by a test, runs at each stage with the context that
// stage sees and the snapshot's Source, and may fail the stage with an
// error of its own. Tests use it to cancel a context or inject a failure at
// a known point, or to observe that publishers never overlap, without
// relying on timing. It is called from both sides of a publication at once.
var testHook func(ctx context.Context, stage, source string) error

func step(ctx context.Context, stage, source string) error {
	if testHook != nil {
		if err := testHook(ctx, stage, source); err != nil {
			return err
		}
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("cache: publish cancelled at %s: %w", stage, err)
	}
	return nil
}

func (o PublishOptions) withDefaults() PublishOptions {
	if o.Dir == "" {
		o.Dir = DefaultDir
	}
	// Negative, not zero, asks for the default: 0 is a real setting
	// (ldapidm.conf(5) `maxshrink 0`: refuse any loss).
	if o.MaxShrinkPct < 0 {
		o.MaxShrinkPct = DefaultMaxShrinkPct
	}
	if o.ShadowGroup == "" {
		o.ShadowGroup = "shadow"
	}
	if o.GroupFile == "" {
		o.GroupFile = "/etc/group"
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// Publish validates snap and makes it the live cache in opts.Dir, all or
// nothing (see the package documentation for every step and why).
func Publish(ctx context.Context, snap *Snapshot, opts PublishOptions) (*PublishResult, error) {
	opts = opts.withDefaults()
	if opts.MaxShrinkPct > 100 {
		return nil, fmt.Errorf("cache: MaxShrinkPct %d above 100 (0..100, or negative for the default %d)", opts.MaxShrinkPct, DefaultMaxShrinkPct)
	}
	if err := Validate(snap); err != nil {
		return nil, err
	}
	if err := ensureDir(opts.Dir); err != nil {
		return nil, err
	}
	lock, err := acquireLock(ctx, opts.Dir)
	if err != nil {
		return nil, err
	}
	defer func() {
		if testHook != nil {
			testHook(ctx, stageUnlocking, snap.Source)
		}
		lock.release()
	}()
	if err := step(ctx, stageLocked, snap.Source); err != nil {
		return nil, err
	}
	if err := removeStaleTemps(opts.Dir); err != nil {
		return nil, err
	}
	meta, err := nextMeta(snap, &opts)
	if err != nil {
		return nil, err
	}
	pub := &publication{dir: opts.Dir, snap: snap, meta: meta, opts: &opts}
	defer pub.cleanup()
	res, err := pub.run(ctx)
	if err != nil {
		return nil, err
	}
	slog.Info("cache published", "dir", opts.Dir, "generation", meta.Generation,
		"users", meta.Users, "groups", meta.Groups, "members", meta.Members, "shadow", meta.Shadow)
	return res, nil
}

// nextMeta reads the live cache for the generation and the shrink guard.
func nextMeta(snap *Snapshot, opts *PublishOptions) (*Meta, error) {
	live, err := ReadMeta(opts.Dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		live = nil
	case err != nil && opts.Force:
		// Replacing a broken cache is what Force is for; the generation
		// restarts, which readers do not depend on (they watch the inode).
		slog.Warn("cache replacing unreadable live cache", "dir", opts.Dir, "err", err)
		live = nil
	case err != nil:
		return nil, fmt.Errorf("%w (use force to replace it): %w", ErrUnreadableLive, err)
	}
	if !opts.Force {
		if err := checkShrink(live, snap, opts.MaxShrinkPct); err != nil {
			return nil, err
		}
	}
	m := &Meta{
		Generation: 1,
		BuiltAt:    opts.Now().UTC().Truncate(time.Second),
		Source:     snap.Source,
		Users:      len(snap.Users),
		Groups:     len(snap.Groups),
		Shadow:     len(snap.Shadow),
	}
	if live != nil {
		m.Generation = live.Generation + 1
	}
	for i := range snap.Groups {
		m.Members += len(dedupMembers(snap.Groups[i].Members))
	}
	return m, nil
}

// publication is one Publish under the lock: the files it prepares, so
// that any failure removes exactly their temp files.
type publication struct {
	dir  string
	snap *Snapshot
	meta *Meta
	opts *PublishOptions
	jobs []*fileJob
}

// cleanup removes every temp file the publication made and did not rename.
// It runs only after every side has returned (both.go), so no builder is
// still writing the file it removes.
func (p *publication) cleanup() {
	for _, j := range p.jobs {
		if j.tmp == "" {
			continue
		}
		// SQLite's rollback journal, if a failure left one, sits beside it.
		for _, f := range []string{j.tmp, j.tmp + "-journal"} {
			if err := os.Remove(f); err != nil && !errors.Is(err, fs.ErrNotExist) {
				slog.Warn("cache could not remove temp file", "path", f, "err", err)
			}
		}
	}
}

// run prepares cache.db and shadow.db at once, on two goroutines with their
// own connections (issue #3: the main file is the longer of the two, so the
// shadow file's build, verify and fsync come nearly free in wall time), and
// renames them only once both are complete, verified and fsynced. Either
// side failing cancels the other and fails the whole publication.
func (p *publication) run(ctx context.Context) (*PublishResult, error) {
	main := &fileJob{file: &mainFile}
	p.jobs = append(p.jobs, main)
	var shadow *fileJob
	var err error
	if p.snap.Shadow == nil {
		err = p.prepare(ctx, main)
	} else {
		shadow = &fileJob{file: &shadowFile}
		p.jobs = append(p.jobs, shadow)
		err = both(ctx,
			func(ctx context.Context) error { return p.prepare(ctx, main) },
			func(ctx context.Context) error { return p.prepare(ctx, shadow) })
	}
	if err != nil {
		return nil, err
	}
	if err := step(ctx, stageBeforeRename, p.snap.Source); err != nil {
		return nil, err
	}
	shadowTmp := ""
	if shadow != nil {
		shadowTmp = shadow.tmp
	}
	return p.rename(main.tmp, shadowTmp)
}
