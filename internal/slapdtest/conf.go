package slapdtest

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// schemaDir is where Debian's slapd package installs its schema files.
const schemaDir = "/etc/ldap/schema"

// auxSchema lets an RFC 2307bis-style group (groupOfNames or
// groupOfUniqueNames, both structural) also carry gidNumber and memberUid:
// RFC 2307's posixGroup is structural in Debian's nis.schema, so the two
// cannot be combined without an auxiliary class. The OID arc is a private
// example arc (1.3.6.1.4.1.4203.666 is OpenLDAP's "experimental" arc).
const auxSchema = `objectclass ( 1.3.6.1.4.1.4203.666.11.77.1 NAME 'ldapidmPosixGroupAux'
	DESC 'test-only: POSIX attributes for groupOfNames/groupOfUniqueNames'
	SUP top AUXILIARY
	MUST gidNumber
	MAY ( memberUid $ userPassword $ description ) )
`

// writeConfig writes slapd.conf (and the aux schema) into s.Dir.
func (s *Server) writeConfig(o Options) error {
	aux := filepath.Join(s.Dir, "ldapidm-aux.schema")
	if err := os.WriteFile(aux, []byte(auxSchema), 0o644); err != nil {
		return err
	}
	var b strings.Builder
	for _, sc := range []string{"core", "cosine", "nis", "inetorgperson"} {
		fmt.Fprintf(&b, "include %s/%s.schema\n", schemaDir, sc)
	}
	fmt.Fprintf(&b, "include %s\n", aux)
	fmt.Fprintf(&b, "pidfile %s\nargsfile %s\n", filepath.Join(s.Dir, "slapd.pid"), filepath.Join(s.Dir, "slapd.args"))
	b.WriteString("modulepath /usr/lib/ldap\nmoduleload back_mdb\n")
	if o.TLS {
		fmt.Fprintf(&b, "TLSCACertificateFile %s\nTLSCertificateFile %s\nTLSCertificateKeyFile %s\n",
			s.CAFile, filepath.Join(s.Dir, "server.crt"), filepath.Join(s.Dir, "server.key"))
		// A client certificate is optional; when presented, SASL EXTERNAL
		// binds as the reader (slapd-config(5) authz-regexp).
		b.WriteString("TLSVerifyClient try\n")
		fmt.Fprintf(&b, "authz-regexp \"^cn=%s$\" %q\n", clientCN, s.ReaderDN)
	}
	// The global size limit applies to searches that match no database, the
	// per-database limits below to everything else.
	b.WriteString("sizelimit unlimited\n")
	b.WriteString("database mdb\nmaxsize 2147483648\n")
	fmt.Fprintf(&b, "suffix %q\nrootdn %q\nrootpw %s\n", s.Suffix, s.AdminDN, adminPW)
	fmt.Fprintf(&b, "directory %s\n", filepath.Join(s.Dir, "db"))
	b.WriteString("index objectClass eq\nindex uid,cn,memberUid eq\nindex uidNumber,gidNumber eq\n")
	if o.SizeLimit > 0 || o.PagedTotalLimit > 0 {
		// slapd.limits(5): soft/hard cap plain searches; size.pr (page
		// size) stays unlimited because slapd refuses a larger page with
		// adminLimitExceeded instead of shrinking it; size.prtotal caps a
		// whole paged search ("unlimited" lets it walk everything).
		lim, pr, total := "unlimited", "unlimited", "unlimited"
		if o.SizeLimit > 0 {
			lim = strconv.Itoa(o.SizeLimit)
		}
		if o.PagedTotalLimit > 0 {
			total = strconv.Itoa(o.PagedTotalLimit)
		}
		fmt.Fprintf(&b, "limits * size.soft=%s size.hard=%s size.pr=%s size.prtotal=%s\n", lim, lim, pr, total)
	}
	// Passwords: anonymous may only bind with them; the reader (and any
	// bound user) may read them, which the shadow map needs.
	b.WriteString("access to attrs=userPassword by anonymous auth by users read by * none\n")
	b.WriteString("access to * by * read\n")
	return os.WriteFile(filepath.Join(s.Dir, "slapd.conf"), []byte(b.String()), 0o600)
}

// marker is stored in the suffix entry so that the readiness check knows it
// reached this instance and not another one that grabbed the same port in
// the window between picking it and slapd binding it.
func (s *Server) marker() string { return "slapdtest instance " + s.Dir }

// baseLDIF is the skeleton every instance starts with: the suffix entry, the
// reader identity, ou=people and ou=groups.
func (s *Server) baseLDIF() string {
	rdn := strings.SplitN(s.Suffix, ",", 2)[0]
	attr, val, _ := strings.Cut(rdn, "=")
	var top string
	switch strings.ToLower(attr) {
	case "dc":
		top = fmt.Sprintf("objectClass: dcObject\nobjectClass: organization\ndc: %s\no: %s\n", val, val)
	case "o":
		top = fmt.Sprintf("objectClass: organization\no: %s\n", val)
	case "ou":
		top = fmt.Sprintf("objectClass: organizationalUnit\nou: %s\n", val)
	default:
		top = fmt.Sprintf("objectClass: extensibleObject\nobjectClass: top\n%s: %s\n", attr, val)
	}
	return fmt.Sprintf(`dn: %s
%sdescription: %s

dn: %s
objectClass: organizationalRole
objectClass: simpleSecurityObject
cn: reader
userPassword: %s

dn: ou=people,%s
objectClass: organizationalUnit
ou: people

dn: ou=groups,%s
objectClass: organizationalUnit
ou: groups
`, s.Suffix, top, s.marker(), s.ReaderDN, readerPW, s.Suffix, s.Suffix)
}
