// Package cache owns the on-disk cache that the NSS module reads: the schema
// (schema_main.sql, schema_shadow.sql, embedded here), the model types, the
// writer (Publish), and loaders for passwd/group/shadow files and JSON.
//
// Contract of Publish (STYLE.md habit 4, the schema files' header comments):
//
//   - Publishers never interleave: the whole publish holds an exclusive
//     flock(2) on <dir>/.publish.lock. Temp files a killed publisher left
//     behind (.cache.db.tmp-*, .shadow.db.tmp-*) are removed under that lock.
//   - Nothing that would corrupt a passwd/group/shadow line reaches a file:
//     Validate re-checks every name and field even though the refresher has
//     validated first, and refuses the whole snapshot with *InvalidError.
//   - A live cache is never modified. Each file is built whole at a temp name
//     (O_EXCL, 0600, journal_mode=DELETE, one transaction), verified through a
//     fresh read-only connection, fsynced, given its final owner and mode, and
//     renamed into place; then the directory is fsynced. The two files are
//     prepared at once, each on its own goroutine with its own connections
//     (job.go, both.go); nothing is renamed until both are complete,
//     verified and fsynced, and a failure of either cancels and awaits the
//     other. shadow.db is renamed before cache.db (see rename.go: every
//     user a login finds in the new passwd already has its hash in
//     shadow.db). Each file is therefore always one
//     complete generation, but the two are two renames, not one: for an
//     instant (or, if the second rename fails, until the next publish)
//     shadow.db may be one generation ahead of cache.db.
//   - All or nothing: on any error or context cancellation the temp files are
//     removed and the live files are left exactly as they were.
//   - The generation is the live one plus one (1 when there is none), so
//     readers and `ldapidm info` can tell publications apart.
//   - An empty users or groups map, or one that shrinks by more than
//     MaxShrinkPct against the live cache, is refused with *ShrinkError
//     unless Force is set (ypldap's empty-but-successful search, nsscache's
//     "only refuses empty" gap). "Empty" means emptying: a map already
//     empty in the live cache may stay empty (a directory without groups),
//     and with no live cache only an empty users map is refused.
//     MaxShrinkPct is the percentage of a map's entries that may be lost,
//     0..100: 0 refuses any loss, 100 any loss short of empty; a negative
//     value asks for DefaultMaxShrinkPct (20), above 100 is an error. So
//     the zero PublishOptions has the strictest guard, never a silent 20.
//
// Validation rules (Validate), chosen so a line can always be rebuilt
// unambiguously and nobody is let in by accident:
//
//   - Names: non-empty, valid UTF-8, no ':' ',' whitespace or control
//     character, not starting with '+' or '-' (compat-mode markers in
//     /etc/passwd), not all digits (tools take a numeric argument for an id).
//   - Other text fields: no ':', '\n' or control character (gecos may hold
//     ',' — its sub-field separator).
//   - uid and gid in 1..4294967294: 4294967295 is (uid_t)-1, "no id" to
//     chown(2) and setreuid(2); 0 is root, which a directory must never serve.
//   - A user's password field is never empty (a login without password) and
//     never a crypt hash ('$…'), which would be world-readable in cache.db.
//     A shadow entry's password is never empty either.
//   - Names and ids are unique within each map; shadow names must be users
//     of the same snapshot (a hash for nobody is refused rather than kept).
//   - Group members are valid names; duplicates within a group are dropped
//     at write time, first occurrence kept. Members need not be users of
//     the snapshot (local users may be members of directory groups).
//   - Shadow day counts are Unset (-1, stored as NULL) or >= 0.
package cache
