package cache

// The maps a cache holds, as plain values. The refresher builds them from
// LDAP, `ldapidm import` builds them from files, and Publish writes them.
// Publish validates them (Validate) before writing anything: the refresher
// has applied its own rules already, the file and JSON loaders only parse.

// User is one passwd(5) entry.
type User struct {
	Name   string
	Passwd string // "x" when a shadow entry exists, otherwise "*"
	UID    uint32
	GID    uint32
	Gecos  string
	Dir    string
	Shell  string
}

// Group is one group(5) entry. Members are user names, in the order they
// should be returned (the writer keeps the order and drops nothing).
type Group struct {
	Name    string
	Passwd  string // normally "x" or "*"
	GID     uint32
	Members []string
}

// Unset marks an empty numeric field in a shadow(5) entry. It is stored as
// SQL NULL and returned to glibc as -1.
const Unset int64 = -1

// Shadow is one shadow(5) entry. Day counts are days since 1970-01-01.
type Shadow struct {
	Name       string
	Passwd     string // a crypt(3) hash, or "*" (never "!": sshd treats it as locked)
	LastChange int64  // Unset, never 0 for "unknown": 0 forces a password change
	Min        int64
	Max        int64
	Warn       int64
	Inactive   int64
	Expire     int64
	Flag       int64
}

// Snapshot is one complete generation of every map. A snapshot is published
// whole or not at all.
type Snapshot struct {
	Users  []User
	Groups []Group
	// Shadow is nil when shadow data is not served; then no shadow.db is
	// written and an existing one is removed at publication.
	Shadow []Shadow
	// Source says where the data came from, for `status` and meta.source.
	Source string
}
