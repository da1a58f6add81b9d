// Command mkcache writes a synthetic ldapidm cache (cache.db, shadow.db)
// and, with -text, the getent-format expectations beside it. It exists for
// c/tests/run.sh and for benchmarks (-from: the same data as a passwd,
// group and shadow file, at any schema version); Go tests call package
// testcache directly.
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
	from := flag.String("from", "", "read passwd, group and shadow (files(5) format) from this directory instead of -users/-groups")
	text := flag.String("text", "", "also write getent-format expectations into this directory")
	version := flag.Int("version", testcache.Current, "schema version to write: 1 (rows), 2 (+ packed blocks), 3 (+ name and uid buckets)")
	damage := flag.String("damage", "", "damage the packed blocks this way (testcache.Damages); \"list\" prints the names")
	bucket := flag.String("damage-bucket", "", "damage the first user's name bucket this way (version 3; testcache.BucketDamage); \"list\" prints the names")
	uidBucket := flag.String("damage-uid-bucket", "", "damage the uid bucket holding the first user this way (version 3; testcache.UIDBucketDamage); \"list\" prints the names")
	intact := flag.Bool("intact", false, "print how many entries of each map precede the block -damage breaks, and exit")
	flag.Parse()
	if *damage == "list" {
		for _, n := range testcache.DamageNames() {
			fmt.Println(n)
		}
		return
	}
	if *bucket == "list" {
		for _, n := range testcache.BucketDamageNames() {
			fmt.Println(n)
		}
		return
	}
	if *uidBucket == "list" {
		for _, n := range testcache.UIDBucketDamageNames() {
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
	if *from != "" {
		var err error
		if f, err = testcache.ReadText(*from, *gen); err != nil {
			fail(err)
		}
	}
	if err := testcache.BuildVersion(*dir, f, *version); err != nil {
		fail(err)
	}
	if *damage != "" {
		if err := testcache.Damage(*dir, *damage); err != nil {
			fail(err)
		}
	}
	if *bucket != "" {
		if *version < 3 || len(f.Users) == 0 {
			fail(fmt.Errorf("-damage-bucket needs -version 3 and a user"))
		}
		if err := testcache.BucketDamage(*dir, *bucket, f.Users[0]); err != nil {
			fail(err)
		}
	}
	if *uidBucket != "" {
		if *version < 3 || len(f.Users) == 0 {
			fail(fmt.Errorf("-damage-uid-bucket needs -version 3 and a user"))
		}
		if _, err := testcache.UIDBucketDamage(*dir, *uidBucket, f.Users, f.Users[0]); err != nil {
			fail(err)
		}
	}
	if *text != "" {
		if err := testcache.WriteText(*text, f); err != nil {
			fail(err)
		}
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "mkcache:", err)
	os.Exit(1)
}
