// Package e2e holds ldapidm's end-to-end tests: a real slapd on 127.0.0.1
// (internal/slapdtest) loaded with internal/fixture populations, the real
// ldapidm-refresher binary, and the real NSS module read through real
// getent(1) with `-s ldapidm`, LD_LIBRARY_PATH and LDAPIDM_CACHE_DIR (the
// host's nsswitch.conf is never touched).
//
// The built tree is $LDAPIDM_OUT (./build.sh test sets it) or ../../out;
// a missing module or refresher is built by TestMain into a temporary
// directory rather than skipped, and without LDAPIDM_OUT the refresher is
// always rebuilt so a stale binary is never tested. Without slapd the tests
// skip, or fail under LDAPIDM_REQUIRE_ALL=1.
//
// Every refresher run's stdout, stderr and status file is checked for the
// bind credentials the test used: a credential must never be printed.
package e2e
