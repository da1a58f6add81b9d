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

// Stages at which Publish checks its context (and calls testHook).
const (
	stageLocked        = "locked"
	stageUsersInserted = "users-inserted"
	stageMainBuilt     = "main-built"
	stageShadowBuilt   = "shadow-built"
	stageBeforeRename  = "before-rename"
	stageUnlocking     = "unlocking" // hook only: the lock is about to be released
)

// testHook, when set by a test, runs at each stage with the snapshot's
// Source. Tests use it to cancel a context at a known point, or to observe
// that publishers never overlap, without relying on timing.
var testHook func(stage, source string)

func step(ctx context.Context, stage, source string) error {
	if testHook != nil {
		testHook(stage, source)
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
			testHook(stageUnlocking, snap.Source)
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

// publication is one Publish under the lock: the temp files it made, so
// that any failure removes exactly those.
type publication struct {
	dir  string
	snap *Snapshot
	meta *Meta
	opts *PublishOptions
	tmps []string
}

func (p *publication) cleanup() {
	for _, t := range p.tmps {
		// SQLite's rollback journal, if a failure left one, sits beside it.
		for _, f := range []string{t, t + "-journal"} {
			if err := os.Remove(f); err != nil && !errors.Is(err, fs.ErrNotExist) {
				slog.Warn("cache could not remove temp file", "path", f, "err", err)
			}
		}
	}
}

func (p *publication) run(ctx context.Context) (*PublishResult, error) {
	mainTmp, err := p.buildOne(ctx, MainFile, kindMain, map[string]int{
		"users": p.meta.Users, "groups": p.meta.Groups, "members": p.meta.Members,
	}, buildMain)
	if err != nil {
		return nil, err
	}
	if err := setOwnerMode(mainTmp, modeMain, 0); err != nil {
		return nil, err
	}
	if err := step(ctx, stageMainBuilt, p.snap.Source); err != nil {
		return nil, err
	}
	shadowTmp := ""
	if p.snap.Shadow != nil {
		if shadowTmp, err = p.buildOne(ctx, ShadowFile, kindShadow, map[string]int{"shadow": p.meta.Shadow}, buildShadow); err != nil {
			return nil, err
		}
		mode, gid, err := shadowOwnerMode(shadowTmp, p.opts)
		if err != nil {
			return nil, err
		}
		if err := setOwnerMode(shadowTmp, mode, gid); err != nil {
			return nil, err
		}
		if err := step(ctx, stageShadowBuilt, p.snap.Source); err != nil {
			return nil, err
		}
	}
	// fsync after chmod/chown so the flush covers the final mode and owner
	// as well as the data.
	for _, t := range []string{mainTmp, shadowTmp} {
		if t == "" {
			continue
		}
		if err := fsyncPath(t); err != nil {
			return nil, fmt.Errorf("cache: fsync %s: %w", t, err)
		}
	}
	if err := step(ctx, stageBeforeRename, p.snap.Source); err != nil {
		return nil, err
	}
	return p.rename(mainTmp, shadowTmp)
}

type builder func(ctx context.Context, path string, snap *Snapshot, meta *Meta) error

// buildOne creates a temp file for final, fills it and verifies it.
func (p *publication) buildOne(ctx context.Context, final, kind string, want map[string]int, build builder) (string, error) {
	tmp, err := createTemp(p.dir, final)
	if err != nil {
		return "", err
	}
	p.tmps = append(p.tmps, tmp)
	if err := build(ctx, tmp, p.snap, p.meta); err != nil {
		return "", err
	}
	if err := verifyFile(ctx, tmp, kind, want); err != nil {
		return "", err
	}
	// A journal left after a successful commit would mean SQLite did not
	// finish; the published file must stand alone.
	if _, err := os.Lstat(tmp + "-journal"); err == nil {
		return "", fmt.Errorf("cache: %s-journal still present after commit", tmp)
	}
	return tmp, nil
}
