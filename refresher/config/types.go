package config

import "time"

// Field is one of ypldap.conf(5)'s mappable fields, plus ldapidm's shadow
// extensions. The string value is the keyword used in the config file.
type Field string

const (
	FieldName         Field = "name"
	FieldPasswd       Field = "passwd"
	FieldUID          Field = "uid"
	FieldGID          Field = "gid"
	FieldClass        Field = "class"  // BSD login class; accepted, unused on Linux
	FieldChange       Field = "change" // BSD password change time; accepted, unused
	FieldExpire       Field = "expire" // BSD account expiry; accepted, unused
	FieldGecos        Field = "gecos"
	FieldHome         Field = "home"
	FieldShell        Field = "shell"
	FieldGroupName    Field = "groupname"
	FieldGroupPasswd  Field = "grouppasswd"
	FieldGroupGID     Field = "groupgid"
	FieldGroupMembers Field = "groupmembers"

	// ldapidm extensions: shadow(5) fields (shadowAccount, RFC 2307).
	FieldShadowLastChange Field = "shadowlastchange"
	FieldShadowMin        Field = "shadowmin"
	FieldShadowMax        Field = "shadowmax"
	FieldShadowWarning    Field = "shadowwarning"
	FieldShadowInactive   Field = "shadowinactive"
	FieldShadowExpire     Field = "shadowexpire"
	FieldShadowFlag       Field = "shadowflag"
)

// TLSMode is how a directory connection is secured.
type TLSMode int

const (
	TLSNone     TLSMode = iota // ldap:// in clear (ypldap's default)
	TLSStartTLS                // ldap:// then StartTLS ("tls" in ypldap.conf)
	TLSLDAPS                   // ldaps:// ("ldaps")
)

// CollisionPolicy says what to do with an LDAP user or group whose name or id
// is already used by a local account in /etc/passwd or /etc/group.
type CollisionPolicy int

const (
	CollisionSkip CollisionPolicy = iota // drop the LDAP entry, report it (default)
	CollisionFail                        // fail the whole pull
)

// Server is one LDAP server address of a directory.
type Server struct {
	Host string
	Port int // 0: 389 for ldap://, 636 for ldaps://
}

// Directory is one `directory "host" … { … }` block.
type Directory struct {
	Line    int      // line of the `directory` keyword, for messages
	Servers []Server // [0] is the block's host; extra `server` lines follow
	TLS     TLSMode

	BaseDN       string
	GroupDN      string // "" means search groups under BaseDN
	BindDN       string // "" with no BindExt: anonymous bind
	BindCred     string // secret: never log it (String() redacts)
	BindCredFile string // extension: read the credential from this file
	BindExt      bool   // SASL EXTERNAL with the client certificate
	BindExtID    string // optional SASL EXTERNAL authorization identity ("": the certificate's)
	CAFile       string // "" means the system store
	CertFile     string
	KeyFile      string

	PasswdFilter string
	GroupFilter  string

	// Attr maps a field to the LDAP attribute holding it; Fixed gives a
	// field a constant; List maps a multi-valued field (groupmembers) to an
	// attribute. A field is in at most one of the three.
	Attr  map[Field]string
	Fixed map[Field]string
	List  map[Field]string

	Shadow      bool // extension: serve shadow(5) from shadowAccount
	NestedDepth int  // extension: RFC 2307bis nested group depth (0: none)

	// Where the block came from, for errors raised after parsing (Load,
	// Credential). Unexported: callers use Line and the Error type.
	file         string
	credFileLine int
}

// Config is a whole ldapidm.conf / ypldap.conf. DefaultConfig gives every
// extension its documented default.
type Config struct {
	File string // path it was loaded from

	Interval time.Duration // ypldap `interval` (seconds in the file)
	Jitter   time.Duration // extension: random delay added to each interval

	CacheDir string // extension `cachedir`

	UIDMin, UIDMax uint32 // extension `uidrange`; 0 is never accepted
	GIDMin, GIDMax uint32 // extension `gidrange`

	Collisions     CollisionPolicy
	LocalPasswd    string // extension: local accounts file (default /etc/passwd)
	LocalGroup     string // extension: local groups file (default /etc/group)
	MaxShrinkPct   int    // extension `maxshrink`: refuse a pull losing more (default 20)
	PageSize       uint32 // extension `pagesize` (RFC 2696), default 500
	ConnectTimeout time.Duration
	SearchTimeout  time.Duration

	CAFile string // top-level `cafile`, default for directories without one

	Directories []*Directory

	// Notices are things the operator should know but that do not stop
	// the load: at most one listing every ypldap statement accepted and
	// ignored (YP-only statements, BSD-only fields), then one per risky
	// but legal setting. The caller logs them; the parser never logs.
	Notices []string
}
