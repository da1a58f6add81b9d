-- ldapidm cache, main file (cache.db): passwd and group maps.
--
-- Contract shared by the Go writer (cache/) and the C reader (c/):
--   * PRAGMA user_version = 3. The reader accepts 3, 2 and 1 and refuses any
--     other, so a schema change must bump it (and teach the reader) in the
--     same commit. Version 2 is this schema without passwd_name and
--     passwd_uid, with passwd.name and passwd.uid UNIQUE (getpwnam and
--     getpwuid read the row through those indexes);
--     version 1 is version 2 without the *_block tables (enumerated row by
--     row). A host upgraded while its directory was unreachable keeps
--     serving its old file. Upgrade the module before the refresher: an
--     older module refuses a newer file (UNAVAIL).
--   * meta.kind = 'main'. The reader refuses a shadow file published here.
--   * The file is built whole beside the live one and renamed into place; it
--     is never modified after publication, which is why readers may open it
--     with immutable=1 (no locks, no journal look-ups).
--   * journal_mode is DELETE (never WAL): a WAL file cannot be read by an
--     unprivileged reader without its -shm, and immutable=1 ignores a WAL.
--   * Names and text fields never contain ':', ',' (names), '\n' or control
--     characters: the refresher validates at ingest, the writer re-checks.
PRAGMA user_version = 3;

CREATE TABLE meta (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
) WITHOUT ROWID;
-- keys: kind ('main'), generation (decimal, increases by one per publish),
--       built_at (RFC 3339 UTC), source (free text), users, groups, members
--       (decimal counts, verified against the tables before publishing),
--       shadow (entries in the shadow.db published with this generation;
--       0 when none: lets `ldapidm info` report it without reading shadow.db).

-- rowid order is enumeration order (getpwent), the order the writer inserted.
-- name and uid are unique (the writer guarantees it) but not indexed:
-- getpwnam and getpwuid read passwd_name and passwd_uid, and an index nobody
-- reads only costs every publish.
CREATE TABLE passwd (
    id     INTEGER PRIMARY KEY,
    name   TEXT    NOT NULL,
    passwd TEXT    NOT NULL,                 -- 'x': hashes live in shadow.db
    uid    INTEGER NOT NULL CHECK (uid BETWEEN 0 AND 4294967294),
    gid    INTEGER NOT NULL CHECK (gid BETWEEN 0 AND 4294967294),
    gecos  TEXT    NOT NULL,
    dir    TEXT    NOT NULL,
    shell  TEXT    NOT NULL
);

-- members is the member list exactly as /etc/group spells it (names joined
-- by ','), so getgrnam of a 5,000-member group reads one row; nmembers is its
-- element count, so the reader can size gr_mem without a second pass.
CREATE TABLE grp (
    id       INTEGER PRIMARY KEY,
    name     TEXT    NOT NULL UNIQUE,
    passwd   TEXT    NOT NULL,
    gid      INTEGER NOT NULL UNIQUE CHECK (gid BETWEEN 0 AND 4294967294),
    members  TEXT    NOT NULL,
    nmembers INTEGER NOT NULL CHECK (nmembers >= 0)
);

-- member -> gid, the index initgroups_dyn walks so that `id` and logins
-- never enumerate every group. Must hold exactly the pairs grp.members lists.
CREATE TABLE member (
    name TEXT    NOT NULL,
    gid  INTEGER NOT NULL,
    PRIMARY KEY (name, gid)
) WITHOUT ROWID;

-- Packed blocks (version 2): the same passwd and group entries again, many
-- per BLOB, so that enumeration (getpwent, getgrent) reads a few hundred
-- blobs instead of stepping 100,000 rows at SQLite's per-row, per-column
-- cost. Point lookups never read them. The C reader: c/enum.c, c/pack.c;
-- the writer: cache/block.go; the format is also in c/ldapidm.h.
--
--   * Concatenating the entries of the blocks in id order gives exactly the
--     rows of passwd (grp) in id order, field for field (grp.members as
--     stored; nmembers is not repeated: the reader counts the ','s).
--   * A block: u32 count (>= 1), then count entries back to back, nothing
--     after the last. An entry: fixed numbers, one u32 byte length per
--     string field, then each string followed by one NUL byte:
--       passwd  u32 uid, u32 gid;  name passwd gecos dir shell
--       grp     u32 gid;           name passwd members
--       shadow  i64 lastchg min max warn inact expire flag (-1: empty);
--                                  name passwd          (shadow.db)
--   * Integers little-endian, unaligned (the reader assembles them byte by
--     byte); lengths exclude the NUL; ids 0 .. 2^32-2.
--   * Size: the writer closes a block once it holds about 16 KiB (an entry
--     larger than that gets a block of its own); a blob is bounded by
--     SQLite's maximum length, so every count and length fits in u32.
--   * The reader treats a blob as hostile: any length overrunning it, a
--     missing NUL, a count of 0 or trailing bytes end that enumeration
--     with UNAVAIL; it never reads outside the blob.
CREATE TABLE passwd_block (
    id   INTEGER PRIMARY KEY,
    data BLOB NOT NULL
);
CREATE TABLE grp_block (
    id   INTEGER PRIMARY KEY,
    data BLOB NOT NULL
);

-- getpwnam's table (version 3): each user once more, in buckets of a few
-- consecutive users in the order of a hash of the name, so that a lookup is
-- one descent of an integer-keyed B-tree instead of a descent of a string
-- index and then of passwd (at 100,000 users a random hit went from ~2.0 to
-- ~1.1 us in a prototype, a repeated one from 1.1 to 0.56 us). The reader:
-- c/ (getpwnam_r on a version 3 file); the writer: cache/buckets.go.
--
--   * The key of a name is FNV-1a 64 of its bytes (offset basis
--     0xcbf29ce484222325, prime 0x100000001b3; for each byte h ^= b,
--     h *= prime), the 64-bit value read as a two's-complement integer.
--     Vectors: "" 0xcbf29ce484222325, "a" 0xaf63dc4c8601ec8c, "root"
--     0xa354fd1ff0c467c5, "alice" 0x508b2abb65a03907, "u000123"
--     0x1e7cf540703a6130.
--   * The users, in key order, are cut into buckets of four (more when
--     keys repeat: users with equal keys always share a bucket); id is the
--     key of a bucket's first user, so every user's key lies between its
--     bucket's id and the next bucket's. The bucket that can hold a name is
--     therefore the last one whose id is at most the name's key:
--         SELECT data FROM passwd_name WHERE id <= ?key ORDER BY id DESC LIMIT 1
--   * data is one block in the passwd_block format above (u32 count, then
--     the entries), names distinct; each entry equals the user's passwd row
--     field for field. The reader compares names byte for byte and treats
--     the blob as hostile, as for blocks: a malformed one makes that lookup
--     UNAVAIL. A name in no bucket, or not in its bucket, is NOTFOUND.
CREATE TABLE passwd_name (
    id   INTEGER PRIMARY KEY,
    data BLOB NOT NULL
);

-- getpwuid's table (version 3): the users once more in uid order, four to a
-- bucket under the uid of its first user, in the same block format: the
-- bucket that can hold uid u is the last one whose id is at most u
--     SELECT data FROM passwd_uid WHERE id <= ?uid ORDER BY id DESC LIMIT 1
-- and the reader picks the entry with that uid (uids distinct). As for
-- passwd_name, one integer-key descent replaces a descent of the uid index
-- and then of passwd.
CREATE TABLE passwd_uid (
    id   INTEGER PRIMARY KEY,
    data BLOB NOT NULL
);
