package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/ldapidm/ldapidm/nss"
)

// cmdLookup answers like getent, through package nss: the module's own C
// read path, so what it prints is what glibc would return.
func cmdLookup(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("lookup", stderr)
	dir := fs.String("cachedir", "", "cache directory (default: $LDAPIDM_CACHE_DIR or "+defaultCacheDir()+")")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return exitError
	}
	if len(pos) < 1 || len(pos) > 2 {
		return fail(stderr, "lookup: want passwd|group|shadow|initgroups [KEY]")
	}
	if *dir != "" {
		nss.SetCacheDir(*dir)
	}
	w := bufio.NewWriter(stdout)
	defer w.Flush()
	db, key := pos[0], ""
	if len(pos) == 2 {
		key = pos[1]
	}
	var found bool
	switch {
	case db == "passwd" && key == "":
		err = enumerate(w, nss.Users, formatPasswd)
		found = true
	case db == "group" && key == "":
		err = enumerate(w, nss.Groups, formatGroup)
		found = true
	case db == "shadow" && key == "":
		err = enumerate(w, nss.Shadows, formatShadow)
		found = true
	case db == "passwd":
		var pw nss.Passwd
		if id, ok := numeric(key); ok {
			pw, err = nss.LookupUserID(id)
		} else {
			pw, err = nss.LookupUser(key)
		}
		found = printIf(w, err, formatPasswd(pw))
	case db == "group":
		var g nss.Group
		if id, ok := numeric(key); ok {
			g, err = nss.LookupGroupID(id)
		} else {
			g, err = nss.LookupGroup(key)
		}
		found = printIf(w, err, formatGroup(g))
	case db == "shadow":
		// shadow has no ids; names are never all digits, so a numeric key
		// simply finds nothing.
		sp, e := nss.LookupShadow(key)
		err = e
		found = printIf(w, err, formatShadow(sp))
	case db == "initgroups":
		if key == "" {
			return fail(stderr, "lookup: initgroups needs a user name")
		}
		found, err = initgroups(w, key)
	default:
		return fail(stderr, "lookup: unknown database %q (passwd, group, shadow, initgroups)", db)
	}
	switch {
	case errors.Is(err, nss.ErrNotFound) || (err == nil && !found):
		return exitNotFound
	case err != nil:
		w.Flush()
		return fail(stderr, "lookup: %v", err)
	}
	return exitOK
}

// numeric reports whether key is a decimal id, as getent decides.
func numeric(key string) (uint32, bool) {
	v, err := strconv.ParseUint(key, 10, 32)
	return uint32(v), err == nil
}

func printIf(w io.Writer, err error, line string) bool {
	if err != nil {
		return false
	}
	fmt.Fprintln(w, line)
	return true
}

func enumerate[T any](w io.Writer, all func() ([]T, error), format func(T) string) error {
	entries, err := all()
	if err != nil {
		return err
	}
	for _, e := range entries {
		fmt.Fprintln(w, format(e))
	}
	return nil
}

// initgroups prints "user gid gid …" like `getent initgroups`. The list
// comes from the cache's member index; the user may be local (a member of
// a directory group), so "not found" means: in no cached group and not a
// cached user either.
func initgroups(w io.Writer, user string) (bool, error) {
	// 4294967295 is never a gid, so nothing is skipped.
	gids, err := nss.GroupsOf(user, 4294967295)
	if err != nil {
		return false, err
	}
	if len(gids) == 0 {
		if _, err := nss.LookupUser(user); err != nil {
			return false, err
		}
	}
	fmt.Fprint(w, user)
	for _, g := range gids {
		fmt.Fprintf(w, " %d", g)
	}
	fmt.Fprintln(w)
	return true, nil
}
