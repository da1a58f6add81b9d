package nss

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/ldapidm/ldapidm/cache"
)

// The production writer (cache.Publish) and this module's block reader
// agree: what is published is what getpwent/getgrent/getspent return,
// entry for entry and field for field, across block boundaries, with
// entries larger than a block, and for empty maps.

func writerSnapshot(users, groups int) *cache.Snapshot {
	s := &cache.Snapshot{Source: "nss writer test", Shadow: []cache.Shadow{}}
	for i := 0; i < users; i++ {
		u := cache.User{Name: fmt.Sprintf("w%05d", i), Passwd: "x", UID: uint32(10000 + i), GID: uint32(5000 + i%7),
			Gecos: fmt.Sprintf("Writer %d,Zoë Ñandú 日本語", i), Dir: fmt.Sprintf("/home/w%05d", i), Shell: "/bin/sh"}
		switch i % 97 {
		case 3:
			u.Gecos = strings.Repeat("g", 3000) // a 3 KB gecos: blocks fill unevenly
		case 5:
			u.Gecos, u.Shell = "", ""
		case 7:
			u.UID = 4294967294 - uint32(i) // near the top of the range
		}
		s.Users = append(s.Users, u)
		sh := cache.Shadow{Name: u.Name, Passwd: "$6$s$h" + fmt.Sprint(i), LastChange: cache.Unset, Min: cache.Unset,
			Max: cache.Unset, Warn: cache.Unset, Inactive: cache.Unset, Expire: cache.Unset, Flag: cache.Unset}
		if i%2 == 1 {
			sh.LastChange, sh.Min, sh.Max, sh.Warn, sh.Inactive, sh.Expire, sh.Flag = 19000, 0, 99999, 7, 30, 21000, 0
		}
		s.Shadow = append(s.Shadow, sh)
	}
	for j := 0; j < groups; j++ {
		g := cache.Group{Name: fmt.Sprintf("wg%04d", j), Passwd: "x", GID: uint32(5000 + j)}
		n := j % 5
		if j == 1 {
			n = min(users, 5000) // larger than a block on its own
		}
		for k := 0; k < n && users > 0; k++ {
			g.Members = append(g.Members, fmt.Sprintf("w%05d", (j+k)%users))
		}
		s.Groups = append(s.Groups, g)
	}
	return s
}

func publishForTest(t *testing.T, snap *cache.Snapshot) string {
	t.Helper()
	dir := newDir(t)
	_, err := cache.Publish(context.Background(), snap, cache.PublishOptions{Dir: dir, Force: true,
		GroupFile: filepath.Join(dir, "..", "nogroup")})
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

func blockCount(t *testing.T, path, table string) int {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM ` + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestWriterBlocksRoundTrip(t *testing.T) {
	for _, size := range []struct{ users, groups, minBlocks int }{
		{0, 0, 0},
		{1, 1, 1},
		{3, 2, 1},
		{5000, 300, 10}, // many blocks of each map
	} {
		t.Run(fmt.Sprintf("%d_users_%d_groups", size.users, size.groups), func(t *testing.T) {
			snap := writerSnapshot(size.users, size.groups)
			dir := publishForTest(t, snap)
			if n := blockCount(t, filepath.Join(dir, "cache.db"), "passwd_block"); n < size.minBlocks {
				t.Fatalf("%d passwd blocks, want at least %d: the test would not cross block boundaries", n, size.minBlocks)
			}
			useDir(t, dir)
			users, groups, shadows, errs := enumerateAll()
			for i, err := range errs {
				if err != nil {
					t.Fatalf("map %d: %v", i, err)
				}
			}
			if len(users) != len(snap.Users) || len(groups) != len(snap.Groups) || len(shadows) != len(snap.Shadow) {
				t.Fatalf("enumerated %d/%d/%d, published %d/%d/%d", len(users), len(groups), len(shadows),
					len(snap.Users), len(snap.Groups), len(snap.Shadow))
			}
			for i, u := range snap.Users {
				want := Passwd{Name: u.Name, Passwd: u.Passwd, UID: u.UID, GID: u.GID, Gecos: u.Gecos, Dir: u.Dir, Shell: u.Shell}
				if users[i] != want {
					t.Fatalf("user %d = %+v, want %+v", i, users[i], want)
				}
			}
			for i, g := range snap.Groups {
				got := groups[i]
				if got.Name != g.Name || got.Passwd != g.Passwd || got.GID != g.GID ||
					strings.Join(got.Members, ",") != strings.Join(g.Members, ",") || len(got.Members) != len(g.Members) {
					t.Fatalf("group %d = %s (%d members), want %s (%d)", i, got.Name, len(got.Members), g.Name, len(g.Members))
				}
			}
			for i, s := range snap.Shadow {
				flag := uint64(s.Flag)
				want := Shadow{Name: s.Name, Passwd: s.Passwd, LastChange: s.LastChange, Min: s.Min, Max: s.Max,
					Warn: s.Warn, Inactive: s.Inactive, Expire: s.Expire, Flag: flag}
				if shadows[i] != want {
					t.Fatalf("shadow %d = %+v, want %+v", i, shadows[i], want)
				}
			}
		})
	}
}

// ERANGE on every entry of a writer-built cache, the smallest buffer that
// fails first: the retry returns the same entry.
func TestWriterBlocksERANGE(t *testing.T) {
	snap := writerSnapshot(700, 60)
	useDir(t, publishForTest(t, snap))
	defer rawEndEnt(mapGroup)
	if st := rawSetEnt(mapGroup); st != statusSuccess {
		t.Fatalf("setgrent: %d", st)
	}
	for i, g := range snap.Groups {
		if st, errno, _ := rawGroup(next, "", 0, len(g.Name)); st != statusTryAgain || errno != syscall.ERANGE {
			t.Fatalf("group %d: status %d errno %v, want ERANGE", i, st, errno)
		}
		st, _, got := rawGroup(next, "", 0, 1<<20)
		if st != statusSuccess || got.Name != g.Name || len(got.Members) != len(g.Members) {
			t.Fatalf("group %d after ERANGE: status %d, %s", i, st, got.Name)
		}
	}
	if st, _, _ := rawGroup(next, "", 0, 1<<20); st != statusNotFound {
		t.Fatalf("end: status %d", st)
	}
}

// getpwnam_r on what the production writer publishes (version 3: users in
// hash order, a few to a bucket under the key of the first): every user is
// found by name with every field, and names that are not there, including
// ones whose keys fall inside a bucket's range or before the first bucket,
// are NOTFOUND, not UNAVAIL.
func TestWriterNameBuckets(t *testing.T) {
	snap := writerSnapshot(3000, 3)
	dir := publishForTest(t, snap)
	buckets := blockCount(t, filepath.Join(dir, "cache.db"), "passwd_name")
	if buckets >= len(snap.Users) || buckets == 0 {
		t.Fatalf("%d buckets for %d users: want several users a bucket", buckets, len(snap.Users))
	}
	useDir(t, dir)
	for _, u := range snap.Users {
		got, err := LookupUser(u.Name)
		want := Passwd{Name: u.Name, Passwd: u.Passwd, UID: u.UID, GID: u.GID, Gecos: u.Gecos, Dir: u.Dir, Shell: u.Shell}
		if err != nil || got != want {
			t.Fatalf("LookupUser(%q) = %+v, %v; want %+v", u.Name, got, err, want)
		}
	}
	for i := range 3000 {
		for _, name := range []string{fmt.Sprintf("w%05d", i+3000), fmt.Sprintf("x%d", i), fmt.Sprintf("w%05dx", i)} {
			if _, err := LookupUser(name); !errors.Is(err, ErrNotFound) {
				t.Fatalf("LookupUser(%q) = %v, want ErrNotFound", name, err)
			}
		}
	}
}

// getpwuid_r on what the production writer publishes (version 3 as
// amended: users in uid order, a few to a bucket under the uid of the
// first): every user is found by uid with every field, and uids no user
// has (below the first, in the gaps inside and between buckets, past the
// last) are NOTFOUND, not UNAVAIL. With several users a bucket, this
// fails if the reader looked for the uid itself as a bucket id.
func TestWriterUIDBuckets(t *testing.T) {
	snap := writerSnapshot(3000, 3)
	dir := publishForTest(t, snap)
	buckets := blockCount(t, filepath.Join(dir, "cache.db"), "passwd_uid")
	if buckets >= len(snap.Users) || buckets == 0 {
		t.Fatalf("%d buckets for %d users: want several users a bucket", buckets, len(snap.Users))
	}
	useDir(t, dir)
	have := map[uint32]bool{}
	for _, u := range snap.Users {
		have[u.UID] = true
		got, err := LookupUserID(u.UID)
		want := Passwd{Name: u.Name, Passwd: u.Passwd, UID: u.UID, GID: u.GID, Gecos: u.Gecos, Dir: u.Dir, Shell: u.Shell}
		if err != nil || got != want {
			t.Fatalf("LookupUserID(%d) = %+v, %v; want %+v", u.UID, got, err, want)
		}
	}
	// writerSnapshot's uids: 10000+i, except every 97th user's, moved to
	// 4294967294-i: gaps in the low run, a sparse run at the top.
	misses := []uint32{0, 1, 9999}
	for uid := uint32(10000); uid < 13100; uid++ {
		misses = append(misses, uid)
	}
	for uid := uint32(4294967294 - 3100); uid != 4294967295; uid++ {
		misses = append(misses, uid)
	}
	n := 0
	for _, uid := range misses {
		if have[uid] {
			continue
		}
		n++
		if _, err := LookupUserID(uid); !errors.Is(err, ErrNotFound) {
			t.Fatalf("LookupUserID(%d) = %v, want ErrNotFound", uid, err)
		}
	}
	if n < 3000 {
		t.Fatalf("only %d misses probed", n)
	}
}
