// Command mkcache writes a synthetic ldapidm cache (cache.db, shadow.db)
// and, with -text, the getent-format expectations beside it. It exists for
// c/tests/run.sh; Go tests call package testcache directly.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/ldapidm/ldapidm/nss/internal/testcache"
)

func main() {
	dir := flag.String("dir", "", "directory to publish into (must exist)")
	users := flag.Int("users", 6000, "number of users")
	groups := flag.Int("groups", 40, "number of ordinary groups")
	gen := flag.String("gen", "A", "generation tag")
	text := flag.String("text", "", "also write getent-format expectations into this directory")
	flag.Parse()
	if *dir == "" {
		fmt.Fprintln(os.Stderr, "mkcache: -dir is required")
		os.Exit(2)
	}
	f := testcache.Synthetic(*users, *groups, *gen)
	if err := testcache.Build(*dir, f); err != nil {
		fmt.Fprintln(os.Stderr, "mkcache:", err)
		os.Exit(1)
	}
	if *text != "" {
		if err := testcache.WriteText(*text, f); err != nil {
			fmt.Fprintln(os.Stderr, "mkcache:", err)
			os.Exit(1)
		}
	}
}
