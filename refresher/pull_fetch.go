package refresher

import (
	"context"
	"log/slog"
	"time"

	"github.com/ldapidm/ldapidm/refresher/config"
	"github.com/ldapidm/ldapidm/refresher/ldapsrc"
	"github.com/ldapidm/ldapidm/refresher/validate"
)

// pageHook lets tests act between pages (kill a server mid-pull). nil in
// production.
var pageHook func(dir int, base string, page, entries int)

// fetched is the mapped result of one directory: each entry is mapped as
// its page arrives and the raw entry dropped (SearchEach), so a pull never
// holds the whole raw directory; users and groups count the entries read,
// mapped or rejected.
type fetched struct {
	server   string
	users    int
	groups   int
	mapped   mappedDir
	duration time.Duration
}

// mappedDir is what mapping one directory's entries produced, in the order
// the server sent them: the user candidates, the keys of users refused
// while mapping, the groups, and the mapping rejections (users first).
type mappedDir struct {
	users      userChunks
	refused    []string
	groups     []*groupEntry
	rejections []Rejection
}

func (f *fetched) report(name string) DirectoryReport {
	return DirectoryReport{Directory: name, Server: f.server, Users: f.users, Groups: f.groups, Duration: f.duration}
}

// fetchDirectory reads the users and groups of directory i. One server
// answers both searches, so they see one state. When a search fails on a
// server (an error, a limit, a dropped connection, a killed slapd), what
// that server sent is thrown away and both searches start again from
// scratch on the next configured server or address: entries from two
// servers are never mixed in one directory's result. The directory fails
// only when every server has failed; f.server is the one that answered
// (or the last one tried).
func fetchDirectory(ctx context.Context, cfg *config.Config, i int, d *config.Directory, ranges idRanges, log *slog.Logger) (*fetched, error) {
	start := time.Now()
	f := &fetched{}
	defer func() { f.duration = time.Since(start) }()
	o := ldapsrc.Options{
		ConnectTimeout: cfg.ConnectTimeout,
		SearchTimeout:  cfg.SearchTimeout,
		PageSize:       cfg.PageSize,
	}
	if h := pageHook; h != nil {
		o.OnPage = func(base string, page, n int) { h(i, base, page, n) }
	}
	dl, err := ldapsrc.NewDialer(d, o, log)
	if err != nil {
		return f, err
	}
	mp := newMapper(d, i, ranges)
	for {
		c, err := dl.Next(ctx)
		if err != nil {
			return f, err
		}
		f.server = c.Server
		// A fresh mappedDir per attempt: what a failed server sent is
		// dropped with it.
		m := mappedDir{}
		nu, ng, err := searchDirectory(ctx, c, d, mp, &m)
		c.Close()
		if err == nil {
			f.users, f.groups, f.mapped = nu, ng, m
			return f, nil
		}
		if ctx.Err() != nil {
			return f, err // shutting down: no next server
		}
		dl.Failed(err)
		log.Warn("ldap search failed; trying the next server", "server", c.Server, "addr", c.Addr, "err", err)
	}
}

// searchDirectory runs the user and group searches of d on c, mapping each
// entry into m as it arrives; it returns how many of each were read.
func searchDirectory(ctx context.Context, c *ldapsrc.Conn, d *config.Directory, mp *mapper, m *mappedDir) (nu, ng int, err error) {
	err = c.SearchEach(ctx, d.BaseDN, d.PasswdFilter, mp.userAttrs, func(e *ldapsrc.Entry) {
		nu++
		u, err := mp.user(e)
		if err != nil {
			m.rejections = append(m.rejections, rejection(e.DN, validate.MapPasswd, u.User.Name, err))
			m.refused = append(m.refused, u.Key)
			return
		}
		m.users.add(u)
	})
	if err != nil {
		return 0, 0, err
	}
	groupBase := orDefault(d.GroupDN, d.BaseDN)
	err = c.SearchEach(ctx, groupBase, d.GroupFilter, mp.groupAttrs, func(e *ldapsrc.Entry) {
		ng++
		g, err := mp.group(e)
		if err != nil {
			m.rejections = append(m.rejections, rejection(e.DN, validate.MapGroup, g.cand.Group.Name, err))
			return
		}
		m.groups = append(m.groups, g)
	})
	if err != nil {
		return 0, 0, err
	}
	return nu, ng, nil
}
