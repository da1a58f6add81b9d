package cache

import (
	"errors"
	"fmt"
)

// ShrinkError refuses a snapshot that would empty a map (New == 0) or shrink
// it by more than MaxPct percent against the live cache. Force bypasses it.
type ShrinkError struct {
	Map    string // "passwd" or "group"
	Old    int    // entries in the live cache (0 when there is none)
	New    int    // entries in the snapshot
	MaxPct int
}

func (e *ShrinkError) Error() string {
	if e.New == 0 {
		return fmt.Sprintf("cache: refusing to publish: %s map is empty and would empty the cache (live has %d; use force)", e.Map, e.Old)
	}
	return fmt.Sprintf("cache: refusing to publish: %s map shrinks from %d to %d entries, more than %d%% (use force)", e.Map, e.Old, e.New, e.MaxPct)
}

// InvalidError is a snapshot entry that would corrupt a line or let someone
// in. The whole snapshot is refused; nothing is written.
type InvalidError struct {
	Map    string // "passwd", "group" or "shadow"; "snapshot" for the whole
	Name   string // the entry's name as given (quoted in the message)
	Field  string // "name", "uid", "gecos", "members", …
	Reason string
	// Index is the entry's position in its map's slice of the Snapshot,
	// First, for a duplicate, the position of the entry it repeats; -1
	// when there is none. Origin.Place turns them into the line or JSON
	// element the entry was loaded from.
	Index, First int
}

func (e *InvalidError) Error() string {
	return fmt.Sprintf("cache: invalid %s entry %q: %s: %s", e.Map, e.Name, e.Field, e.Reason)
}

// ParseError is a line of a passwd/group/shadow file, or an element of a
// JSON document, that LoadFiles or LoadJSON cannot parse, or whose entry
// Publish refused (Origin.Place). Err, when set, is the underlying
// *InvalidError or parse error.
type ParseError struct {
	File string // "passwd", "group", "shadow" or "json"
	Line int    // 1-based line; 0 for JSON
	Msg  string
	Err  error
}

func (e *ParseError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

func (e *ParseError) Unwrap() error { return e.Err }

// ErrUnreadableLive is returned (wrapped) when a live cache.db exists but
// cannot be read, so neither the generation nor the shrink guard can be
// computed. Force replaces it, restarting at generation 1.
var ErrUnreadableLive = errors.New("cache: live cache.db is unreadable")

// ErrUnsafeDir is returned (wrapped) for a cache directory that group or
// others may write: anyone who can write there can replace the cache.
var ErrUnsafeDir = errors.New("cache: directory is writable by group or others")
