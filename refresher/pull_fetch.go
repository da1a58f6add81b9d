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

// fetchDirectory reads the users and groups of directory i over one
// connection (one server answers both searches, so they see one state).
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
	c, err := ldapsrc.Connect(ctx, d, o, log)
	if err != nil {
		return f, err
	}
	defer c.Close()
	f.server = c.Server
	if f.users, err = c.Search(ctx, d.BaseDN, orDefault(d.PasswdFilter, defaultPasswdFilter), userAttrs(d)); err != nil {
		return f, err
	}
	groupBase := orDefault(d.GroupDN, d.BaseDN)
	if f.groups, err = c.Search(ctx, groupBase, orDefault(d.GroupFilter, defaultGroupFilter), groupAttrs(d)); err != nil {
		return f, err
	}
	if len(f.users) == 0 {
		log.Warn("directory returned no users", "server", f.server, "base", d.BaseDN)
	}
	return f, nil
}
