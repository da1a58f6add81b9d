// Package nss calls the ldapidm NSS module's read path from Go.
//
// The module's C sources (../c, the same files libnss_ldapidm.so.2 is built
// from) are compiled into this package, so what Go tests and tools see is
// exactly what glibc sees through the .so: the same SQL, the same packing
// into caller buffers, the same trust checks on the cache files. Only cgo.go
// imports "C"; the rest is plain Go.
//
// Contract:
//   - Lookups read <dir>/cache.db and <dir>/shadow.db, where dir is the one
//     set with SetCacheDir, else $LDAPIDM_CACHE_DIR (secure_getenv), else
//     /var/lib/ldapidm. They never touch the network.
//   - An absent entry is ErrNotFound; a missing, unreadable or untrusted
//     cache is ErrUnavailable (both wrapped in *LookupError: use errors.Is).
//   - Short buffers are retried with doubled sizes up to maxBuffer, as
//     os/user's retryWithBuffer does.
//   - A republished cache (renamed over the path) is noticed within one
//     second, or at once after Recheck.
//   - Enumerations (Users, Groups, Shadows) each see one generation; they
//     are serialised per map because the module's walk state is per process.
package nss
