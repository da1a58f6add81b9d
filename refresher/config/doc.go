// Package config reads ldapidm's configuration: OpenBSD ypldap.conf(5)
// grammar, unchanged, plus ldapidm's extensions (docs/ldapidm.conf.5).
//
// Contract:
//   - Parse reads a file's text and checks no permissions; Load reads a
//     path and also refuses group/world-writable files, and files holding
//     a bind password (bindcred, bindcredfile) that anyone but their owner
//     (root or the running euid) could read.
//   - Every error is a *Error naming file, line and directive; the first
//     error stops the parse (the line is exact, the rest would be guesses).
//   - A returned *Config is complete and valid: every setting holds its
//     effective value (DefaultConfig's defaults, the top-level cafile copied
//     into directories without one, the jitter default of interval/10), and
//     every Linux field of every directory has exactly one source in Attr,
//     Fixed or List. BSD-only ypldap fields (class, change, expire) are kept
//     only when the file maps them.
//   - Statements ypldap needs for YP and ldapidm has no use for (domain,
//     provide map, BSD-only fields) are accepted and reported in a single
//     entry of Config.Notices; the package never logs.
//   - Secrets never appear in String() output or error messages.
//
// Files: lexer.go (ypldap's tokens), parser.go (driver, include, helpers),
// toplevel.go and directory.go/dirsettings.go/fields.go (statements),
// check.go (cross-checks, notices), defaults.go, load.go (permissions,
// Credential), format.go (URL, String), errors.go.
package config
