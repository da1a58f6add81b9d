package e2e

import (
	"context"
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/ldapidm/ldapidm/internal/fixture"
	"github.com/ldapidm/ldapidm/internal/slapdtest"
)

// A full pull of a few thousand users and groups, through a server whose
// size limit is far below the population (only RFC 2696 paging can read it
// whole), gives exactly the fixture's expected snapshot as seen by getent.
func TestFullPull(t *testing.T) {
	needGetent(t)
	for _, style := range []fixture.Style{fixture.RFC2307, fixture.RFC2307bis} {
		name := map[fixture.Style]string{fixture.RFC2307: "rfc2307", fixture.RFC2307bis: "rfc2307bis"}[style]
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			fx := fixture.Generate(fixture.Options{Users: 3000, Groups: 400, MembersPerGroup: 12,
				BigGroupMembers: 1500, Style: style})
			srv := slapdtest.MustStart(t, slapdtest.Options{SizeLimit: 250})
			if err := srv.Load(context.Background(), fx.LDIF); err != nil {
				t.Fatal(err)
			}
			e := newEnv(t)
			e.write(conf{Jitter: -1, MaxShrink: -1, PageSize: 200, Dirs: []dirConf{fixtureDir(srv, fx)}})
			e.mustRefresh()

			want := make([]string, len(fx.Snapshot.Users))
			for i, u := range fx.Snapshot.Users {
				want[i] = passwdLine(u)
			}
			out, code := e.getent("passwd")
			if code != 0 {
				t.Fatalf("getent passwd: exit %d", code)
			}
			wantEnum(t, "getent passwd", out, want)

			want = want[:0]
			for _, g := range fx.Snapshot.Groups {
				want = append(want, groupLine(g))
			}
			out, code = e.getent("group")
			if code != 0 {
				t.Fatalf("getent group: exit %d", code)
			}
			wantEnum(t, "getent group", out, want)

			// Point lookups and initgroups for a spread of users, including
			// the first, the last and members of the big group.
			for _, i := range []int{0, 1, 11, 12, 1499, 1500, 2222, 2999} {
				u := fx.Snapshot.Users[i]
				if out, _ := e.getent("passwd", u.Name); strings.TrimSpace(out) != passwdLine(u) {
					t.Errorf("getent passwd %s = %q, want %q", u.Name, out, passwdLine(u))
				}
				if out, _ := e.getent("passwd", fmt.Sprint(u.UID)); strings.TrimSpace(out) != passwdLine(u) {
					t.Errorf("getent passwd %d = %q", u.UID, out)
				}
				out, code := e.getent("initgroups", u.Name)
				if got, want := initgroups(out), memberOf(fx.Snapshot, u.Name); code != 0 || !slices.Equal(got, want) {
					t.Errorf("getent initgroups %s = %v (exit %d), want %v", u.Name, got, code, want)
				}
			}
			big := fx.Snapshot.Groups[0]
			if out, _ := e.getent("group", big.Name); strings.TrimSpace(out) != groupLine(big) {
				t.Errorf("getent group %s: %d bytes, want the %d-member line", big.Name, len(out), len(big.Members))
			}
			if _, code := e.getent("passwd", "nosuchuser"); code != 2 {
				t.Errorf("getent passwd nosuchuser: exit %d, want 2 (not found)", code)
			}

			rep, r := e.statusJSON()
			if r.Code != 0 || rep.Health != "ok" {
				t.Fatalf("status: %s", r)
			}
			s := rep.Status
			t.Logf("%s: pull+publish of %d users, %d groups took %.2fs (directory read %.2fs)", name,
				s.Users, s.Groups, s.DurationSeconds, s.Directories[0].DurationSeconds)
			if s.Users != 3000 || s.Groups != 400 || s.Rejected != 0 || len(s.Directories) != 1 ||
				s.Directories[0].Server != srv.URL || s.Directories[0].Users != 3000 {
				t.Errorf("status: %+v", s)
			}
			e.noLeftovers()
		})
	}
}

// ldaps and StartTLS verify the server against the configured CA: the right
// CA reads the directory, a wrong one fails the attempt and leaves the cache
// exactly as it was.
func TestTLS(t *testing.T) {
	needGetent(t)
	t.Parallel()
	fx := fixture.Generate(fixture.Options{Users: 40, Groups: 5, MembersPerGroup: 3})
	srv := slapdtest.MustStart(t, slapdtest.Options{TLS: true})
	srv.MustAdd(t, fx.LDIF)
	for _, mode := range []string{"ldaps", "tls"} {
		t.Run(mode, func(t *testing.T) {
			e := newEnv(t)
			d := fixtureDir(srv, fx)
			d.TLS, d.CAFile = mode, srv.CAFile
			if mode == "ldaps" {
				d.Port = srv.LDAPSPort
			}
			e.write(conf{Jitter: -1, MaxShrink: -1, Dirs: []dirConf{d}})
			e.mustRefresh()
			gen := e.generation()
			before, _ := e.getent("passwd")
			if len(lines(before)) != 40 {
				t.Fatalf("after a good %s pull getent shows %d users", mode, len(lines(before)))
			}

			d.CAFile = srv.WrongCAFile
			e.write(conf{Jitter: -1, MaxShrink: -1, Dirs: []dirConf{d}})
			r := e.refresh("--once")
			if r.Code == 0 {
				t.Fatalf("%s with the wrong CA succeeded:\n%s", mode, r)
			}
			if !strings.Contains(strings.ToLower(r.Stderr), "certificate") {
				t.Errorf("the failure does not mention the certificate:\n%s", r)
			}
			if g := e.generation(); g != gen {
				t.Errorf("generation %d after a failed pull, want %d", g, gen)
			}
			if after, _ := e.getent("passwd"); after != before {
				t.Errorf("getent output changed after a failed pull")
			}
			rep, sr := e.statusJSON()
			if sr.Code != 1 || rep.Status == nil || !rep.Status.Failed() || rep.Status.ConsecutiveFailures != 1 {
				t.Errorf("status after the failure: %s", sr)
			}
			// The human form: the old cache, its age, and the failure.
			out, err := exec.Command(refresher, "status", "--cachedir", e.cacheDir).CombinedOutput()
			if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 ||
				!strings.Contains(string(out), fmt.Sprintf("generation %d", gen)) ||
				!strings.Contains(string(out), " ago)") || !strings.Contains(string(out), "FAILED") {
				t.Errorf("status (text) after the failure: %v\n%s", err, out)
			}
			e.noLeftovers()
		})
	}
}
