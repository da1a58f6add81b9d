// Command ldapidm is the admin CLI of the ldapidm cache: import files into
// it, look entries up through the module's own read path, show its meta.
//
//	ldapidm import [--cachedir DIR] [--force] [--maxshrink PCT] [--source TEXT]
//	               (--passwd F --group F [--shadow F] | --json F)
//	ldapidm lookup [--cachedir DIR] passwd|group|shadow|initgroups [KEY]
//	ldapidm info   [--cachedir DIR] [--json]
//
// Exit status: 0 success; 1 error (usage, invalid input, refused publish,
// cache unavailable); 2 lookup found nothing (getent's convention).
//
// Contract: import goes through cache.Publish (validation, shrink guard,
// lock, all-or-nothing rename), so it can never publish what the refresher
// could not; lookup goes through package nss, the module's own C read path,
// so it prints what glibc would return; info reads meta with
// cache.ReadMeta and stats the files, so it also works on a cache the module
// refuses. --cachedir defaults to $LDAPIDM_CACHE_DIR, else /var/lib/ldapidm.
// --maxshrink is the percentage of either map's entries an import may lose,
// 0 to 100 (default 20; 0 refuses any loss), as `maxshrink` in ldapidm.conf.
// Output lines of lookup are exactly getent's.
package main
