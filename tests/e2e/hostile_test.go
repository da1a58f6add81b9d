package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/ldapidm/ldapidm/cache"
	"github.com/ldapidm/ldapidm/internal/fixture"
	"github.com/ldapidm/ldapidm/internal/slapdtest"
)

// posix is a posixAccount entry under base with the given uid attribute
// value, uidNumber and extra attributes.
func posix(dn, uid, uidNumber string, extra ...string) string {
	attrs := fixture.A("objectClass", "top", "objectClass", "account", "objectClass", "posixAccount",
		"uid", uid, "cn", "hostile", "uidNumber", uidNumber, "gidNumber", "10000", "homeDirectory", "/home/x")
	return fixture.Entry(dn, append(attrs, fixture.A(extra...)...))
}

// odd is an entry of the second directory, whose uid comes from
// employeeNumber (a DirectoryString, so it can hold a non-number, which
// slapd's INTEGER syntax for uidNumber would refuse at add time).
func odd(dn, uid, employeeNumber string) string {
	return fixture.Entry(dn, fixture.A("objectClass", "inetOrgPerson", "objectClass", "posixAccount",
		"uid", uid, "cn", uid, "sn", uid, "uidNumber", "39999", "gidNumber", "10000",
		"homeDirectory", "/home/"+uid, "loginShell", "/bin/sh", "employeeNumber", employeeNumber))
}

// Hostile entries are rejected one by one, with their DN and reason in
// `status --json`, while everything else (including a 5,000-member group)
// is published and visible through getent.
func TestHostileEntries(t *testing.T) {
	needGetent(t)
	t.Parallel()
	fx := fixture.Generate(fixture.Options{Users: 5000, Groups: 20, MembersPerGroup: 5, BigGroupMembers: 5000})
	s := fx.Suffix
	people := fx.PeopleDN
	hostile := map[string]string{ // DN → what it is
		"cn=uid0," + people:           "uid 0",
		"cn=lowuid," + people:         "uid below the range",
		"cn=colon," + people:          "':' in the name",
		"cn=newline," + people:        "newline in the name",
		"cn=root," + people:           "local account name",
		"uid=longgecos," + people:     "3 KB gecos",
		"cn=badgroup,ou=groups," + s:  "':' in a group name",
		"cn=gid0group,ou=groups," + s: "group gid 0",
		"cn=oddnum,ou=odd," + s:       "non-numeric uid",
		"cn=dupname,ou=odd," + s:      "duplicate name (first directory wins)",
		"cn=dupuid,ou=odd," + s:       "duplicate uid (first directory wins)",
	}
	var b strings.Builder
	b.WriteString(fx.LDIF)
	b.WriteString(posix("cn=uid0,"+people, "evilroot", "0"))
	b.WriteString(posix("cn=lowuid,"+people, "lowuid", "500"))
	b.WriteString(posix("cn=colon,"+people, "ev:il", "20001"))
	b.WriteString(posix("cn=newline,"+people, "ev\nil", "20002"))
	b.WriteString(posix("cn=root,"+people, "root", "20003"))
	// gecos comes from cn (the default mapping); cn is multi-valued, so the
	// entry's only cn is the 3 KB one and its RDN uses another attribute.
	b.WriteString(fixture.Entry("uid=longgecos,"+people, fixture.A("objectClass", "account", "objectClass", "posixAccount",
		"uid", "longgecos", "cn", strings.Repeat("g", 3072), "uidNumber", "20004", "gidNumber", "10000", "homeDirectory", "/home/x")))
	b.WriteString(fixture.Entry("cn=badgroup,ou=groups,"+s, fixture.A("objectClass", "posixGroup",
		"cn", "badgroup", "description", "bad:grp", "gidNumber", "20100")))
	b.WriteString(fixture.Entry("cn=gid0group,ou=groups,"+s, fixture.A("objectClass", "posixGroup",
		"cn", "gid0group", "gidNumber", "0")))
	b.WriteString(fixture.Entry("ou=odd,"+s, fixture.A("objectClass", "organizationalUnit", "ou", "odd")))
	b.WriteString(odd("cn=oddgood,ou=odd,"+s, "oddgood", "30002"))
	b.WriteString(odd("cn=oddnum,ou=odd,"+s, "oddnum", "12ab"))
	b.WriteString(odd("cn=dupname,ou=odd,"+s, fx.Snapshot.Users[3].Name, "30003"))
	b.WriteString(odd("cn=dupuid,ou=odd,"+s, "dupuid", fmt.Sprint(fx.Snapshot.Users[5].UID)))
	b.WriteString(fixture.Entry("ou=oddgroups,"+s, fixture.A("objectClass", "organizationalUnit", "ou", "oddgroups")))
	b.WriteString(fixture.Entry("cn=oddgroup,ou=oddgroups,"+s, fixture.A("objectClass", "posixGroup",
		"cn", "oddgroup", "gidNumber", "30010", "memberUid", "oddgood")))

	srv := slapdtest.MustStart(t, slapdtest.Options{})
	if err := srv.Load(context.Background(), b.String()); err != nil {
		t.Fatal(err)
	}
	e := newEnv(t)
	main := fixtureDir(srv, fx)
	// The group name comes from description so that one group can carry a
	// ':' (cn is the RDN and must stay sane for the DN).
	main.Extra = []string{`attribute groupname maps to "description"`}
	second := dirConf{Host: "127.0.0.1", Port: srv.Port, BaseDN: "ou=odd," + s, GroupDN: "ou=oddgroups," + s,
		BindDN: srv.ReaderDN, BindCred: srv.ReaderPW, Members: "memberUid",
		Extra: []string{`attribute uid maps to "employeeNumber"`}}
	// Groups of the main directory are named from description; give the
	// fixture's groups one equal to their cn.
	var mods strings.Builder
	for _, g := range fx.Snapshot.Groups {
		fmt.Fprintf(&mods, "dn: cn=%s,%s\nchangetype: modify\nadd: description\ndescription: %s\n\n", g.Name, fx.GroupsDN, g.Name)
	}
	fmt.Fprintf(&mods, "dn: cn=gid0group,%s\nchangetype: modify\nadd: description\ndescription: gid0group\n\n", fx.GroupsDN)
	if err := srv.Modify(context.Background(), mods.String()); err != nil {
		t.Fatal(err)
	}
	e.write(conf{Jitter: -1, MaxShrink: -1, Dirs: []dirConf{main, second}})
	e.mustRefresh()

	rep, r := e.statusJSON()
	if r.Code != 0 {
		t.Fatalf("status: %s", r)
	}
	seen := map[string]string{}
	for _, g := range rep.Status.Rejections {
		for _, dn := range g.Examples {
			seen[strings.ToLower(dn)] = g.Reason
		}
	}
	for dn, what := range hostile {
		reason, ok := seen[strings.ToLower(dn)]
		if !ok {
			t.Errorf("%s (%s) is not among the rejections: %+v", dn, what, rep.Status.Rejections)
			continue
		}
		t.Logf("rejected %-40s %-38s reason: %s", dn, what, reason)
	}
	if rep.Status.Rejected < len(hostile) {
		t.Errorf("rejected %d, want at least %d", rep.Status.Rejected, len(hostile))
	}

	// Everything valid is served, in uid order, the second directory's
	// good user after the fixture's.
	wantUsers := append([]cache.User(nil), fx.Snapshot.Users...)
	wantUsers = append(wantUsers, cache.User{Name: "oddgood", Passwd: "*", UID: 30002, GID: 10000,
		Gecos: "oddgood", Dir: "/home/oddgood", Shell: "/bin/sh"})
	want := make([]string, len(wantUsers))
	for i, u := range wantUsers {
		want[i] = passwdLine(u)
	}
	out, _ := e.getent("passwd")
	wantEnum(t, "getent passwd", out, want)

	wantGroups := append(fx.Snapshot.Groups, cache.Group{Name: "oddgroup", Passwd: "*", GID: 30010, Members: []string{"oddgood"}})
	want = want[:0]
	for _, g := range wantGroups {
		want = append(want, groupLine(g))
	}
	out, _ = e.getent("group")
	wantEnum(t, "getent group", out, want)

	big := fx.Snapshot.Groups[0]
	out, code := e.getent("group", big.Name)
	if code != 0 || strings.Count(out, ",") != 4999 || strings.TrimSpace(out) != groupLine(big) {
		t.Errorf("getent group %s: exit %d, %d members, want all 5,000", big.Name, code, strings.Count(out, ",")+1)
	}
	for _, name := range []string{"evilroot", "lowuid", "longgecos", "oddnum", "dupuid"} {
		if out, code := e.getent("passwd", name); code != 2 {
			t.Errorf("rejected %s is served: %q", name, out)
		}
	}
	// The local root stays the local one: ldapidm has no root.
	if out, code := e.getent("passwd", "root"); code != 2 {
		t.Errorf("getent -s ldapidm passwd root = %q, want not found", out)
	}
	e.noLeftovers()
}
