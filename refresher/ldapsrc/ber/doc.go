// Package ber is the small subset of ASN.1 BER (X.690) that LDAPv3 uses on
// the wire (RFC 4511 §5.1), for the refresher's own LDAP client.
//
// Contract:
//   - Decoding works in place on a byte slice: Next returns a slice of its
//     input, never a copy, so walking a message allocates nothing. The
//     caller decides what to copy out.
//   - Only what RFC 4511 §5.1 allows is accepted: definite lengths (the
//     indefinite form 0x80 is an error), single-byte tags (LDAP uses no tag
//     number above 30), lengths of at most 4 bytes. A length that runs past
//     its enclosing element is an error, never a short read.
//   - ReadMessage frames one LDAPMessage from a stream and refuses one longer
//     than the caller's limit before reading or allocating it, so a hostile
//     length cannot make the refresher allocate gigabytes.
//   - Encoding (Append*) is for the few small requests a client sends; it
//     writes the shortest definite length, as RFC 4511 §5.1 requires.
package ber
