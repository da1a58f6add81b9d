// Command slapdtest starts one private slapd for shell scripts (the demo,
// benchmarks, docker tests), prints how to reach it as shell KEY=value
// lines on stdout, and stays in the foreground until SIGTERM or SIGINT,
// when it stops slapd and removes a temporary directory.
//
// Typical use from bash, reading the lines until READY=1:
//
//	coproc SLAPD { slapdtest -users 100000 -groups 10000 -members 10; }
//	while read -r line <&"${SLAPD[0]}"; do eval "$line"; [ "$line" = READY=1 ] && break; done
//
// Data comes from -ldif files (loaded with slapadd, in order) and/or a
// generated fixture (-users, -groups, …); the fixture is loaded first.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/ldapidm/ldapidm/internal/fixture"
	"github.com/ldapidm/ldapidm/internal/slapdtest"
)

type ldifFiles []string

func (l *ldifFiles) String() string     { return strings.Join(*l, ",") }
func (l *ldifFiles) Set(v string) error { *l = append(*l, v); return nil }

func main() {
	var (
		files ldifFiles
		opts  slapdtest.Options
		fx    fixture.Options
		bis   bool
	)
	flag.Var(&files, "ldif", "LDIF file to load (repeatable)")
	flag.StringVar(&opts.Suffix, "suffix", slapdtest.DefaultSuffix, "database suffix")
	flag.IntVar(&opts.SizeLimit, "sizelimit", 0, "size limit for non-paged searches (0: unlimited)")
	flag.BoolVar(&opts.TLS, "tls", false, "generate a CA and enable ldaps:// and StartTLS")
	flag.StringVar(&opts.Dir, "dir", "", "instance directory (default: a temporary one, removed at exit)")
	flag.IntVar(&fx.Users, "users", 0, "fixture: number of users")
	flag.IntVar(&fx.Groups, "groups", 0, "fixture: number of groups")
	flag.IntVar(&fx.MembersPerGroup, "members", 0, "fixture: members per group")
	flag.IntVar(&fx.BigGroupMembers, "big-group", 0, "fixture: members of group 0")
	flag.BoolVar(&fx.Shadow, "shadow", false, "fixture: shadowAccount data")
	flag.BoolVar(&fx.Friendly, "friendly", false, "fixture: readable names for the first users and groups")
	flag.BoolVar(&bis, "rfc2307bis", false, "fixture: groupOfNames with member DNs")
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	if err := run(ctx, os.Stdout, opts, fx, bis, files); err != nil {
		log.Error("slapdtest failed", "err", err)
		os.Exit(1)
	}
}

// run starts the server, prints its KEY=value lines and READY=1 to out, and
// stops it when ctx ends.
func run(ctx context.Context, out io.Writer, opts slapdtest.Options, fx fixture.Options, bis bool, files []string) error {
	srv, err := slapdtest.Start(ctx, opts)
	if err != nil {
		return err
	}
	defer srv.Stop()
	var ldif strings.Builder
	if fx.Users > 0 || fx.Groups > 0 {
		fx.Suffix = srv.Suffix
		if bis {
			fx.Style = fixture.RFC2307bis
		}
		ldif.WriteString(fixture.Generate(fx).LDIF)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		ldif.Write(data)
		ldif.WriteString("\n")
	}
	if ldif.Len() > 0 {
		if err := srv.Load(ctx, ldif.String()); err != nil {
			return err
		}
	}
	for _, kv := range [][2]string{
		{"LDAP_URL", srv.URL}, {"LDAPS_URL", srv.LDAPSURL}, {"LDAP_HOST", srv.Host},
		{"LDAP_PORT", fmt.Sprint(srv.Port)}, {"LDAPS_PORT", fmt.Sprint(srv.LDAPSPort)},
		{"LDAP_SUFFIX", srv.Suffix}, {"LDAP_ADMIN_DN", srv.AdminDN}, {"LDAP_ADMIN_PW", srv.AdminPW},
		{"LDAP_READER_DN", srv.ReaderDN}, {"LDAP_READER_PW", srv.ReaderPW},
		{"LDAP_CAFILE", srv.CAFile}, {"LDAP_WRONG_CAFILE", srv.WrongCAFile}, {"LDAP_DIR", srv.Dir},
		{"LDAP_LOG", srv.LogPath()}, {"SLAPDTEST_PID", fmt.Sprint(os.Getpid())},
	} {
		fmt.Fprintf(out, "%s=%s\n", kv[0], shellQuote(kv[1]))
	}
	fmt.Fprintln(out, "READY=1")
	<-ctx.Done()
	return srv.Stop()
}

// shellQuote quotes s for POSIX sh.
func shellQuote(s string) string {
	if s == "" {
		return "''"
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
