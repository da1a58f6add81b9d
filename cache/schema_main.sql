-- ldapidm cache, main file (cache.db): passwd and group maps.
--
-- Contract shared by the Go writer (cache/) and the C reader (c/):
--   * PRAGMA user_version = 1. The reader refuses any other version, so a
--     schema change must bump it (and teach the reader) in the same commit.
--   * meta.kind = 'main'. The reader refuses a shadow file published here.
--   * The file is built whole beside the live one and renamed into place; it
--     is never modified after publication, which is why readers may open it
--     with immutable=1 (no locks, no journal look-ups).
--   * journal_mode is DELETE (never WAL): a WAL file cannot be read by an
--     unprivileged reader without its -shm, and immutable=1 ignores a WAL.
--   * Names and text fields never contain ':', ',' (names), '\n' or control
--     characters: the refresher validates at ingest, the writer re-checks.
PRAGMA user_version = 1;

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
CREATE TABLE passwd (
    id     INTEGER PRIMARY KEY,
    name   TEXT    NOT NULL UNIQUE,
    passwd TEXT    NOT NULL,                 -- 'x': hashes live in shadow.db
    uid    INTEGER NOT NULL UNIQUE CHECK (uid BETWEEN 0 AND 4294967294),
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
