package ldapsrc

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"time"

	"github.com/ldapidm/ldapidm/refresher/config"
)

// Options are the per-pull settings that come from the top of the config.
type Options struct {
	ConnectTimeout time.Duration // per address; 0 means 10 s
	SearchTimeout  time.Duration // per whole search (all pages); 0 means 60 s
	PageSize       uint32        // RFC 2696 page size; 0 means 500
	// OnPage, when set, is called after each page is received (tests use it
	// to kill the server mid-search).
	OnPage func(base string, page, entries int)
	// LookupHost resolves a server's host to addresses; nil means
	// net.DefaultResolver (tests substitute a host with a dead address).
	LookupHost func(ctx context.Context, host string) ([]string, error)
}

func (o *Options) defaults() {
	if o.ConnectTimeout <= 0 {
		o.ConnectTimeout = 10 * time.Second
	}
	if o.SearchTimeout <= 0 {
		o.SearchTimeout = 60 * time.Second
	}
	if o.PageSize == 0 {
		o.PageSize = 500
	}
	if o.LookupHost == nil {
		o.LookupHost = net.DefaultResolver.LookupHost
	}
}

// Conn is an open, bound connection to one server of a directory.
type Conn struct {
	w      *wire
	raw    net.Conn // the TCP connection under any TLS; closing it ends all
	opts   Options
	Server string // "scheme://host:port" of the server that answered
	Addr   string // the address actually dialled
	stop   func() bool
	cred   string // only to redact it from server-chosen error text
}

// Close ends the connection.
func (c *Conn) Close() error {
	c.stop()
	c.w.unbind()
	return c.w.nc.Close()
}

// Dialer walks the servers of a directory in configured order, and each
// server's addresses in resolver order. Each Next returns a bound
// connection to the first usable address after the one it returned last,
// so a caller whose search fails part-way on one server can start again on
// the next one within the same pull (failover is not only for connect).
// A Dialer is used by one goroutine.
type Dialer struct {
	d        *config.Directory
	o        Options
	log      *slog.Logger
	cred     string
	server   int      // index of the server being walked
	addrs    []string // its resolved addresses; nil until resolved
	next     int      // index in addrs of the next address to dial
	attempts []error  // every failure so far, in order
}

// NewDialer checks what does not depend on any server (a server list, TLS
// for SASL EXTERNAL, a readable credential) and returns a Dialer
// positioned before the first server.
func NewDialer(d *config.Directory, o Options, log *slog.Logger) (*Dialer, error) {
	o.defaults()
	if len(d.Servers) == 0 {
		return nil, errors.New("directory has no server")
	}
	if d.BindExt && d.TLS == config.TLSNone {
		return nil, errors.New("bindext (SASL EXTERNAL) needs tls or ldaps")
	}
	// Credential applies the config's permission checks to a bindcredfile;
	// its error names the file, never the secret.
	cred, err := d.Credential()
	if err != nil {
		return nil, err
	}
	return &Dialer{d: d, o: o, log: log, cred: cred}, nil
}

// Next opens and binds a connection to the next usable address. When none
// is left it returns a *ConnectError holding every failure met so far,
// including those recorded with Failed. ctx bounds the whole attempt;
// cancelling ctx later closes the connection.
func (dl *Dialer) Next(ctx context.Context) (*Conn, error) {
	for dl.server < len(dl.d.Servers) {
		url := dl.d.URL(dl.server)
		if dl.addrs == nil {
			rctx, cancel := context.WithTimeout(ctx, dl.o.ConnectTimeout)
			addrs, err := dl.o.LookupHost(rctx, dl.d.Servers[dl.server].Host)
			cancel()
			if err == nil && len(addrs) == 0 {
				err = errors.New("no address")
			}
			if err != nil {
				dl.attempts = append(dl.attempts, &Error{Op: "resolve", Server: url, Err: err})
				dl.log.Warn("ldap server unusable", "server", url, "op", "resolve", "err", err)
				dl.server++
				continue
			}
			dl.addrs, dl.next = addrs, 0
		}
		if dl.next >= len(dl.addrs) {
			dl.server, dl.addrs = dl.server+1, nil
			continue
		}
		addr := net.JoinHostPort(dl.addrs[dl.next], serverPort(dl.d, dl.server))
		dl.next++
		c, err := connectAddr(ctx, dl.d, dl.o, dl.d.Servers[dl.server].Host, addr, dl.cred)
		if err != nil {
			op, cause := opOf(err), redact(unwrapOp(err), dl.cred)
			dl.attempts = append(dl.attempts, &Error{Op: op, Server: url + " (" + addr + ")", Err: cause})
			dl.log.Warn("ldap server unusable", "server", url, "addr", addr, "op", op, "err", cause)
			if ctx.Err() != nil {
				return nil, &ConnectError{Attempts: dl.attempts}
			}
			continue
		}
		c.Server, c.Addr, c.cred = url, addr, dl.cred
		dl.log.Debug("ldap connected", "server", url, "addr", addr)
		return c, nil
	}
	return nil, &ConnectError{Attempts: dl.attempts}
}

// Failed records that work on the connection Next returned last failed
// (a search error or a lost connection), so that the final ConnectError
// tells the whole story.
func (dl *Dialer) Failed(err error) { dl.attempts = append(dl.attempts, err) }

// serverPort is the port of server i, defaults filled in as config's URL
// does (the host may resolve to several addresses, each dialled on it).
func serverPort(d *config.Directory, i int) string {
	if p := d.Servers[i].Port; p != 0 {
		return strconv.Itoa(p)
	}
	if d.TLS == config.TLSLDAPS {
		return "636"
	}
	return "389"
}

// opError tags an error with the step it happened in.
type opError struct {
	op  string
	err error
}

func (e *opError) Error() string { return e.op + ": " + e.err.Error() }

func opOf(err error) string {
	var oe *opError
	if errors.As(err, &oe) {
		return oe.op
	}
	return "connect"
}

func unwrapOp(err error) error {
	var oe *opError
	if errors.As(err, &oe) {
		return oe.err
	}
	return err
}

func connectAddr(ctx context.Context, d *config.Directory, o Options, host, addr, cred string) (*Conn, error) {
	var tc *tls.Config
	if d.TLS != config.TLSNone {
		var err error
		if tc, err = tlsConfig(d, host); err != nil {
			return nil, &opError{"tls", err}
		}
	}
	dctx, cancel := context.WithTimeout(ctx, o.ConnectTimeout)
	defer cancel()
	raw, err := (&net.Dialer{}).DialContext(dctx, "tcp", addr)
	if err != nil {
		return nil, &opError{"dial", err}
	}
	raw = withRawReads(raw)
	// Cancelling ctx (shutdown) closes the socket, which fails any pending
	// operation at once instead of waiting for its timeout.
	stop := context.AfterFunc(ctx, func() { raw.Close() })
	fail := func(op string, err error) (*Conn, error) {
		stop()
		raw.Close()
		return nil, &opError{op, err}
	}
	w := newWire(raw)
	if d.TLS == config.TLSLDAPS {
		tconn, _ := w.startTLS(tc) // nothing read yet: cannot fail
		if err := tconn.HandshakeContext(dctx); err != nil {
			return fail("tls", err)
		}
	}
	// The StartTLS and bind exchanges are bounded by the connect timeout
	// (exchange sets the deadline); searches by the search timeout.
	if d.TLS == config.TLSStartTLS {
		r, err := w.exchange(extendedRequest(oidStartTLS), opExtendedResp, o.ConnectTimeout)
		if err == nil {
			err = r.err()
		}
		var tconn *tls.Conn
		if err == nil {
			tconn, err = w.startTLS(tc)
		}
		if err == nil {
			err = tconn.HandshakeContext(dctx)
		}
		if err != nil {
			// Never fall back to clear text.
			return fail("starttls", err)
		}
	}
	switch {
	case d.BindExt:
		if err := bind(w, externalBind(), o.ConnectTimeout); err != nil {
			return fail("bind", err)
		}
	case d.BindDN != "":
		if cred == "" {
			// RFC 4513 §5.1.2: a DN with no password is an
			// "unauthenticated" bind that servers accept as anonymous;
			// refuse it rather than silently read as nobody.
			return fail("bind", fmt.Errorf("as %q: empty password not allowed", d.BindDN))
		}
		if err := bind(w, simpleBind(d.BindDN, cred), o.ConnectTimeout); err != nil {
			return fail("bind", fmt.Errorf("as %q: %w", d.BindDN, err))
		}
	default:
		// Anonymous: no bind request at all (RFC 4513 §5.1.1).
	}
	return &Conn{w: w, raw: raw, opts: o, stop: stop}, nil
}

// bind sends a BindRequest and checks its response.
func bind(w *wire, req []byte, timeout time.Duration) error {
	r, err := w.exchange(req, opBindResponse, timeout)
	if err != nil {
		return err
	}
	return r.err()
}
