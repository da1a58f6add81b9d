package ldapsrc

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/go-ldap/ldap/v3"
)

// Entry is one search result: its DN and the requested attributes, keyed by
// lowercased attribute name, values in the order the server sent them.
type Entry struct {
	DN    string
	Attrs map[string][]string
}

// First is the first value of attribute name (lowercase), if any.
func (e *Entry) First(name string) (string, bool) {
	v := e.Attrs[name]
	if len(v) == 0 {
		return "", false
	}
	return v[0], true
}

// ErrReferral means the server answered with a referral or a search
// continuation reference; ldapidm does not chase them (a pull must read one
// consistent directory), so it counts as a failure.
var ErrReferral = errors.New("server returned a referral")

// Search runs a subtree search of base with filter, paging with the
// configured page size until the server's cookie is empty. attrs are the
// attributes to return. It returns every entry or an error.
//
// The search timeout bounds the whole search, all pages: when it expires
// the connection is closed, which fails the page in flight at once. Each
// page also carries the remaining time as its server-side time limit.
func (c *Conn) Search(ctx context.Context, base, filter string, attrs []string) ([]Entry, error) {
	var out []Entry
	if err := c.SearchEach(ctx, base, filter, attrs, func(e *Entry) { out = append(out, *e) }); err != nil {
		return nil, err
	}
	return out, nil
}

// SearchEach is Search handing each entry to fn as its page arrives instead
// of collecting them, so a caller that keeps only a mapped form of each
// entry never holds the whole raw result (at 100,000 users the raw entries
// were most of the refresher's heap and of its GC work). fn must not keep e.
// When SearchEach returns an error, fn has seen an incomplete result, which
// the caller must discard: a pull never uses a partial search.
func (c *Conn) SearchEach(ctx context.Context, base, filter string, attrs []string, fn func(e *Entry)) error {
	// fn runs on its own goroutine, one page at a time and in order, so
	// mapping a page overlaps with the server sending the next one
	// (the library sends the next page's request only when Search
	// returns). One page may wait in the channel: at most two pages of
	// raw entries are alive. The consumer has finished before this
	// returns, so the caller never sees fn running after an error.
	pages := make(chan []*ldap.Entry, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for p := range pages {
			for k, e := range p {
				ce := convert(e)
				p[k] = nil // the raw entry is garbage once converted
				fn(&ce)
			}
		}
	}()
	defer func() { close(pages); <-done }()
	ctx, cancel := context.WithTimeout(ctx, c.opts.SearchTimeout)
	defer cancel()
	stop := context.AfterFunc(ctx, func() { c.l.Close() })
	defer stop()
	deadline, _ := ctx.Deadline()
	paging := ldap.NewControlPaging(c.opts.PageSize)
	for page := 1; ; page++ {
		if err := ctx.Err(); err != nil {
			return c.err(base, page, err)
		}
		// TimeLimit is in whole seconds, at least 1 (0 means none).
		timeLimit := int(time.Until(deadline).Seconds())
		if timeLimit < 1 {
			timeLimit = 1
		}
		req := ldap.NewSearchRequest(base, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases,
			0, timeLimit, false, filter, attrs, []ldap.Control{paging})
		res, err := c.l.Search(req)
		if err != nil {
			// The library's own request timeout (set to the search timeout
			// too) can fire a moment before ctx's timer does: past the
			// deadline, either way the search timeout expired.
			if cerr := ctx.Err(); cerr != nil {
				err = fmt.Errorf("%w (%v)", cerr, err)
			} else if !time.Now().Before(deadline) {
				err = fmt.Errorf("%w (%v)", context.DeadlineExceeded, err)
			}
			return c.err(base, page, err)
		}
		if len(res.Referrals) > 0 {
			return c.err(base, page, fmt.Errorf("%w: %s", ErrReferral, strings.Join(res.Referrals, " ")))
		}
		n := len(res.Entries)
		if n > 0 {
			pages <- res.Entries
		}
		if c.opts.OnPage != nil {
			c.opts.OnPage(base, page, n)
		}
		ctrl, _ := ldap.FindControl(res.Controls, ldap.ControlTypePaging).(*ldap.ControlPaging)
		if ctrl == nil {
			// The server ignored the (non-critical) control: this one
			// answer was the whole, unlimited result.
			return nil
		}
		if len(ctrl.Cookie) == 0 {
			return nil
		}
		paging.SetCookie(ctrl.Cookie)
	}
}

func (c *Conn) err(base string, page int, err error) error {
	return &Error{Op: "search", Server: c.Server, Base: base, Page: page, Err: redact(err, c.cred)}
}

func convert(e *ldap.Entry) Entry {
	out := Entry{DN: e.DN, Attrs: make(map[string][]string, len(e.Attributes))}
	for _, a := range e.Attributes {
		k := strings.ToLower(a.Name)
		out.Attrs[k] = append(out.Attrs[k], a.Values...)
	}
	return out
}
