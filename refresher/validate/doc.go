// Package validate is the refresher's ingest gate: every user, group and
// shadow entry mapped from LDAP passes through it before it can reach a
// snapshot, because anything that reaches cache.db is served verbatim as a
// passwd/group/shadow line to every process on the host.
//
// Contract:
//   - Nothing is dropped silently. Each refused entry (or refused group
//     member value) becomes one Rejection naming its DN, map, name and the
//     reason; everything valid is still published.
//   - Field rules (fields.go) refuse what would corrupt a line or let
//     someone in: ':' (field separator), ',' in names (member separator),
//     newline and other control characters, names outside the valid-name
//     pattern, non-numeric or out-of-range ids, uid/gid 0, and values over
//     the size limits below.
//   - Set rules (sets.go, one implementation for users and groups in
//     resolve.go) make the outcome independent of the order servers return
//     entries: duplicates are resolved by a fixed rule (first directory in
//     the configuration, then the lowest normalised DN in byte order wins;
//     the rest are rejected), and names or ids that collide with
//     local accounts (read from files, never through NSS, which could
//     recurse into our own module) are rejected or fail the pull per the
//     configured CollisionPolicy.
//
// Limits and where they come from:
//   - Names: ^[a-z_][a-z0-9_.-]*[$]?$ and at most 32 bytes. This is
//     shadow-utils' is_valid_user_name (lowercase, digits, '_', '-', a
//     trailing '$' for Samba machine accounts) plus '.', which Debian's
//     adduser and most directories accept (first.last); 32 is utmp's
//     ut_user size, so longer names would be truncated (and could become
//     indistinguishable) in utmp/wtmp/lastlog. A name never starts with a
//     digit or '-', so it cannot be mistaken for a uid or an option.
//   - A passwd entry's strings (name, passwd, gecos, dir, shell, each with
//     its NUL) fit in 1024 bytes, glibc's NSS_BUFLEN_PASSWD, which is what
//     sysconf(_SC_GETPW_R_SIZE_MAX) returns: many programs size their
//     getpwnam_r buffer from it once and never retry on ERANGE, so a bigger
//     entry would make the user unresolvable for them. The same bound holds
//     for a shadow entry's strings (name and hash).
//   - Groups have no size limit on members (glibc grows its buffer for
//     group lookups, and 5,000-member groups are normal); each member must
//     itself be a valid name.
package validate
