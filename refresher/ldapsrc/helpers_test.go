package ldapsrc

import (
	"context"
	"log/slog"
	"strings"

	"github.com/ldapidm/ldapidm/refresher/config"
)

// Helpers only tests use. The refresher walks a Dialer itself (it fails
// over mid-pull) and maps entries as they arrive (SearchEach).

// Connect opens and binds a connection to the first usable server of d.
func Connect(ctx context.Context, d *config.Directory, o Options, log *slog.Logger) (*Conn, error) {
	dl, err := NewDialer(d, o, log)
	if err != nil {
		return nil, err
	}
	return dl.Next(ctx)
}

// Search is SearchEach collecting every entry, or returning none on error.
func (c *Conn) Search(ctx context.Context, base, filter string, attrs []string) ([]Entry, error) {
	var out []Entry
	if err := c.SearchEach(ctx, base, filter, attrs, func(e *Entry) { out = append(out, *e) }); err != nil {
		return nil, err
	}
	return out, nil
}

// values returns the values of attribute name (case-insensitive) in e, an
// entry of a search that asked for attrs.
func values(e *Entry, attrs []string, name string) []string {
	for i, a := range attrs {
		if i < len(e.Vals) && strings.EqualFold(a, name) {
			return e.Vals[i]
		}
	}
	return nil
}

// first is the first of values, if any.
func first(e *Entry, attrs []string, name string) (string, bool) {
	if v := values(e, attrs, name); len(v) > 0 {
		return v[0], true
	}
	return "", false
}
