package cache

import (
	_ "embed"
	"time"
)

// The schema files are the contract with the C reader (c/); they are
// embedded so the writer can never run against a different copy.
var (
	//go:embed schema_main.sql
	schemaMain string
	//go:embed schema_shadow.sql
	schemaShadow string
)

const (
	// MainFile holds passwd and group, mode 0644.
	MainFile = "cache.db"
	// ShadowFile holds shadow, mode 0640 group shadow (or 0600).
	ShadowFile = "shadow.db"
	// SchemaVersion is PRAGMA user_version of both files as written. The
	// module reads it and every older one down to oldestReadableVersion
	// (2: no passwd_name; 1: no packed blocks either).
	SchemaVersion = 3
	// oldestReadableVersion is the oldest live cache ReadMeta accepts, so
	// that the first publish after an upgrade replaces a version 1 cache
	// without needing force.
	oldestReadableVersion = 1
	// DefaultDir is where the module looks when nothing overrides it.
	DefaultDir = "/var/lib/ldapidm"
	// DefaultMaxShrinkPct is used when PublishOptions.MaxShrinkPct is
	// negative (0 is a real setting: no shrink allowed).
	DefaultMaxShrinkPct = 20

	lockFile     = ".publish.lock"
	kindMain     = "main"
	kindShadow   = "shadow"
	builtAtFmt   = time.RFC3339
	tmpSuffixTag = ".tmp-"
)

// Meta is what a published cache.db says about itself.
type Meta struct {
	Generation int64
	BuiltAt    time.Time
	Source     string
	Users      int
	Groups     int
	Members    int // member rows: (user, group) pairs after de-duplication
	Shadow     int // shadow entries published with this generation (0: none)
}

// PublishOptions says where and how to publish. The zero value publishes to
// DefaultDir with the strictest guard (MaxShrinkPct 0: no map may lose an
// entry); set MaxShrinkPct to -1 for DefaultMaxShrinkPct.
type PublishOptions struct {
	Dir          string           // "" → DefaultDir
	Force        bool             // bypass the empty/shrink guard
	MaxShrinkPct int              // 0..100; 0 refuses any shrink; negative → DefaultMaxShrinkPct
	ShadowGroup  string           // "" → "shadow", looked up in GroupFile (never through NSS)
	GroupFile    string           // "" → /etc/group
	Now          func() time.Time // nil → time.Now
}

// PublishResult describes a successful publication. ShadowPath is "" when
// the snapshot had no shadow map (and any live shadow.db was removed).
type PublishResult struct {
	Meta       Meta
	MainPath   string
	ShadowPath string
}
