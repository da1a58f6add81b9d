package daemon

import (
	"context"
	"math/rand/v2"
	"os"
	"time"

	"github.com/ldapidm/ldapidm/refresher"
	"github.com/ldapidm/ldapidm/refresher/config"
)

// BackoffStart is the first retry delay after a failure; it doubles with
// each further failure and never exceeds the interval.
const BackoffStart = 30 * time.Second

// once is --once: one refresh, its error is the exit status.
func (m *Main) once(ctx context.Context, cfg *config.Config) error {
	_, err := refresher.RefreshOnce(ctx, cfg, m.refreshOptions(true), m.Logger)
	if err != nil {
		m.Logger.Error("refresh failed; previous cache kept", "err", err)
	}
	return err
}

func (m *Main) refreshOptions(first bool) refresher.RefreshOptions {
	return refresher.RefreshOptions{Force: m.Force && first, Nscd: m.Nscd}
}

// loop is the daemon: refresh now, then on each timer or hangup, until ctx
// is cancelled.
func (m *Main) loop(ctx context.Context, cfg *config.Config) error {
	log := m.Logger
	log.Info("refresher started", "pid", os.Getpid(), "config", cfg.File, "cachedir", cfg.CacheDir,
		"interval", cfg.Interval, "jitter", cfg.Jitter, "version", Version)
	first := true
	for {
		// The next attempt's time goes into the one status write of the
		// attempt (RefreshOnce), so `status` never shows a report
		// without it.
		var delay time.Duration
		opts := m.refreshOptions(first)
		opts.NextDelay = func(failures int) time.Duration {
			delay = nextDelay(cfg, failures, rand.Int64N)
			return delay
		}
		st, err := refresher.RefreshOnce(ctx, cfg, opts, log)
		if ctx.Err() != nil {
			log.Info("refresher stopping", "reason", context.Cause(ctx))
			return nil
		}
		first = false
		if err != nil {
			log.Error("refresh failed; previous cache kept", "err", err,
				"failures", st.ConsecutiveFailures, "retry_in", delay)
		}

		timer := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			timer.Stop()
			log.Info("refresher stopping", "reason", context.Cause(ctx))
			return nil
		case <-timer.C:
		case <-m.Hangup:
			timer.Stop()
			cfg = m.reload(cfg)
		}
	}
}

// reload is a hangup: the new configuration if it is valid and keeps the
// cache directory (the lock is on the old one), else the old one.
func (m *Main) reload(old *config.Config) *config.Config {
	log := m.Logger
	cfg, err := config.Load(m.ConfigPath)
	if err != nil {
		log.Error("reload refused; keeping the running configuration", "err", err)
		return old
	}
	if cfg.CacheDir != old.CacheDir {
		log.Error("reload refused; cachedir cannot change without a restart",
			"running", old.CacheDir, "new", cfg.CacheDir)
		return old
	}
	for _, n := range cfg.Notices {
		log.Warn("configuration notice", "file", cfg.File, "notice", n)
	}
	log.Info("configuration reloaded", "config", cfg.File, "directories", len(cfg.Directories),
		"interval", cfg.Interval)
	return cfg
}

// nextDelay is the wait before the next attempt: interval plus a random
// jitter in [0, jitter) after a success; after n failures in a row,
// BackoffStart·2^(n-1) capped at the interval (no jitter: the cap keeps
// retries from outrunning the normal schedule). randN is rand.Int64N.
func nextDelay(cfg *config.Config, failures int, randN func(int64) int64) time.Duration {
	interval := cfg.Interval
	if interval <= 0 {
		interval = config.DefaultInterval
	}
	if failures > 0 {
		d := BackoffStart
		for i := 1; i < failures && d < interval; i++ {
			d *= 2
		}
		return min(d, interval)
	}
	d := interval
	if cfg.Jitter > 0 {
		d += time.Duration(randN(int64(cfg.Jitter)))
	}
	return d
}
