package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/ldapidm/ldapidm/cache"
)

// newFlags makes a subcommand's flag set; errors go to stderr once, by us.
func newFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("ldapidm "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// defaultCacheDir is $LDAPIDM_CACHE_DIR when set (the directory the module
// itself honours), else cache.DefaultDir.
func defaultCacheDir() string {
	if d := os.Getenv("LDAPIDM_CACHE_DIR"); d != "" {
		return d
	}
	return cache.DefaultDir
}

// parseInterspersed lets flags follow positional arguments
// ("lookup passwd alice --cachedir D"), which flag.Parse alone does not.
// After "--" everything is positional.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		// flag stops at the first non-flag or after "--"; in the latter
		// case the previous argument was "--".
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

func fail(stderr io.Writer, format string, a ...any) int {
	fmt.Fprintf(stderr, "ldapidm: "+format+"\n", a...)
	return exitError
}
