package config

import "time"

// Defaults of every setting, documented in docs/ldapidm.conf.5. Change one
// here and there together.
const (
	DefaultCacheDir       = "/var/lib/ldapidm"
	DefaultInterval       = 600 * time.Second // ypldap's DEFAULT_INTERVAL
	DefaultIDMin          = 1000              // first non-system id on Debian
	DefaultIDMax          = 2147483647        // largest id every tool handles as signed
	DefaultLocalPasswd    = "/etc/passwd"
	DefaultLocalGroup     = "/etc/group"
	DefaultMaxShrinkPct   = 20
	DefaultPageSize       = 500 // RFC 2696 page; AD refuses more than 1000
	DefaultConnectTimeout = 10 * time.Second
	DefaultSearchTimeout  = 60 * time.Second
	DefaultPasswdFilter   = "(objectClass=posixAccount)"
	DefaultGroupFilter    = "(objectClass=posixGroup)"
)

// DefaultConfig is the configuration an empty file would give if an empty
// file were valid (it is not: at least one directory is required). The
// jitter default is a tenth of the interval; Parse recomputes it when the
// file sets `interval` but not `jitter`.
func DefaultConfig() *Config {
	return &Config{
		Interval:       DefaultInterval,
		Jitter:         DefaultInterval / 10,
		CacheDir:       DefaultCacheDir,
		UIDMin:         DefaultIDMin,
		UIDMax:         DefaultIDMax,
		GIDMin:         DefaultIDMin,
		GIDMax:         DefaultIDMax,
		Collisions:     CollisionSkip,
		LocalPasswd:    DefaultLocalPasswd,
		LocalGroup:     DefaultLocalGroup,
		MaxShrinkPct:   DefaultMaxShrinkPct,
		PageSize:       DefaultPageSize,
		ConnectTimeout: DefaultConnectTimeout,
		SearchTimeout:  DefaultSearchTimeout,
	}
}

// The default mapping suits a stock RFC 2307 directory (posixAccount,
// posixGroup, shadowAccount) and matches ypldap's own example
// configuration, including gecos from cn: cn is mandatory in posixAccount
// while the gecos attribute is optional and mostly absent.
var defaultAttr = map[Field]string{
	FieldName:      "uid",
	FieldUID:       "uidNumber",
	FieldGID:       "gidNumber",
	FieldGecos:     "cn",
	FieldHome:      "homeDirectory",
	FieldShell:     "loginShell",
	FieldGroupName: "cn",
	FieldGroupGID:  "gidNumber",

	FieldShadowLastChange: "shadowLastChange",
	FieldShadowMin:        "shadowMin",
	FieldShadowMax:        "shadowMax",
	FieldShadowWarning:    "shadowWarning",
	FieldShadowInactive:   "shadowInactive",
	FieldShadowExpire:     "shadowExpire",
	FieldShadowFlag:       "shadowFlag",
}

var defaultList = map[Field]string{
	FieldGroupMembers: "memberUid",
}

// Group passwords are never served (no gshadow): "*" says so, as in
// ypldap's example. The password field (the hash that goes to shadow(5)) is
// userPassword when shadow is served and "*" otherwise; see fillDefaults.
var defaultFixed = map[Field]string{
	FieldGroupPasswd: "*",
}

// Attribute holding the password hash when `shadow yes` and the file does
// not map passwd itself.
const defaultPasswdAttr = "userPassword"

// fillDefaults gives every field the file left unmapped its default source,
// so that after Parse each Linux field has exactly one. The BSD-only fields
// (class, change, expire) stay unmapped unless the file maps them.
func (d *Directory) fillDefaults() {
	mapped := func(f Field) bool {
		_, a := d.Attr[f]
		_, b := d.Fixed[f]
		_, c := d.List[f]
		return a || b || c
	}
	for f, v := range defaultAttr {
		if !mapped(f) {
			d.Attr[f] = v
		}
	}
	for f, v := range defaultList {
		if !mapped(f) {
			d.List[f] = v
		}
	}
	for f, v := range defaultFixed {
		if !mapped(f) {
			d.Fixed[f] = v
		}
	}
	if !mapped(FieldPasswd) {
		if d.Shadow {
			d.Attr[FieldPasswd] = defaultPasswdAttr
		} else {
			d.Fixed[FieldPasswd] = "*"
		}
	}
	if d.PasswdFilter == "" {
		d.PasswdFilter = DefaultPasswdFilter
	}
	if d.GroupFilter == "" {
		d.GroupFilter = DefaultGroupFilter
	}
}
