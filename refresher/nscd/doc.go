// Package nscd tells a running nscd(8) to drop its passwd and group caches
// after a new cache generation is published, so that a lookup cached
// before the refresh (including a negative one: nss-pam-ldapd#23) does not
// outlive it.
//
// Contract:
//   - Nothing happens unless the nscd binary exists and its socket accepts a
//     connection: no nscd is the normal case and is not an error.
//   - It runs `nscd -i MAP` once per map, with a timeout; a failure is
//     returned for the caller to log and never fails a refresh.
//   - It never resolves anything through NSS itself.
package nscd
