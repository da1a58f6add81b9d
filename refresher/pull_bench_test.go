package refresher

import (
	"context"
	"os"
	"strconv"
	"testing"

	"github.com/ldapidm/ldapidm/internal/fixture"
	"github.com/ldapidm/ldapidm/internal/slapdtest"
)

// benchSize is the population of the pull benchmarks: issue #3's 100,000
// users and 10,000 groups unless LDAPIDM_BENCH_USERS / _GROUPS say
// otherwise (loading 100,000 entries takes a few seconds, once per run).
func benchSize(b *testing.B) (users, groups int) {
	users, groups = 100000, 10000
	for _, v := range []struct {
		env string
		dst *int
	}{{"LDAPIDM_BENCH_USERS", &users}, {"LDAPIDM_BENCH_GROUPS", &groups}} {
		if s := os.Getenv(v.env); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < 1 {
				b.Fatalf("%s=%q: want a positive number", v.env, s)
			}
			*v.dst = n
		}
	}
	return users, groups
}

// BenchmarkPull is the refresher's read side at issue #3's size: connect,
// paged searches, mapping and validation of a whole directory from a local
// slapd (everything bench/pull.sh times except the publish, which belongs
// to cache/). Profile it with -cpuprofile / -memprofile; each iteration
// checks it got every entry, so a fast wrong pull cannot pass.
func BenchmarkPull(b *testing.B) {
	nu, ng := benchSize(b)
	srv := slapdtest.MustStart(b, slapdtest.Options{})
	fx := fixture.Generate(fixture.Options{Users: nu, Groups: ng, MembersPerGroup: 10, BigGroupMembers: 5000})
	srv.MustLoad(b, fx.LDIF)
	d := fx.ConfigDirectory(srv.Host, srv.Port) // anonymous, like bench/pull.sh
	cfg := testConfig(b, 1000, d)
	cfg.UIDMax, cfg.GIDMax = 0, 0
	b.ReportAllocs()
	for b.Loop() {
		res, err := Pull(context.Background(), cfg, discard)
		if err != nil {
			b.Fatal(err)
		}
		if got := len(res.Snapshot.Users); got != nu {
			b.Fatalf("pulled %d users, want %d", got, nu)
		}
		if got := len(res.Snapshot.Groups); got != ng {
			b.Fatalf("pulled %d groups, want %d", got, ng)
		}
	}
	b.ReportMetric(float64(nu+ng), "entries/op")
}
