package ldapsrc

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ldapidm/ldapidm/refresher/ldapsrc/ber"
)

// Entry is one search result: its DN and the values of the requested
// attributes, in the order the server sent them. Vals is positional:
// Vals[i] holds the values of the i-th attribute of the search's list (nil
// when the entry has none), so a caller that built the list looks a value
// up by index, without a map per entry (at 100,000 entries per pull the
// maps were a tenth of the refresher's CPU, issue #3).
type Entry struct {
	DN   string
	Vals [][]string
}

// ErrReferral means the server answered with a referral or a search
// continuation reference; ldapidm does not chase them (a pull must read one
// consistent directory), so it counts as a failure.
var ErrReferral = errors.New("server returned a referral")

// SearchEach runs a subtree search of base with filter, paging with the
// configured page size until the server's cookie is empty, and hands each
// entry to fn as its page arrives. attrs are the attributes to return; each
// Entry's Vals follow their order. Entries are not collected, so a caller
// that keeps only a mapped form of each entry never holds the whole raw
// result (at 100,000 users the raw entries were most of the refresher's
// heap and of its GC work). fn must not keep e itself; the strings and
// value slices in it are its own to keep.
//
// When SearchEach returns an error, fn has seen an incomplete result, which
// the caller must discard: a pull never uses a partial search.
//
// The search timeout bounds the whole search, all pages: when it expires
// the connection is closed, which fails the page in flight at once. Each
// page also carries the remaining time as its server-side time limit.
func (c *Conn) SearchEach(ctx context.Context, base, filter string, attrs []string, fn func(e *Entry)) error {
	fb, err := encodeFilter(filter)
	if err != nil {
		return c.err(base, 1, err)
	}
	// fn runs on its own goroutine, one page at a time and in order, so
	// mapping a page overlaps with the server sending the next one (its
	// request goes out before the page is handed over). One page may wait
	// in the channel: at most three pages of entries are alive. The
	// consumer has finished before this returns, so the caller never sees
	// fn running after an error.
	pages := make(chan []Entry, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for p := range pages {
			for k := range p {
				fn(&p[k])
			}
		}
	}()
	defer func() { close(pages); <-done }()
	ctx, cancel := context.WithTimeout(ctx, c.opts.SearchTimeout)
	defer cancel()
	// The timeout and a cancelled ctx close the socket, which fails the
	// read in flight at once; the deadline does the same without a timer
	// race for a server that has stopped answering.
	stop := context.AfterFunc(ctx, func() { c.raw.Close() })
	defer stop()
	deadline, _ := ctx.Deadline()
	c.w.nc.SetDeadline(deadline)
	defer c.w.nc.SetDeadline(time.Time{})
	dec := newEntryDecoder(attrs)
	est := &pageTail{expected: int(c.opts.PageSize)}
	fail := func(page int, err error) error {
		if cerr := ctx.Err(); cerr != nil {
			err = fmt.Errorf("%w (%v)", cerr, err)
		} else if !time.Now().Before(deadline) {
			err = fmt.Errorf("%w (%v)", context.DeadlineExceeded, err)
		}
		return c.err(base, page, err)
	}
	var cookie []byte
	id, err := c.sendPage(base, fb, attrs, deadline, cookie)
	for page := 1; ; page++ {
		if err == nil {
			err = ctx.Err()
		}
		if err != nil {
			return fail(page, err)
		}
		var entries []Entry
		var more bool
		entries, cookie, more, err = c.readPage(id, dec, est)
		if err != nil {
			return fail(page, err)
		}
		if c.opts.OnPage != nil {
			c.opts.OnPage(base, page, len(entries))
		}
		if more {
			// The next request goes out before this page is mapped.
			id, err = c.sendPage(base, fb, attrs, deadline, cookie)
		}
		if len(entries) > 0 {
			pages <- entries
		}
		if !more {
			return nil
		}
	}
}

// sendPage sends one page's SearchRequest. Each page carries the time left
// as its server-side time limit, in whole seconds, at least 1 (0 would
// mean none).
func (c *Conn) sendPage(base string, filter []byte, attrs []string, deadline time.Time, cookie []byte) (int32, error) {
	timeLimit := int(time.Until(deadline).Seconds())
	if timeLimit < 1 {
		timeLimit = 1
	}
	return c.w.send(searchRequest(base, filter, attrs, timeLimit), pagingControl(c.opts.PageSize, cookie))
}

// readPage reads the answer to search request id: its entries up to the
// SearchResultDone. more is whether the server has another page (a
// non-empty cookie). A referral, a continuation reference, a result code
// other than success (a size or time limit, with or without entries
// before it), a malformed message, an unsolicited notice or a message for
// another request fail the page.
func (c *Conn) readPage(id int32, dec *entryDecoder, est *pageTail) (entries []Entry, cookie []byte, more bool, err error) {
	dec.newPage()
	entries = make([]Entry, 0, c.opts.PageSize)
	br, _ := c.raw.(bulkReader)
	if br != nil {
		// Whatever ends the page, the server waits for us after it.
		defer br.expect(0)
	}
	for {
		if br != nil {
			br.expect(est.left(len(entries)))
		}
		m, err := c.w.recv()
		if err != nil {
			return nil, nil, false, err
		}
		if m.id == 0 {
			return nil, nil, false, notice(m.tag, m.op)
		}
		if m.id != id {
			return nil, nil, false, protoErr("message ID %d in answer to search %d", m.id, id)
		}
		switch m.tag {
		case opSearchEntry:
			if est.minEntry == 0 || len(m.op) < est.minEntry {
				est.minEntry = len(m.op)
			}
			e, err := dec.decode(m.op)
			if err != nil {
				return nil, nil, false, err
			}
			entries = append(entries, e)
		case opSearchRef:
			var uris []string
			for rest := m.op; len(rest) > 0; {
				var u []byte
				if u, rest, err = ber.Expect(rest, ber.TagOctetString); err != nil {
					return nil, nil, false, err
				}
				uris = append(uris, string(u))
			}
			return nil, nil, false, fmt.Errorf("%w: %s", ErrReferral, strings.Join(uris, " "))
		case opSearchDone:
			r, err := parseResult(m.op)
			if err != nil {
				return nil, nil, false, err
			}
			if err := r.err(); err != nil {
				return nil, nil, false, err
			}
			if len(r.referrals) > 0 {
				return nil, nil, false, fmt.Errorf("%w: %s", ErrReferral, strings.Join(r.referrals, " "))
			}
			est.expected = len(entries)
			cookie, found, err := pagingCookie(m.controls)
			if err != nil {
				return nil, nil, false, err
			}
			// Without the control the server ignored our (non-critical)
			// one: this answer was the whole, unlimited result.
			return entries, cookie, found && len(cookie) > 0, nil
		default:
			return nil, nil, false, protoErr("operation %#02x in answer to a search", m.tag)
		}
	}
}

func (c *Conn) err(base string, page int, err error) error {
	return &Error{Op: "search", Server: c.Server, Base: base, Page: page, Err: redact(err, c.cred)}
}

// pageTail estimates how many bytes the page being read still has to
// send, for the transport's bulk mode (rawread.go): the entries still
// expected times the smallest entry seen in this search, a lower bound
// while the page is as long as expected. expected is what the previous
// page held (the first: the page size asked for); a page that ends sooner
// (the last one, a server limit) only costs the transport's bulkWait.
type pageTail struct {
	expected int // entries the page is expected to hold
	minEntry int // bytes of the smallest SearchResultEntry so far; 0: none yet
}

func (t *pageTail) left(got int) int {
	if t.minEntry == 0 || got >= t.expected {
		return 0
	}
	return (t.expected - got) * t.minEntry
}
