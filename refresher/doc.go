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
//   - Bind credentials are never logged (ldapsrc never puts them in errors).
//
// RefreshOnce (run.go) publishes what Pull returns.
package refresher
