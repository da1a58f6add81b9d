package testcache

import (
	"fmt"
	"strings"
)

// User, Group and Shadow mirror User, Group and Shadow
// (Unset = -1). They are copied rather than imported so that the read-path
// tests do not depend on the writer package building.
type User struct {
	Name, Passwd string
	UID, GID     uint32
	Gecos        string
	Dir, Shell   string
}

// Group is one group(5) entry.
type Group struct {
	Name, Passwd string
	GID          uint32
	Members      []string
}

// Shadow is one shadow(5) entry; Unset marks an empty field.
type Shadow struct {
	Name, Passwd                                 string
	LastChange, Min, Max, Warn, Inactive, Expire int64
	Flag                                         int64
}

// Unset is an empty shadow(5) numeric field (SQL NULL).
const Unset int64 = -1

// Fixture is one generation of every map.
type Fixture struct {
	Gen    string
	Users  []User
	Groups []Group
	Shadow []Shadow
}

// Group ids of the special groups; ordinary group j has gid GroupBase+j.
const (
	UIDBase   = 100000
	GroupBase = 20000
	BigGID    = 30000
	EmptyGID  = 30001
	SoloGID   = 30002
	MaxUID    = 4294967294
	BigSize   = 5000
)

// UserName is user i's name. A few early users get awkward names.
func UserName(i int) string {
	switch i {
	case 0:
		return "a"
	case 1:
		return "host$"
	case 2:
		return "Mixed.Case-name_9"
	case 3:
		return "n" + strings.Repeat("x", 30)
	}
	return fmt.Sprintf("u%05d", i)
}

// Mod is the generation's membership rule: user i is in ordinary group j
// when (i+j) % Mod(gen) == 0.
func Mod(gen string) int {
	if gen == "" {
		return 7
	}
	return 5 + int(gen[0])%3
}

// Synthetic returns users users and ngroups ordinary groups plus "big"
// (the first min(users, BigSize) users), "empty" and "solo" (user 0).
func Synthetic(users, ngroups int, gen string) Fixture {
	f := Fixture{Gen: gen}
	for i := 0; i < users; i++ {
		u := User{
			Name:   UserName(i),
			Passwd: "x",
			UID:    UIDBase + uint32(i),
			GID:    GroupBase + uint32(i%max(ngroups, 1)),
			Gecos:  fmt.Sprintf("gen-%s user %d", gen, i),
			Dir:    fmt.Sprintf("/home/%s/%s", gen, UserName(i)),
			Shell:  "/bin/sh",
		}
		switch i {
		case 0:
			u.Gecos = ""
		case 4:
			u.UID = MaxUID
		case 5:
			u.Gecos = "Zoë Ñandú 日本語 #1 (gen " + gen + ")"
		case 6:
			u.Gecos = strings.Repeat("g", 4000)
		case 7:
			u.Shell = ""
		}
		f.Users = append(f.Users, u)
		f.Shadow = append(f.Shadow, shadowOf(i, u.Name, gen))
	}
	mod := Mod(gen)
	for j := 0; j < ngroups; j++ {
		g := Group{Name: fmt.Sprintf("g%03d", j), Passwd: "gen-" + gen, GID: GroupBase + uint32(j)}
		for i := 0; i < users; i++ {
			if (i+j)%mod == 0 {
				g.Members = append(g.Members, UserName(i))
			}
		}
		f.Groups = append(f.Groups, g)
	}
	big := Group{Name: "big", Passwd: "gen-" + gen, GID: BigGID}
	for i := 0; i < min(users, BigSize); i++ {
		big.Members = append(big.Members, UserName(i))
	}
	f.Groups = append(f.Groups, big,
		Group{Name: "empty", Passwd: "gen-" + gen, GID: EmptyGID},
		Group{Name: "solo", Passwd: "gen-" + gen, GID: SoloGID, Members: []string{UserName(0)}})
	return f
}

func shadowOf(i int, name, gen string) Shadow {
	s := Shadow{Name: name, Passwd: fmt.Sprintf("$6$salt%s$hash%d", gen, i)}
	switch i % 3 {
	case 0:
		s.LastChange, s.Min, s.Max, s.Warn, s.Inactive, s.Expire, s.Flag =
			Unset, Unset, Unset, Unset, Unset, Unset, Unset
	case 1:
		s.LastChange, s.Min, s.Max, s.Warn, s.Inactive, s.Expire, s.Flag =
			19000+int64(i), 0, 99999, 7, Unset, Unset, Unset
	default:
		s.LastChange, s.Min, s.Max, s.Warn, s.Inactive, s.Expire, s.Flag =
			20000, 1, 90, 14, 30, 21000+int64(i), 12345
	}
	return s
}

// GroupsOf returns the gids whose member lists name user, in ascending
// order (the member table's key order), without skip.
func (f Fixture) GroupsOf(user string, skip uint32) []uint32 {
	var out []uint32
	for _, g := range f.Groups {
		if g.GID == skip {
			continue
		}
		for _, m := range g.Members {
			if m == user {
				out = append(out, g.GID)
				break
			}
		}
	}
	sortU32(out)
	return out
}

func sortU32(s []uint32) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}
