package cache

import (
	"context"
	"fmt"
	"os"
)

type builder func(ctx context.Context, path string, snap *Snapshot, meta *Meta) error

// cacheFile describes one file of the cache: how the writer builds it and
// what its meta rows count. It is the one home of those facts: publish.go
// makes a job of each file it writes, verifyFile checks exactly the counts
// listed here (meta row, tables, blocks) and ReadMeta reads cache.db's.
// The builders (build.go) still spell out the meta rows they write; a
// count listed here that a builder does not write fails verification, so
// it cannot be missed silently.
type cacheFile struct {
	final string // MainFile or ShadowFile
	kind  string // meta.kind, which verifyFile and the module check
	build builder
	// mode decides the built file's final mode and group.
	mode   func(tmp string, opts *PublishOptions) (os.FileMode, int, error)
	filled string // stage once committed
	built  string // stage once verified, mode set
	counts []metaCount
}

// metaCount is one count a file's meta rows record. verifyFile checks the
// meta row against the Meta field, then recounts it in the file's tables
// and, where the entries are also packed, in their blocks (block.go).
type metaCount struct {
	key     string           // meta key
	field   func(*Meta) *int // the Meta field that holds it
	recount []string         // queries that must find the same number
	blocks  *blockShape      // blocks holding one entry per counted row, or nil
	keyed   []*keyedTable    // bucket tables holding one entry per counted row
	// optional: ReadMeta accepts a cache.db without the row (written
	// before it existed).
	optional bool
}

var (
	mainFile = cacheFile{final: MainFile, kind: kindMain, build: buildMain,
		mode:   func(string, *PublishOptions) (os.FileMode, int, error) { return modeMain, 0, nil },
		filled: stageMainFilled, built: stageMainBuilt,
		counts: []metaCount{
			{key: "users", field: func(m *Meta) *int { return &m.Users },
				recount: []string{`SELECT count(*) FROM passwd`}, blocks: &shapePasswd, keyed: []*keyedTable{&passwdName, &passwdUID}},
			{key: "groups", field: func(m *Meta) *int { return &m.Groups },
				recount: []string{`SELECT count(*) FROM grp`}, blocks: &shapeGroup},
			// Recounted twice: the member index must hold exactly the
			// pairs grp.members lists, which is what initgroups (member
			// table) and getgrnam (grp row) each rely on.
			{key: "members", field: func(m *Meta) *int { return &m.Members },
				recount: []string{`SELECT count(*) FROM member`, `SELECT coalesce(sum(nmembers), 0) FROM grp`}},
			// The entries of the shadow.db published alongside (0: none),
			// for `ldapidm info`; cache.db has no table to recount it in.
			{key: "shadow", field: func(m *Meta) *int { return &m.Shadow }, optional: true},
		}}
	shadowFile = cacheFile{final: ShadowFile, kind: kindShadow, build: buildShadow,
		mode:   shadowOwnerMode,
		filled: stageShadowFilled, built: stageShadowBuilt,
		counts: []metaCount{
			{key: "shadow", field: func(m *Meta) *int { return &m.Shadow },
				recount: []string{`SELECT count(*) FROM shadow`}, blocks: &shapeShadow},
		}}
)

// fileOfKind is the description of the files of meta kind kind, or nil.
func fileOfKind(kind string) *cacheFile {
	for _, f := range [...]*cacheFile{&mainFile, &shadowFile} {
		if f.kind == kind {
			return f
		}
	}
	return nil
}

// want is what f's counts must be for a publication of m.
func (f *cacheFile) want(m *Meta) map[string]int {
	w := make(map[string]int, len(f.counts))
	for _, c := range f.counts {
		w[c.key] = *c.field(m)
	}
	return w
}

// fileJob is one file of a publication (cache.db or shadow.db) and the
// temp file it was built in. The two jobs of a publication share nothing
// they write, so they run at once (both.go).
type fileJob struct {
	file *cacheFile
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
	f := j.file
	tmp, err := createTemp(p.dir, f.final)
	if err != nil {
		return err
	}
	j.tmp = tmp
	if err := f.build(ctx, tmp, p.snap, p.meta); err != nil {
		return err
	}
	if err := step(ctx, f.filled, p.snap.Source); err != nil {
		return err
	}
	if err := verifyFile(ctx, tmp, f.kind, f.want(p.meta)); err != nil {
		return err
	}
	// A journal left after a successful commit would mean SQLite did not
	// finish; the published file must stand alone.
	if _, err := os.Lstat(tmp + "-journal"); err == nil {
		return fmt.Errorf("cache: %s-journal still present after commit", tmp)
	}
	mode, gid, err := f.mode(tmp, p.opts)
	if err != nil {
		return err
	}
	if err := setOwnerMode(tmp, mode, gid); err != nil {
		return err
	}
	if err := step(ctx, f.built, p.snap.Source); err != nil {
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
