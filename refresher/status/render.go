package status

import (
	"encoding/json"
	"fmt"
	"io"
	"time"
)

// Health is the verdict of Check, and the status command's exit code:
// 0 to 3 as in the Nagios plugin convention (OK, WARNING, CRITICAL, UNKNOWN).
type Health int

const (
	Healthy       Health = 0 // the cache exists and the last attempt succeeded
	AttemptFailed Health = 1 // the last attempt failed (the old cache serves)
	NoCache       Health = 2 // no readable cache: lookups fall through
	Unknown       Health = 3 // the cache directory could not be determined
)

func (h Health) String() string {
	switch h {
	case Healthy:
		return "ok"
	case AttemptFailed:
		return "last attempt failed"
	case NoCache:
		return "no cache"
	default:
		return "unknown"
	}
}

// Check gives the health of a cache directory from its status (nil when
// there is no status file) and its cache (nil when there is none). A cache
// without a status file (built by `ldapidm import`, or before the first
// refresh finished) is healthy: nothing has failed.
func Check(s *Status, c *CacheInfo) Health {
	switch {
	case c == nil:
		return NoCache
	case s != nil && s.Failed():
		return AttemptFailed
	default:
		return Healthy
	}
}

// Report is what `status --json` prints.
type Report struct {
	Health       string     `json:"health"`
	CacheAgeSecs float64    `json:"cache_age_seconds,omitempty"`
	Cache        *CacheInfo `json:"cache"`
	CacheError   string     `json:"cache_error,omitempty"`
	Status       *Status    `json:"status"`
	StatusError  string     `json:"status_error,omitempty"`
	CheckedAt    time.Time  `json:"checked_at"`
}

// NewReport assembles what the status command prints. cacheErr and
// statusErr explain a nil c or s.
func NewReport(s *Status, statusErr error, c *CacheInfo, cacheErr error, now time.Time) *Report {
	r := &Report{Health: Check(s, c).String(), Cache: c, Status: s, CheckedAt: now.UTC()}
	if c != nil && !c.BuiltAt.IsZero() {
		r.CacheAgeSecs = now.Sub(c.BuiltAt).Seconds()
	}
	if cacheErr != nil {
		r.CacheError = cacheErr.Error()
	}
	if statusErr != nil {
		r.StatusError = statusErr.Error()
	}
	return r
}

// WriteJSON prints r as indented JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteText prints r for a person.
func (r *Report) WriteText(w io.Writer) error {
	p := func(format string, a ...any) { fmt.Fprintf(w, format, a...) }
	p("health:           %s\n", r.Health)
	if c := r.Cache; c != nil {
		p("cache:            generation %d, built %s (%s ago)\n", c.Generation, stamp(c.BuiltAt), age(r.CacheAgeSecs))
		p("                  %d users, %d groups, %d memberships, %d shadow entries\n", c.Users, c.Groups, c.Members, c.Shadow)
		if c.Source != "" {
			p("source:           %s\n", c.Source)
		}
	} else {
		p("cache:            missing (%s)\n", r.CacheError)
	}
	s := r.Status
	if s == nil {
		p("last attempt:     unknown (%s)\n", r.StatusError)
		return nil
	}
	verdict := "succeeded"
	if s.Failed() {
		verdict = "FAILED"
	}
	p("last attempt:     %s, %s, took %.2fs\n", stamp(s.LastAttempt), verdict, s.DurationSeconds)
	if s.Failed() {
		p("last error:       %s\n", s.LastError)
		p("failures in a row: %d\n", s.ConsecutiveFailures)
	}
	p("last success:     %s\n", stamp(s.LastSuccess))
	if !s.NextAttempt.IsZero() {
		p("next attempt:     %s\n", stamp(s.NextAttempt))
	}
	for _, d := range s.Directories {
		p("directory:        %s via %s: %d users, %d groups in %.2fs\n", d.Directory, d.Server, d.Users, d.Groups, d.DurationSeconds)
	}
	if s.Rejected > 0 {
		p("rejected entries: %d\n", s.Rejected)
		for _, g := range s.Rejections {
			p("  %5d  %s\n", g.Count, g.Reason)
			for _, dn := range g.Examples {
				p("         e.g. %s\n", dn)
			}
		}
	}
	return nil
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return t.UTC().Format(time.RFC3339)
}

func age(secs float64) string {
	return (time.Duration(secs) * time.Second).Round(time.Second).String()
}
