package refresher

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/ldapidm/ldapidm/cache"
	"github.com/ldapidm/ldapidm/refresher/config"
	"github.com/ldapidm/ldapidm/refresher/nscd"
	"github.com/ldapidm/ldapidm/refresher/status"
)

// RefreshOptions tunes one RefreshOnce.
type RefreshOptions struct {
	// Force bypasses the writer's empty/shrink guard for this publish, and
	// accepts a directory whose user search returned nothing.
	Force bool
	// Nscd says where nscd lives; the zero value uses Debian's paths.
	Nscd nscd.Invalidator
	// ShadowGroup is the group that may read shadow.db ("" means "shadow";
	// resolved from cfg.LocalGroup as a file, never through NSS).
	ShadowGroup string
	// NextDelay, when set (the daemon), gives the wait before the next
	// attempt after `failures` failures in a row; the status file records
	// the resulting time. nil (--once): no next attempt.
	NextDelay func(failures int) time.Duration
}

// RefreshOnce is one whole attempt: Pull every directory, Publish the
// snapshot (all or nothing, under the shrink guard), tell nscd to drop its
// passwd and group caches, and write <cachedir>/status.json.
//
// On failure the live cache is untouched (the previous generation keeps
// serving), the failure is recorded in the status file and returned. The
// one exception is cancellation (shutdown): an interrupted attempt did not
// fail, so the previous report is left as it was.
//
// The returned Status is never nil; its LastError, like the returned
// error's text, has every configured bind credential replaced by REDACTED.
func RefreshOnce(ctx context.Context, cfg *config.Config, opts RefreshOptions, log *slog.Logger) (*status.Status, error) {
	start := time.Now()
	st := &status.Status{PID: os.Getpid(), LastAttempt: start.UTC(), Forced: opts.Force}
	if prev, err := status.Read(status.Path(cfg.CacheDir)); err == nil {
		st.LastSuccess = prev.LastSuccess
		st.ConsecutiveFailures = prev.ConsecutiveFailures
	}

	err := refresh(ctx, cfg, opts, log, st)
	st.DurationSeconds = time.Since(start).Seconds()
	fillCache(st, cfg.CacheDir)
	if err != nil {
		err = &RefreshError{msg: redact(err.Error(), credentials(cfg)), err: err}
		if ctx.Err() != nil {
			return st, err
		}
		st.LastError = err.Error()
		st.ConsecutiveFailures++
	} else {
		st.LastSuccess = time.Now().UTC()
		st.ConsecutiveFailures = 0
	}
	if opts.NextDelay != nil {
		st.NextAttempt = time.Now().Add(opts.NextDelay(st.ConsecutiveFailures)).UTC()
	}
	if werr := status.Write(cfg.CacheDir, st); werr != nil {
		log.Error("status file not written", "dir", cfg.CacheDir, "err", werr)
	}
	return st, err
}

func refresh(ctx context.Context, cfg *config.Config, opts RefreshOptions, log *slog.Logger, st *status.Status) error {
	// Force also accepts a directory that returned no users.
	res, err := PullWith(ctx, cfg, PullOptions{AllowEmpty: opts.Force}, log)
	if res != nil {
		record(st, res)
	}
	if err != nil {
		return err
	}
	// cache.Publish logs the publication itself ("cache published").
	_, err = cache.Publish(ctx, res.Snapshot, cache.PublishOptions{
		Dir:          cfg.CacheDir,
		Force:        opts.Force,
		MaxShrinkPct: cfg.MaxShrinkPct,
		ShadowGroup:  opts.ShadowGroup,
		GroupFile:    cfg.LocalGroup,
		Now:          time.Now,
	})
	if err != nil {
		return err
	}
	// After the rename, so nscd's next miss reads the new generation.
	if err := opts.Nscd.Invalidate(ctx, "passwd", "group"); err != nil {
		if errors.Is(err, nscd.ErrNotRunning) {
			log.Debug("nscd not running; nothing to invalidate", "reason", err)
		} else {
			log.Warn("nscd invalidation failed; its cached entries expire on their own", "err", err)
		}
	}
	return nil
}

// record copies what the pull saw into the status report.
func record(st *status.Status, res *Result) {
	for _, d := range res.Directories {
		st.Directories = append(st.Directories, status.Directory{
			Directory: d.Directory, Server: d.Server, Users: d.Users, Groups: d.Groups,
			DurationSeconds: d.Duration.Seconds(),
		})
	}
	rs := make([]status.Rejection, len(res.Rejections))
	for i, r := range res.Rejections {
		rs[i] = status.Rejection{DN: r.DN, Map: r.Map, Name: r.Name, Reason: r.Reason}
	}
	st.Rejected = len(rs)
	st.Rejections = status.GroupRejections(rs)
}

// fillCache describes the cache that serves after the attempt.
func fillCache(st *status.Status, dir string) {
	if m, err := cache.ReadMeta(dir); err == nil {
		st.CacheInfo = status.CacheFromMeta(m)
	}
}

// RefreshError is a failed attempt, its text scrubbed of credentials.
// Unwrap gives the original error for errors.As (e.g. *cache.ShrinkError).
type RefreshError struct {
	msg string
	err error
}

func (e *RefreshError) Error() string { return e.msg }
func (e *RefreshError) Unwrap() error { return e.err }

// credentials lists every bind credential the configuration refers to, so
// that no error text can carry one into a log or the status file, whatever
// a server or library chose to echo back.
func credentials(cfg *config.Config) []string {
	var out []string
	for _, d := range cfg.Directories {
		if c, err := d.Credential(); err == nil && c != "" {
			out = append(out, c)
		}
	}
	return out
}

func redact(s string, secrets []string) string {
	for _, c := range secrets {
		s = strings.ReplaceAll(s, c, "REDACTED")
	}
	return s
}
