package slapdtest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// writeTLS creates, in dir: ca.crt (the CA that signed the server
// certificate), server.crt/server.key (for 127.0.0.1 and localhost), and
// wrong-ca.crt (an unrelated CA, for tests that must fail verification),
// and client.crt/client.key (subject cn=ldapidm-client, for SASL EXTERNAL).
// Plain crypto/x509 keeps tests independent of the openssl CLI.
func writeTLS(dir string) (caFile, wrongCAFile string, err error) {
	caKey, caCert, caDER, err := newCA("ldapidm test CA")
	if err != nil {
		return "", "", err
	}
	_, _, wrongDER, err := newCA("ldapidm unrelated CA")
	if err != nil {
		return "", "", err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return "", "", err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "localhost"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(30 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, &key.PublicKey, caKey)
	if err != nil {
		return "", "", err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return "", "", err
	}
	ckey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return "", "", err
	}
	ctmpl := &x509.Certificate{
		SerialNumber: big.NewInt(3),
		Subject:      pkix.Name{CommonName: clientCN},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(30 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	cDER, err := x509.CreateCertificate(rand.Reader, ctmpl, caCert, &ckey.PublicKey, caKey)
	if err != nil {
		return "", "", err
	}
	cKeyDER, err := x509.MarshalPKCS8PrivateKey(ckey)
	if err != nil {
		return "", "", err
	}
	caFile = filepath.Join(dir, "ca.crt")
	wrongCAFile = filepath.Join(dir, "wrong-ca.crt")
	for _, f := range []struct {
		path, typ string
		der       []byte
		mode      os.FileMode
	}{
		{caFile, "CERTIFICATE", caDER, 0o644},
		{wrongCAFile, "CERTIFICATE", wrongDER, 0o644},
		{filepath.Join(dir, "server.crt"), "CERTIFICATE", der, 0o644},
		{filepath.Join(dir, "server.key"), "PRIVATE KEY", keyDER, 0o600},
		{filepath.Join(dir, "client.crt"), "CERTIFICATE", cDER, 0o644},
		{filepath.Join(dir, "client.key"), "PRIVATE KEY", cKeyDER, 0o600},
	} {
		data := pem.EncodeToMemory(&pem.Block{Type: f.typ, Bytes: f.der})
		if err := os.WriteFile(f.path, data, f.mode); err != nil {
			return "", "", err
		}
	}
	return caFile, wrongCAFile, nil
}

// clientCN is the client certificate's subject; slapd maps the SASL
// EXTERNAL identity "cn=ldapidm-client" to the reader entry.
const clientCN = "ldapidm-client"

func newCA(cn string) (*ecdsa.PrivateKey, *x509.Certificate, []byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, nil, err
	}
	serial, err := rand.Int(rand.Reader, big.NewInt(1<<62))
	if err != nil {
		return nil, nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: cn},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(30 * 24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, nil, err
	}
	cert, err := x509.ParseCertificate(der)
	return key, cert, der, err
}
