package refresher

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/ldapidm/ldapidm/internal/fixture"
	"github.com/ldapidm/ldapidm/internal/slapdtest"
	"github.com/ldapidm/ldapidm/refresher/config"
	"github.com/ldapidm/ldapidm/refresher/validate"
)

// hostileUser writes a posixAccount cn=<rdn>,ou=zdup,ou=people. Its
// normalised DN ("cn=…") sorts before the fixture's ("uid=…"), so by the
// duplicate rule (lowest DN wins) the hostile entry wins over the fixture's.
func hostileUser(fx *fixture.Directory, rdn, name, uid, gid, gecos string) string {
	return fixture.Entry("cn="+rdn+",ou=zdup,"+fx.PeopleDN, fixture.A(
		"objectClass", "account", "objectClass", "posixAccount",
		"cn", rdn, "uid", name, "uidNumber", uid, "gidNumber", gid, "gecos", gecos,
		"homeDirectory", "/home/"+rdn, "loginShell", "/bin/sh"))
}

func hostileGroup(fx *fixture.Directory, name, gid string, members ...string) string {
	attrs := fixture.A("objectClass", "posixGroup", "cn", name, "gidNumber", gid)
	for _, m := range members {
		attrs = append(attrs, fixture.Attr{Name: "memberUid", Value: m})
	}
	return fixture.Entry("cn="+name+",ou=zdup,"+fx.GroupsDN, attrs)
}

func TestPullHostileEntries(t *testing.T) {
	srv := slapdtest.MustStart(t, slapdtest.Options{SizeLimit: 500})
	fx := fixture.Generate(fixture.Options{Users: 5000, Groups: 3, MembersPerGroup: 2, BigGroupMembers: 5000})
	gecos900 := strings.Repeat("g", 900)
	ldif := fx.LDIF +
		fixture.Entry("ou=zdup,"+fx.PeopleDN, fixture.A("objectClass", "organizationalUnit", "ou", "zdup")) +
		fixture.Entry("ou=zdup,"+fx.GroupsDN, fixture.A("objectClass", "organizationalUnit", "ou", "zdup")) +
		hostileUser(fx, "uidzero", "uidzero", "0", "10000", "") +
		hostileUser(fx, "lowuid", "lowuid", "500", "10000", "") +
		hostileUser(fx, "colon", "bad:name", "30001", "10000", "") +
		hostileUser(fx, "newline", "bad\nname", "30002", "10000", "") +
		hostileUser(fx, "negative", "negative", "-5", "10000", "") +
		hostileUser(fx, "huge", "huge", "4294967296", "10000", "") +
		hostileUser(fx, "dupname", "user000001", "30003", "10000", "") +
		hostileUser(fx, "zdupuid", "zdupuid", "10002", "10000", "") +
		hostileUser(fx, "localroot", "root", "30004", "10000", "") +
		hostileUser(fx, "localuid", "localuid", "1000", "10000", "") +
		hostileUser(fx, "toolong", strings.Repeat("a", 33), "30005", "10000", "") +
		hostileUser(fx, "gidzero", "gidzero", "30006", "0", "") +
		hostileUser(fx, "gidsudo", "gidsudo", "30010", "27", "") +
		hostileUser(fx, "gidusers", "gidusers", "30011", "100", "") +
		hostileUser(fx, "gecoscolon", "gecoscolon", "30007", "10000", "a:b") +
		hostileUser(fx, "gecos3k", "gecos3k", "30008", "10000", strings.Repeat("x", 3072)) +
		hostileUser(fx, "gecos900", "gecos900", "30009", "10000", gecos900) +
		hostileGroup(fx, "grpzero", "0") +
		hostileGroup(fx, "users", "30100") +
		hostileGroup(fx, "zdupgid", "10001") +
		hostileGroup(fx, "badmember", "30101", "user000001", "evil,member", "evil:member", "ghostuser")
	srv.MustLoad(t, ldif)

	d := readerDir(srv, fx)
	d.Attr[config.FieldGecos] = "gecos"
	cfg := testConfig(t, 500, d)
	res, err := Pull(context.Background(), cfg, discard)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{ // rejected name -> words its reason must hold
		"uidzero": "reserved", "lowuid": "outside the allowed range", "bad:name": "not allowed in a name",
		"bad\nname": "not allowed in a name", "negative": "not a decimal", "huge": "out of range",
		"user000001": "duplicate name; kept cn=dupname", "user000002": "duplicate uid 10002; kept cn=zdupuid", "root": "local user",
		"localuid": "collides with local user \"localuser\"", strings.Repeat("a", 33): "longer than 32",
		"gidzero": "reserved", "gidsudo": "primary gid 27 outside gidrange 1000-200000",
		"gidusers": "primary gid 100 outside gidrange 1000-200000", "gecoscolon": "contains ':'", "gecos3k": "over the 1024-byte limit",
		"grpzero": "reserved", "users": "local group", "zdupgid": "duplicate gid",
	}
	got := map[string]string{}
	for _, r := range res.Rejections {
		if r.DN == "" || r.Map == "" {
			t.Errorf("rejection without DN or map: %+v", r)
		}
		if r.Name == "badmember" {
			got["badmember:"+r.Reason] = r.Reason
			continue
		}
		if _, dup := got[r.Name]; dup {
			t.Errorf("%q rejected twice", r.Name)
		}
		got[r.Name] = r.Reason
	}
	for name, words := range want {
		if !strings.Contains(got[name], words) {
			t.Errorf("rejection of %q: %q, want it to mention %q", name, got[name], words)
		}
		delete(got, name)
	}
	if len(got) != 2 { // the two bad member values of badmember
		t.Errorf("unexpected rejections: %v", got)
	}

	// Everything valid is published: the fixture, gecos900 intact, the
	// 5,000-member group whole, badmember with its valid members.
	users := map[string]int{}
	for i, u := range res.Snapshot.Users {
		users[u.Name] = i
	}
	// 5,000 fixture users, less user000001 and user000002 (lost their
	// duplicates), plus dupname (as user000001), zdupuid and gecos900.
	if len(res.Snapshot.Users) != 5001 {
		t.Fatalf("%d users, want 5001", len(res.Snapshot.Users))
	}
	if u := res.Snapshot.Users[users["gecos900"]]; u.Gecos != gecos900 || u.UID != 30009 {
		t.Fatalf("gecos900 = %+v", u)
	}
	if u := res.Snapshot.Users[users["user000001"]]; u.UID != 30003 || u.Dir != "/home/dupname" {
		t.Fatalf("the wrong duplicate won: %+v", u)
	}
	if u := res.Snapshot.Users[users["zdupuid"]]; u.UID != 10002 {
		t.Fatalf("zdupuid = %+v", u)
	}
	groups := map[string][]string{}
	for _, g := range res.Snapshot.Groups {
		groups[g.Name] = g.Members
	}
	if len(groups) != 4 || len(groups["group00000"]) != 5000 {
		t.Fatalf("groups: %d, big group %d members", len(groups), len(groups["group00000"]))
	}
	if m := groups["badmember"]; strings.Join(m, ",") != "user000001,ghostuser" {
		t.Fatalf("badmember members %q", m)
	}

	// The same data under CollisionFail: the pull fails, no snapshot.
	cfg.Collisions = config.CollisionFail
	res, err = Pull(context.Background(), cfg, discard)
	var ce *validate.CollisionError
	if !errors.As(err, &ce) || res.Snapshot != nil || len(ce.Rejections) != 2 {
		t.Fatalf("CollisionFail: err %v, snapshot %v", err, res.Snapshot != nil)
	}
}
