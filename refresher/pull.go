package refresher

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/ldapidm/ldapidm/cache"
	"github.com/ldapidm/ldapidm/refresher/config"
	"github.com/ldapidm/ldapidm/refresher/validate"
)

// Rejection is an entry (or member value) left out of a pull.
type Rejection = validate.Rejection

// DirectoryReport says what one directory contributed to a pull.
type DirectoryReport struct {
	Directory string        // the directory's first host (and #n if hosts repeat)
	Server    string        // URL of the server that answered
	Users     int           // passwd entries received (before validation)
	Groups    int           // group entries received
	Duration  time.Duration // connect to last page
}

// Result is a successful pull, or on failure what was learnt before it.
type Result struct {
	Snapshot    *cache.Snapshot // nil when Pull fails
	Rejections  []Rejection
	Directories []DirectoryReport
}

// DirectoryError is a directory that could not be read whole.
type DirectoryError struct {
	Directory string
	Err       error
}

func (e *DirectoryError) Error() string { return "directory " + e.Directory + ": " + e.Err.Error() }
func (e *DirectoryError) Unwrap() error { return e.Err }

// EmptyDirectoryError is a directory whose user search succeeded with no
// entries. It fails the pull unless PullOptions.AllowEmpty is set: with
// several directories, one going empty (an ACL change, a wrong basedn)
// would otherwise silently drop all its users whenever they are fewer than
// the shrink guard allows (ypldap's empty-but-successful search that wipes
// every map).
type EmptyDirectoryError struct {
	Server string // URL of the server that answered
	Base   string // the user search base
}

func (e *EmptyDirectoryError) Error() string {
	return fmt.Sprintf("user search of base %q on %s returned no users (access rights or basedn wrong?); refusing to drop the directory's users unless forced", e.Base, e.Server)
}

// PullOptions tunes one pull.
type PullOptions struct {
	// AllowEmpty accepts a directory whose user search returns no entries
	// (the operator's --force); otherwise that fails the whole pull.
	AllowEmpty bool
}

// Pull reads every directory of cfg and returns the validated snapshot (see
// doc.go for the contract), with the default PullOptions.
func Pull(ctx context.Context, cfg *config.Config, log *slog.Logger) (*Result, error) {
	return PullWith(ctx, cfg, PullOptions{}, log)
}

// PullWith is Pull with options.
func PullWith(ctx context.Context, cfg *config.Config, opts PullOptions, log *slog.Logger) (*Result, error) {
	res := &Result{}
	if len(cfg.Directories) == 0 {
		return res, fmt.Errorf("no directory configured")
	}
	local, err := validate.ReadLocal(cfg.LocalPasswd, cfg.LocalGroup)
	if err != nil {
		return res, err
	}
	ranges := idRanges{uid: validate.Range{Min: cfg.UIDMin, Max: cfg.UIDMax}, gid: validate.Range{Min: cfg.GIDMin, Max: cfg.GIDMax}}
	var (
		users   []*userChunks // per directory
		refused []string      // normalised DNs of users rejected while mapping
		groups  []*groupEntry
		shadow  bool
		sources []string
	)
	for i, d := range cfg.Directories {
		name := directoryName(cfg, i)
		f, err := fetchDirectory(ctx, cfg, i, d, ranges, log)
		res.Directories = append(res.Directories, f.report(name))
		if err == nil && f.users == 0 && !opts.AllowEmpty {
			err = &EmptyDirectoryError{Server: f.server, Base: d.BaseDN}
		}
		if err != nil {
			log.Error("pull failed; keeping the current cache", "directory", name, "err", err)
			return res, &DirectoryError{Directory: name, Err: err}
		}
		if f.users == 0 {
			log.Warn("directory returned no users; accepted because forced", "directory", name, "server", f.server, "base", d.BaseDN)
		}
		log.Info("directory read", "directory", name, "server", f.server, "users", f.users,
			"groups", f.groups, "duration", f.duration)
		sources = append(sources, sourceOf(f.server))
		shadow = shadow || d.Shadow
		// Mapped as the pages arrived (fetchDirectory).
		res.Rejections = append(res.Rejections, f.mapped.rejections...)
		refused = append(refused, f.mapped.refused...)
		users = append(users, &f.mapped.users)
		// The usual single directory takes the groups without a copy.
		if groups == nil {
			groups = f.mapped.groups
		} else {
			groups = append(groups, f.mapped.groups...)
		}
	}
	snap, rej, err := assemble(cfg, pointers(users), refused, groups, local, shadow)
	res.Rejections = append(res.Rejections, rej...)
	// Servers return entries in no promised order; sorted, the report of
	// two pulls of the same data is the same.
	sort.SliceStable(res.Rejections, func(i, j int) bool {
		a, b := res.Rejections[i], res.Rejections[j]
		if a.Map != b.Map {
			return a.Map > b.Map // passwd, then group
		}
		return a.DN < b.DN
	})
	logRejections(log, res.Rejections)
	if err != nil {
		log.Error("pull failed; keeping the current cache", "err", err)
		return res, err
	}
	snap.Source = strings.Join(sources, ", ")
	res.Snapshot = snap
	log.Info("pull complete", "users", len(snap.Users), "groups", len(snap.Groups),
		"shadow", snap.Shadow != nil, "rejected", len(res.Rejections))
	return res, nil
}

// assemble applies the set rules and builds the snapshot. users and
// groups are consumed: the set rules compact them in place.
func assemble(cfg *config.Config, users []*validate.UserCand, refusedKeys []string, groups []*groupEntry, local *validate.Local, shadow bool) (*cache.Snapshot, []Rejection, error) {
	failColl := cfg.Collisions == config.CollisionFail
	kept, rej, err := validate.Users(users, local, failColl)
	if err != nil {
		return nil, rej, err
	}
	userRej := rej
	r := &memberResolver{}
	// The DN indexes are built only when a group has a DN member (RFC
	// 2307bis): with memberUid alone they would be two maps of every
	// user, a fifth of a 100,000-user pull's peak heap, never read.
	r.lazy = func() {
		r.users, r.refused = make(map[string]string, len(kept)), map[string]bool{}
		r.groups = make(map[string]*groupEntry, len(groups))
		for _, c := range kept {
			r.users[c.Key] = c.User.Name
		}
		// A user is refused when no candidate with its DN was kept: one
		// rejected while mapping, or by the set rules (a duplicate DN
		// from a later directory is not refused when another was kept).
		for _, x := range userRej {
			k := validate.NormalizeDN(x.DN)
			if _, kept := r.users[k]; !kept {
				r.refused[k] = true
			}
		}
		for _, k := range refusedKeys {
			r.refused[k] = true
		}
		for _, g := range groups {
			r.groups[g.cand.Key] = g
		}
	}
	cands := make([]*validate.GroupCand, 0, len(groups))
	for _, g := range groups {
		// Each group nests as deep as its own directory allows.
		r.maxDepth = cfg.Directories[g.cand.Dir].NestedDepth
		members, mrej := r.resolve(g)
		rej = append(rej, mrej...)
		g.cand.Group.Members = members
		cands = append(cands, &g.cand)
	}
	keptGroups, grej, err := validate.Groups(cands, local, failColl)
	rej = append(rej, grej...)
	if err != nil {
		return nil, rej, err
	}

	snap := &cache.Snapshot{Users: make([]cache.User, 0, len(kept)), Groups: make([]cache.Group, 0, len(keptGroups))}
	slices.SortFunc(kept, func(a, b *validate.UserCand) int { return cmp.Compare(a.User.UID, b.User.UID) })
	if shadow {
		snap.Shadow = []cache.Shadow{}
	}
	for _, c := range kept {
		snap.Users = append(snap.Users, c.User)
		if c.Shadow != nil {
			snap.Shadow = append(snap.Shadow, *c.Shadow)
		}
	}
	slices.SortFunc(keptGroups, func(a, b *validate.GroupCand) int { return cmp.Compare(a.Group.GID, b.Group.GID) })
	for _, g := range keptGroups {
		snap.Groups = append(snap.Groups, g.Group)
	}
	return snap, rej, nil
}

func rejection(dn, m, name string, err error) Rejection {
	return Rejection{DN: dn, Map: m, Name: name, Reason: err.Error()}
}

// logRejections logs each rejection once, with a constant message.
func logRejections(log *slog.Logger, rs []Rejection) {
	for _, r := range rs {
		log.Warn("entry rejected", "map", r.Map, "name", r.Name, "dn", r.DN, "reason", r.Reason)
	}
}

// sourceOf describes the server that answered for Snapshot.Source, in the
// words `status` prints: "ldaps 127.0.0.1 port 636" (an IPv6 host's colons
// escaped as %3A, so the three words stay unambiguous).
func sourceOf(serverURL string) string {
	u, err := url.Parse(serverURL)
	if err != nil {
		return "ldap"
	}
	return fmt.Sprintf("%s %s port %s", u.Scheme, strings.ReplaceAll(u.Hostname(), ":", "%3A"), u.Port())
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// directoryName names directory i for reports: its first host, with "#n"
// when another directory uses the same host.
func directoryName(cfg *config.Config, i int) string {
	d := cfg.Directories[i]
	host := "(no server)"
	if len(d.Servers) > 0 {
		host = d.Servers[0].Host
	}
	for j, o := range cfg.Directories {
		if j != i && len(o.Servers) > 0 && o.Servers[0].Host == host {
			return fmt.Sprintf("%s#%d", host, i+1)
		}
	}
	return host
}
