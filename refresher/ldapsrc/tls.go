package ldapsrc

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"

	"github.com/ldapidm/ldapidm/refresher/config"
)

// tlsConfig builds the verification settings for host. Verification is
// always on: the directory's CA file, else the global one, else the system
// pool. ServerName is the configured host name (or IP), never an address
// it resolved to, so a certificate for the name is what is checked.
func tlsConfig(d *config.Directory, host string) (*tls.Config, error) {
	tc := &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
	caFile := d.CAFile // the global cafile is already copied in (config/check.go)
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, fmt.Errorf("reading cafile: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("cafile %s holds no PEM certificate", caFile)
		}
		tc.RootCAs = pool
	}
	if d.CertFile != "" || d.KeyFile != "" {
		if d.CertFile == "" || d.KeyFile == "" {
			return nil, errors.New("certfile and keyfile must be given together")
		}
		cert, err := tls.LoadX509KeyPair(d.CertFile, d.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("loading client certificate: %w", err)
		}
		tc.Certificates = []tls.Certificate{cert}
	}
	return tc, nil
}
