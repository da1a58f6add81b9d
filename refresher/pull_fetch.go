package refresher

import (
	"context"
	"log/slog"
	"time"

	"github.com/ldapidm/ldapidm/refresher/config"
	"github.com/ldapidm/ldapidm/refresher/ldapsrc"
)

// Default filters when the configuration gives none.
const (
	defaultPasswdFilter = "(objectClass=posixAccount)"
	defaultGroupFilter  = "(objectClass=posixGroup)"
)

// pageHook lets tests act between pages (kill a server mid-pull). nil in
// production.
var pageHook func(dir int, base string, page, entries int)

// fetched is the raw result of one directory.
type fetched struct {
	server   string
	users    []ldapsrc.Entry
	groups   []ldapsrc.Entry
	duration time.Duration
}

func (f *fetched) report(name string) DirectoryReport {
	return DirectoryReport{Directory: name, Server: f.server, Users: len(f.users), Groups: len(f.groups), Duration: f.duration}
}

// fetchDirectory reads the users and groups of directory i. One server
// answers both searches, so they see one state. When a search fails on a
// server (an error, a limit, a dropped connection, a killed slapd), what
// that server sent is thrown away and both searches start again from
// scratch on the next configured server or address: entries from two
// servers are never mixed in one directory's result. The directory fails
// only when every server has failed; f.server is the one that answered
// (or the last one tried).
func fetchDirectory(ctx context.Context, cfg *config.Config, i int, d *config.Directory, log *slog.Logger) (*fetched, error) {
	start := time.Now()
	f := &fetched{}
	defer func() { f.duration = time.Since(start) }()
	o := ldapsrc.Options{
		ConnectTimeout: cfg.ConnectTimeout,
		SearchTimeout:  cfg.SearchTimeout,
		PageSize:       cfg.PageSize,
		CAFile:         cfg.CAFile,
	}
	if h := pageHook; h != nil {
		o.OnPage = func(base string, page, n int) { h(i, base, page, n) }
	}
	dl, err := ldapsrc.NewDialer(d, o, log)
	if err != nil {
		return f, err
	}
	for {
		c, err := dl.Next(ctx)
		if err != nil {
			return f, err
		}
		f.server = c.Server
		users, groups, err := searchDirectory(ctx, c, d)
		c.Close()
		if err == nil {
			f.users, f.groups = users, groups
			return f, nil
		}
		if ctx.Err() != nil {
			return f, err // shutting down: no next server
		}
		dl.Failed(err)
		log.Warn("ldap search failed; trying the next server", "server", c.Server, "addr", c.Addr, "err", err)
	}
}

// searchDirectory runs the user and group searches of d on c.
func searchDirectory(ctx context.Context, c *ldapsrc.Conn, d *config.Directory) (users, groups []ldapsrc.Entry, err error) {
	if users, err = c.Search(ctx, d.BaseDN, orDefault(d.PasswdFilter, defaultPasswdFilter), userAttrs(d)); err != nil {
		return nil, nil, err
	}
	groupBase := orDefault(d.GroupDN, d.BaseDN)
	if groups, err = c.Search(ctx, groupBase, orDefault(d.GroupFilter, defaultGroupFilter), groupAttrs(d)); err != nil {
		return nil, nil, err
	}
	return users, groups, nil
}
