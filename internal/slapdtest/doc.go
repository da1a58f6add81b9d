// Package slapdtest runs private OpenLDAP slapd instances for tests, the demo
// and benchmarks. It never touches the system slapd: every instance lives in
// its own directory (configuration, mdb database, pid file, log, TLS
// material) and listens on free ports of 127.0.0.1 only.
//
// Contract:
//   - Start returns once the server answers an LDAP search; Stop, Kill and
//     Restart act on that one process, and Restart reuses the same ports so
//     a URL handed out earlier stays valid.
//   - The directory holds the RFC 2307 "nis" schema plus a tiny auxiliary
//     class (ldapidmPosixGroupAux) so that RFC 2307bis-style groups
//     (groupOfNames / groupOfUniqueNames with member DNs) can carry a
//     gidNumber, since Debian ships no rfc2307bis schema.
//   - Options.SizeLimit caps every non-root identity (anonymous and the
//     ReaderDN), so a population larger than it can only be read whole with
//     RFC 2696 paged results; the rootdn (AdminDN) is never limited (slapd
//     rule), so tests that need the limit bind as ReaderDN or anonymously.
//   - With Options.TLS, ldaps:// and StartTLS use a server certificate for
//     127.0.0.1 and localhost signed by a generated CA (CAFile); WrongCAFile
//     is an unrelated CA; ClientCertFile/ClientKeyFile is a client
//     certificate that SASL EXTERNAL maps to ReaderDN.
//   - Logs (slapd "stats" level) go to Dir/slapd.log; LogTail returns the
//     end of it for failure messages (MustStart prints it when a test fails).
//   - cmd/slapdtest wraps Start for shell scripts: KEY=value lines, READY=1,
//     then serves until SIGTERM.
package slapdtest
