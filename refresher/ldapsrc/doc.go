// Package ldapsrc is the refresher's LDAP source: it connects to one
// directory of the configuration and runs RFC 2696 paged searches on it.
//
// Contract:
//   - A Dialer (NewDialer, Next) tries the directory's servers in order
//     and, for each host, every address it resolves to, until one accepts
//     the connection, the TLS set-up and the bind. Only when every address
//     of every server has failed does the directory count as failed (the
//     error lists each attempt). The walk is resumable: after a search
//     fails on the connection Next returned, the next Next goes on with
//     the following address or server, so a caller can fail over
//     mid-pull; Failed adds that search error to the list.
//   - TLS is verified (the directory's CA file, else the configuration's,
//     else the system pool; ServerName is the configured host). StartTLS
//     that fails is a failed attempt: ldapsrc never continues in clear
//     after asking for TLS.
//   - SearchEach pages with the configured page size on the one connection
//     that owns the cookie, until the server returns an empty cookie,
//     handing entries to a callback page by page. Any error on any page (a
//     size or time limit, a referral, a dropped connection) fails the whole
//     search: there are no partial results (NOTES.md: a limit mid-paging is
//     a failure, not a short success), and the caller must discard
//     whatever the callback was given.
//   - Entries come back as DN plus the values of the requested attributes,
//     by position in the request (Entry.Vals[i] for attrs[i]); only the
//     requested attributes are asked for, and any other one is dropped.
//     The DN and values are substrings of the entry's one message string.
//   - The bind credential is never logged or put in an error.
//   - The LDAPv3 client is ldapsrc's own (wire.go, proto.go, entry.go on
//     package ber): go-ldap decoded every message into a tree of packets
//     with allocations per element, which was most of a 100,000-user
//     pull's CPU (issue #3). go-ldap still compiles filter strings (once
//     per search) and parses non-trivial DNs. A malformed message, an
//     unsolicited notice of disconnection, a message for another request
//     or an unexpected operation fails the search like any other error.
package ldapsrc
