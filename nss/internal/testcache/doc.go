// Package testcache builds ldapidm cache files for the read-path tests of
// nss/ and c/tests/, without depending on the production writer: it runs
// cache/schema_main.sql and cache/schema_shadow.sql (read at run time, so a
// schema change shows up here at once), reshapes what they create into the
// schema version asked for (1, 2 or 3; Build writes 3, the module reads all
// three: schema.go), and follows the publication rules — build beside the
// live file with journal_mode=DELETE, close, chmod, rename. Version 3's name
// and uid buckets are encoded here from the contract (buckets.go,
// uidbuckets.go); PutBucket, PutUIDBucket, BucketDamage and UIDBucketDamage
// hand-build the ones a writer never would.
//
// Synthetic returns a deliberately awkward but schema-valid population
// (one-letter and '$' names, the largest uid, empty gecos and shell, UTF-8,
// a 4,000-byte gecos, a 5,000-member group, an empty group, shadow rows with
// every numeric field empty or set). Every entry carries its generation tag
// in its home directory and group password, and group membership depends on
// the generation, so a test can tell whether an answer mixes generations.
//
// WriteText writes the same data as getent(1) prints it (passwd, group,
// shadow, initgroups), which is what the C harnesses and getent tests
// compare against; ReadText reads files(5) data back (mkcache -from, for
// benchmarks on bench/gendata.py's data set).
package testcache
