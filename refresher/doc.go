// Package refresher turns the configured LDAP directories into one
// cache.Snapshot and keeps the cache fresh.
//
// Pull (pull.go) is one complete read of every directory: connect and bind
// (ldapsrc), paged searches for users and groups, mapping of entries to
// passwd/group/shadow values (mapping.go), RFC 2307bis member resolution
// and nesting (mapping_members.go), and ingest validation (validate).
//
// Contract of Pull:
//   - All or nothing: if any directory fails (every server of it, or any
//     page of any search), Pull returns an error and no snapshot; the
//     caller keeps serving the last good cache ("trash the update", as
//     ypldap does). Result is still returned, with the per-directory
//     reports gathered so far, for the status file.
//   - A directory whose user search succeeds with no entries fails the
//     pull (*EmptyDirectoryError, naming the directory and base) unless
//     PullOptions.AllowEmpty is set (RefreshOnce sets it when forced): an
//     ACL change or a wrong basedn must not silently drop a directory's
//     users.
//   - Failover within a pull: when a search fails on a server (any error,
//     or the connection lost mid-paging), that server's partial results
//     are discarded and the directory's searches start again from scratch
//     on the next configured server or address; entries from two servers
//     are never mixed in one directory. The directory fails only when
//     every server has failed; DirectoryReport.Server names the one that
//     answered.
//   - Invalid entries do not fail a pull: each is a Rejection (DN, map,
//     name, reason), logged once and returned; everything valid is
//     published. The exception is CollisionFail: a collision with a local
//     account then fails the pull.
//   - The output does not depend on the order servers return entries:
//     users are sorted by uid, groups by gid, shadow entries follow the
//     users; member lists keep the entry's order (nested members after
//     direct ones, duplicates removed); duplicate winners follow a fixed
//     rule (validate).
//   - Snapshot.Shadow is non-nil only when some directory serves shadow.
//     passwd is "x" for users of a shadow directory (each has a shadow
//     entry, hash "*" unless userPassword holds a {CRYPT} value) and "*"
//     otherwise; a hash never reaches the world-readable cache.db.
//   - Group members that name no known user are kept (as nslcd does; a
//     local user may be meant, and an unknown name is harmless for
//     initgroups); members that are not valid names, DNs that resolve to
//     nothing, and group DNs met while nesting is off (depth 0) are
//     reported. Nesting stops silently at the configured depth.
//   - Snapshot.Source names the servers that answered ("ldap 10.0.0.1
//     port 389, …"), without ':' since the cache stores it as a text field.
//   - Bind credentials are never logged (ldapsrc never puts them in errors).
//
// Memory (issue #3: 100,000 users under 150 MB): entries are mapped as
// their page arrives and dropped; a kept user copies its strings out of
// the entry's message into one allocation (mapper.user); candidates are
// collected in chunks and validated through pointers, never copied whole;
// the DN indexes for RFC 2307bis members are built only when a group has
// a DN member.
//
// RefreshOnce (run.go) publishes what Pull returns.
package refresher
