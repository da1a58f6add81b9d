package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	iofs "io/fs"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/ldapidm/ldapidm/cache"
)

// fileInfo is what info reports about one cache file. Present is false when
// the file does not exist (shadow.db when no shadow map is served).
type fileInfo struct {
	Path    string `json:"path"`
	Present bool   `json:"present"`
	Mode    string `json:"mode,omitempty"` // octal, e.g. "0640"
	UID     uint32 `json:"uid"`
	GID     uint32 `json:"gid"`
	Size    int64  `json:"size"`
}

type infoOut struct {
	Dir        string    `json:"dir"`
	Generation int64     `json:"generation"`
	BuiltAt    time.Time `json:"built_at"`
	AgeSeconds int64     `json:"age_seconds"`
	Source     string    `json:"source"`
	Users      int       `json:"users"`
	Groups     int       `json:"groups"`
	Members    int       `json:"members"`
	Shadow     int       `json:"shadow"`
	Main       fileInfo  `json:"main"`
	ShadowFile fileInfo  `json:"shadow_file"`
}

// cmdInfo prints the live cache's meta (read with cache.ReadMeta, not the
// module: it must work for a cache the module would refuse) and the files'
// modes and owners.
func cmdInfo(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("info", stderr)
	dir := fs.String("cachedir", defaultCacheDir(), "cache directory")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return exitError
	}
	if len(pos) > 0 {
		return fail(stderr, "info: unexpected argument %q", pos[0])
	}
	m, err := cache.ReadMeta(*dir)
	if errors.Is(err, iofs.ErrNotExist) {
		return fail(stderr, "info: no cache in %s", *dir)
	}
	if err != nil {
		return fail(stderr, "info: %v", err)
	}
	out := infoOut{
		Dir: *dir, Generation: m.Generation, BuiltAt: m.BuiltAt, Source: m.Source,
		AgeSeconds: int64(time.Since(m.BuiltAt).Seconds()),
		Users:      m.Users, Groups: m.Groups, Members: m.Members, Shadow: m.Shadow,
		Main:       statFile(filepath.Join(*dir, cache.MainFile)),
		ShadowFile: statFile(filepath.Join(*dir, cache.ShadowFile)),
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			return fail(stderr, "info: %v", err)
		}
		return exitOK
	}
	fmt.Fprintf(stdout, "dir:        %s\ngeneration: %d\nbuilt_at:   %s\nage:        %s\nsource:     %s\n",
		out.Dir, out.Generation, out.BuiltAt.Format(time.RFC3339), time.Duration(out.AgeSeconds)*time.Second, out.Source)
	fmt.Fprintf(stdout, "users:      %d\ngroups:     %d\nmembers:    %d\nshadow:     %d\n", out.Users, out.Groups, out.Members, out.Shadow)
	for _, f := range []fileInfo{out.Main, out.ShadowFile} {
		if !f.Present {
			fmt.Fprintf(stdout, "file:       %s (absent)\n", f.Path)
			continue
		}
		fmt.Fprintf(stdout, "file:       %s mode %s owner %d:%d size %d\n", f.Path, f.Mode, f.UID, f.GID, f.Size)
	}
	return exitOK
}

func statFile(path string) fileInfo {
	fi := fileInfo{Path: path}
	st, err := os.Stat(path)
	if err != nil {
		return fi
	}
	fi.Present = true
	fi.Mode = fmt.Sprintf("%04o", st.Mode().Perm())
	fi.Size = st.Size()
	if sys, ok := st.Sys().(*syscall.Stat_t); ok {
		fi.UID, fi.GID = sys.Uid, sys.Gid
	}
	return fi
}
