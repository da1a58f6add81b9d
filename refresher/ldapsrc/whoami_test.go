package ldapsrc

import (
	"time"

	"github.com/ldapidm/ldapidm/refresher/ldapsrc/ber"
)

// whoAmI asks the server which identity c is bound as (RFC 4532), so
// tests can check what a bind really did.
func whoAmI(c *Conn) (string, error) {
	r, err := c.w.exchange(extendedRequest("1.3.6.1.4.1.4203.1.11.3"), opExtendedResp, 5*time.Second)
	if err != nil {
		return "", err
	}
	if err := r.err(); err != nil {
		return "", err
	}
	for rest := r.tail; len(rest) > 0; {
		tag, v, next, err := ber.Next(rest)
		if err != nil {
			return "", err
		}
		if tag == tagExtRespValue {
			return string(v), nil
		}
		rest = next
	}
	return "", nil
}
