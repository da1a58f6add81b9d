package nss

// Passwd is one passwd(5) entry.
type Passwd struct {
	Name, Passwd string
	UID, GID     uint32
	Gecos        string
	Dir, Shell   string
}

// Group is one group(5) entry. Members is never nil for a found group.
type Group struct {
	Name, Passwd string
	GID          uint32
	Members      []string
}

// Shadow is one shadow(5) entry. An empty numeric field is -1 (Flag:
// ^uint64(0)), as glibc returns it.
type Shadow struct {
	Name, Passwd                                 string
	LastChange, Min, Max, Warn, Inactive, Expire int64
	Flag                                         uint64
}
