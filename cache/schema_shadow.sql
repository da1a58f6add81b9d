-- ldapidm cache, shadow file (shadow.db): the shadow map, in its own file so
-- that it can be mode 0640 group shadow (or 0600) while cache.db is 0644.
-- Same publication rules and versions as schema_main.sql (version 3 changed
-- nothing here); meta.kind = 'shadow'.
PRAGMA user_version = 3;

CREATE TABLE meta (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
) WITHOUT ROWID;

-- NULL in a numeric column is an empty field in shadow(5), returned to glibc
-- as -1 (for flag: ~0UL). Never store 0 for "unknown": lastchg = 0 forces a
-- password change at the next login.
CREATE TABLE shadow (
    id      INTEGER PRIMARY KEY,
    name    TEXT    NOT NULL UNIQUE,
    passwd  TEXT    NOT NULL,                -- crypt(3) hash, or '*'
    lastchg INTEGER,
    min     INTEGER,
    max     INTEGER,
    warn    INTEGER,
    inact   INTEGER,
    expire  INTEGER,
    flag    INTEGER
);

-- Packed blocks of the shadow entries, as passwd_block in schema_main.sql
-- (the shadow entry layout is given there).
CREATE TABLE shadow_block (
    id   INTEGER PRIMARY KEY,
    data BLOB NOT NULL
);
