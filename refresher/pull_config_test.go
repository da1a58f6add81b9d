package refresher

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/ldapidm/ldapidm/internal/fixture"
	"github.com/ldapidm/ldapidm/internal/slapdtest"
	"github.com/ldapidm/ldapidm/refresher/config"
)

// The contract with the config parser: a ldapidm.conf as an administrator
// writes it (RFC 2307bis, ldaps, SASL EXTERNAL with a client certificate,
// shadow, defaults for everything else) pulls exactly the fixture.
func TestPullParsedConfig(t *testing.T) {
	srv := slapdtest.MustStart(t, slapdtest.Options{TLS: true, SizeLimit: 40})
	fx := fixture.Generate(fixture.Options{Users: 90, Groups: 6, MembersPerGroup: 8, Style: fixture.RFC2307bis, Shadow: true})
	srv.MustLoad(t, fx.LDIF)
	local := testConfig(t, 0) // only for its local files
	text := fmt.Sprintf(`uidrange 1000 200000
gidrange 1000 200000
localfiles %q %q
pagesize 7
directory "localhost" ldaps port %d {
	basedn %q
	groupdn %q
	bindext
	certfile %q
	keyfile %q
	cafile %q
	shadow yes
	group filter "(|(objectClass=posixGroup)(objectClass=ldapidmPosixGroupAux))"
	list groupmembers maps to "member"
	nested depth 3
}
`, local.LocalPasswd, local.LocalGroup, srv.LDAPSPort, fx.PeopleDN, fx.GroupsDN,
		srv.ClientCertFile, srv.ClientKeyFile, srv.CAFile)
	cfg, err := config.Parse("test.conf", strings.NewReader(text))
	if err != nil {
		t.Fatalf("Parse: %v\n%s", err, text)
	}
	res, err := Pull(context.Background(), cfg, discard)
	if err != nil {
		t.Fatal(err)
	}
	checkSnapshot(t, res.Snapshot, fx.Snapshot)
	if len(res.Rejections) != 0 {
		t.Fatalf("rejections: %v", res.Rejections)
	}
}
