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
	v1 := flag.Bool("v1", false, "write a version 1 cache (no packed blocks)")
	damage := flag.String("damage", "", "damage the packed blocks this way (testcache.Damages); \"list\" prints the names")
	intact := flag.Bool("intact", false, "print how many entries of each map precede the block -damage breaks, and exit")
	flag.Parse()
	if *damage == "list" {
		for _, n := range testcache.DamageNames() {
			fmt.Println(n)
		}
		return
	}
	if *intact {
		fmt.Println(testcache.DeliveredBefore)
		return
	}
	if *dir == "" {
		fmt.Fprintln(os.Stderr, "mkcache: -dir is required")
		os.Exit(2)
	}
	f := testcache.Synthetic(*users, *groups, *gen)
	build := testcache.Build
	if *v1 {
		build = testcache.BuildV1
	}
	if err := build(*dir, f); err != nil {
		fmt.Fprintln(os.Stderr, "mkcache:", err)
		os.Exit(1)
	}
	if *damage != "" {
		if err := testcache.Damage(*dir, *damage); err != nil {
			fmt.Fprintln(os.Stderr, "mkcache:", err)
			os.Exit(1)
		}
	}
	if *text != "" {
		if err := testcache.WriteText(*text, f); err != nil {
			fmt.Fprintln(os.Stderr, "mkcache:", err)
			os.Exit(1)
		}
	}
}
