package slapdtest

// Options configures one private slapd.
type Options struct {
	// Suffix is the database suffix; "" means DefaultSuffix.
	Suffix string
	// SizeLimit is the soft and hard size limit for searches without the
	// paged-results control, for every identity but the rootdn. Paged
	// searches are capped per page by the same number but unlimited in
	// total. 0 means unlimited.
	SizeLimit int
	// PagedTotalLimit, when > 0, caps the total number of entries one
	// paged search may return (slapd size.prtotal), so tests can provoke a
	// size limit in the middle of paging. 0 means unlimited.
	PagedTotalLimit int
	// TLS generates a CA and a server certificate for 127.0.0.1 and
	// localhost, and enables ldaps:// and StartTLS.
	TLS bool
	// Dir holds everything the instance writes; "" means a new temporary
	// directory that Stop removes.
	Dir string
	// Verbose raises slapd's log level from "stats" to "stats stats2"
	// (every entry returned); useful when debugging, costly in benches.
	Verbose bool
}

// DefaultSuffix is the suffix used when Options.Suffix is empty.
const DefaultSuffix = "dc=example,dc=org"

// Fixed credentials of every instance. They protect nothing but a throwaway
// loopback server, so they are constants that tests may print.
const (
	adminRDN  = "cn=admin"
	adminPW   = "admin-secret"
	readerRDN = "cn=reader"
	readerPW  = "reader-secret"
)
