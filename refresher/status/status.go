package status

import (
	"sort"
	"time"

	"github.com/ldapidm/ldapidm/cache"
)

// FileName is the status file's name inside the cache directory.
const FileName = "status.json"

// MaxExamples is how many example DNs a rejection group keeps.
const MaxExamples = 5

// Status is one report. Times are UTC; a zero time means "never".
type Status struct {
	PID                 int       `json:"pid"`
	LastAttempt         time.Time `json:"last_attempt"`
	LastSuccess         time.Time `json:"last_success"`
	LastError           string    `json:"last_error,omitempty"`
	ConsecutiveFailures int       `json:"consecutive_failures"`
	// DurationSeconds is how long the last attempt took (pull + publish).
	DurationSeconds float64   `json:"duration_seconds"`
	NextAttempt     time.Time `json:"next_attempt"`
	Forced          bool      `json:"forced,omitempty"`

	// The cache as it stands after the attempt (a failed attempt leaves the
	// previous generation serving, and this describes that one). Embedded
	// without a tag, so its fields sit at the top level of the JSON, here,
	// as they always have (TestJSONNames).
	CacheInfo

	// Directories and Rejections describe the last attempt's pull; both
	// are empty when it failed before pulling anything.
	Directories []Directory      `json:"directories,omitempty"`
	Rejected    int              `json:"rejected"`
	Rejections  []RejectionGroup `json:"rejections,omitempty"`
}

// CacheInfo describes a cache as cache.ReadMeta sees it: the one the
// status file says served after the attempt, and the live one the status
// command reads from the cache itself rather than trusting status.json, so
// that a cache deleted or replaced behind the refresher's back is reported
// as such.
type CacheInfo struct {
	Generation int64     `json:"generation"`
	BuiltAt    time.Time `json:"built_at"`
	Source     string    `json:"source,omitempty"`
	Users      int       `json:"users"`
	Groups     int       `json:"groups"`
	Members    int       `json:"members"`
	Shadow     int       `json:"shadow"`
}

// CacheFromMeta is the description of the cache m was read from, its
// build time in UTC like every time in a report.
func CacheFromMeta(m *cache.Meta) CacheInfo {
	return CacheInfo{
		Generation: m.Generation, BuiltAt: m.BuiltAt.UTC(), Source: m.Source,
		Users: m.Users, Groups: m.Groups, Members: m.Members, Shadow: m.Shadow,
	}
}

// Directory is what one configured directory gave in the last pull.
type Directory struct {
	Directory       string  `json:"directory"`
	Server          string  `json:"server"`
	Users           int     `json:"users"`
	Groups          int     `json:"groups"`
	DurationSeconds float64 `json:"duration_seconds"`
}

// Rejection is one entry the refresher refused, as the pull reports it.
type Rejection struct {
	DN, Map, Name, Reason string
}

// RejectionGroup is every rejection sharing one reason.
type RejectionGroup struct {
	Reason   string   `json:"reason"`
	Count    int      `json:"count"`
	Examples []string `json:"examples"` // DNs, at most MaxExamples
}

// Failed reports whether the last attempt failed.
func (s *Status) Failed() bool { return s.LastError != "" }

// GroupRejections folds rejections into groups by reason, most frequent
// first (ties by reason), keeping the first MaxExamples DNs of each.
func GroupRejections(rs []Rejection) []RejectionGroup {
	idx := map[string]int{}
	var out []RejectionGroup
	for _, r := range rs {
		i, ok := idx[r.Reason]
		if !ok {
			i = len(out)
			idx[r.Reason] = i
			out = append(out, RejectionGroup{Reason: r.Reason, Examples: []string{}})
		}
		g := &out[i]
		g.Count++
		if len(g.Examples) < MaxExamples {
			g.Examples = append(g.Examples, r.DN)
		}
	}
	sort.SliceStable(out, func(a, b int) bool {
		if out[a].Count != out[b].Count {
			return out[a].Count > out[b].Count
		}
		return out[a].Reason < out[b].Reason
	})
	return out
}
