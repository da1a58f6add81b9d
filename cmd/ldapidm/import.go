package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/ldapidm/ldapidm/cache"
)

// cmdImport loads passwd/group[/shadow] files or a JSON document and
// publishes them with cache.Publish: the same validation, guard and
// all-or-nothing rename the refresher uses.
func cmdImport(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("import", stderr)
	dir := fs.String("cachedir", defaultCacheDir(), "cache directory")
	force := fs.Bool("force", false, "publish even an empty or sharply shrunk map")
	maxShrink := fs.Int("maxshrink", cache.DefaultMaxShrinkPct, "refuse a map losing more than this `percent` of its entries, 0 to 100 (0 refuses any loss)")
	passwd := fs.String("passwd", "", "passwd(5) file")
	group := fs.String("group", "", "group(5) file")
	shadow := fs.String("shadow", "", "shadow(5) file (optional; without it no shadow map is served)")
	jsonFile := fs.String("json", "", "JSON snapshot (see cache.LoadJSON)")
	source := fs.String("source", "", "text recorded as meta.source (default: the files' names)")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return exitError
	}
	if len(pos) > 0 {
		return fail(stderr, "import: unexpected argument %q", pos[0])
	}
	// cache.Publish reads a negative value as "the default"; on the command
	// line it can only be a typo.
	if *maxShrink < 0 || *maxShrink > 100 {
		return fail(stderr, "import: --maxshrink %d outside 0..100", *maxShrink)
	}
	snap, origin, paths, err := loadSnapshot(*passwd, *group, *shadow, *jsonFile)
	if err != nil {
		return fail(stderr, "import: %v", named(err, paths))
	}
	if *source != "" {
		snap.Source = *source
	}
	// Ctrl-C during a publish leaves the live cache as it was and no
	// temp file behind: Publish cleans up on cancellation.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// Publish is where the entries are validated (the loaders only
	// parse); origin names the line or element of an entry it refuses.
	res, err := cache.Publish(ctx, snap, cache.PublishOptions{Dir: *dir, Force: *force, MaxShrinkPct: *maxShrink})
	if err != nil {
		return fail(stderr, "import: %v", named(origin.Place(err), paths))
	}
	m := res.Meta
	shadowNote := "no shadow map"
	if res.ShadowPath != "" {
		shadowNote = fmt.Sprintf("%d shadow entries", m.Shadow)
	}
	fmt.Fprintf(stdout, "published generation %d to %s: %d users, %d groups, %d memberships, %s\n",
		m.Generation, *dir, m.Users, m.Groups, m.Members, shadowNote)
	return exitOK
}

// loadSnapshot parses the input files. paths maps the names a
// *cache.ParseError gives them ("passwd", "json", …) to the paths given.
func loadSnapshot(passwd, group, shadow, jsonFile string) (*cache.Snapshot, *cache.Origin, map[string]string, error) {
	switch {
	case jsonFile != "" && (passwd != "" || group != "" || shadow != ""):
		return nil, nil, nil, errors.New("--json excludes --passwd, --group and --shadow")
	case jsonFile != "":
		paths := map[string]string{"json": jsonFile}
		f, err := os.Open(jsonFile)
		if err != nil {
			return nil, nil, paths, err
		}
		defer f.Close()
		snap, origin, err := cache.LoadJSON(f)
		if err != nil {
			return nil, nil, paths, err
		}
		if snap.Source == "" {
			snap.Source = "import " + jsonFile
		}
		return snap, origin, paths, nil
	case passwd == "" || group == "":
		return nil, nil, nil, errors.New("need --passwd and --group, or --json")
	}
	paths := map[string]string{"passwd": passwd, "group": group, "shadow": shadow}
	names := []string{passwd, group}
	files := make([]*os.File, 0, 3)
	defer func() {
		for _, f := range files {
			f.Close()
		}
	}()
	for _, n := range append(names, shadow) {
		if n == "" {
			continue
		}
		f, err := os.Open(n)
		if err != nil {
			return nil, nil, paths, err
		}
		files = append(files, f)
	}
	var sr io.Reader
	if shadow != "" {
		sr = files[2]
		names = append(names, shadow)
	}
	snap, origin, err := cache.LoadFiles(files[0], files[1], sr)
	if err != nil {
		return nil, nil, paths, err
	}
	snap.Source = "import " + strings.Join(names, " ")
	return snap, origin, paths, nil
}

// named gives a *cache.ParseError the path the operator typed:
// "/srv/x/passwd:12: …", "/srv/x/snap.json: users[3]: …". Other errors
// are returned as they are.
func named(err error, paths map[string]string) error {
	var pe *cache.ParseError
	if !errors.As(err, &pe) || paths[pe.File] == "" {
		return err
	}
	if pe.Line > 0 {
		return fmt.Errorf("%s:%d: %s", paths[pe.File], pe.Line, pe.Msg)
	}
	return fmt.Errorf("%s: %s", paths[pe.File], pe.Msg)
}
