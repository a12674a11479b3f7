// Package pki generates throwaway certificates for the ngxlint harness: a
// per-run root CA, optional intermediate CAs (to exercise
// proxy_ssl_verify_depth), leaf certificates for a list of DNS names or IPs,
// and self-signed "impostor" certificates.
//
// All keys are ECDSA P-256 and all certificates are X.509 v3 with the
// extensions OpenSSL 3 (nginx 1.22 on Debian bookworm) insists on:
// basicConstraints on CAs, keyUsage, extendedKeyUsage serverAuth on leaves,
// subjectAltName (the CN is never used for name checks).
package pki

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"time"
)

// Default validity window. NotBefore is backdated to tolerate clock skew.
const (
	defaultBackdate = time.Hour
	defaultLifetime = 7 * 24 * time.Hour
)

// CA is a certificate authority (root or intermediate) that can issue
// certificates.
type CA struct {
	Cert    *x509.Certificate
	Key     crypto.Signer
	CertPEM []byte
	KeyPEM  []byte

	// parents holds the issuing CAs above this one, nearest first, without
	// the root. Empty for a root.
	parents []*CA
	root    *CA
}

// Leaf is an issued end-entity certificate.
type Leaf struct {
	Cert    *x509.Certificate
	Key     crypto.Signer
	CertPEM []byte // the leaf only
	KeyPEM  []byte // PKCS#8 "PRIVATE KEY"
	// ChainPEM holds the intermediates, nearest to the leaf first, without
	// the root. Empty for a leaf issued by a root or for a self-signed leaf.
	ChainPEM []byte
	// RootPEM is the trust anchor to hand to proxy_ssl_trusted_certificate.
	// For a self-signed leaf it is the leaf itself.
	RootPEM []byte
}

// FullChainPEM returns the leaf followed by its intermediates, the order a
// TLS server sends them in.
func (l *Leaf) FullChainPEM() []byte {
	return append(append([]byte{}, l.CertPEM...), l.ChainPEM...)
}

// TLSCertificate returns the leaf and its chain as a tls.Certificate.
func (l *Leaf) TLSCertificate() (tls.Certificate, error) {
	return tls.X509KeyPair(l.FullChainPEM(), l.KeyPEM)
}

// Options tweak an issued certificate. The zero value gives sane defaults.
type Options struct {
	NotBefore time.Time // default: now - 1h
	NotAfter  time.Time // default: now + 7 days
	// CommonName defaults to the first name (leaves) or a generated name (CAs).
	CommonName string
}

func (o Options) window() (time.Time, time.Time) {
	now := time.Now()
	nb, na := o.NotBefore, o.NotAfter
	if nb.IsZero() {
		nb = now.Add(-defaultBackdate)
	}
	if na.IsZero() {
		na = now.Add(defaultLifetime)
	}
	return nb, na
}

// NewCA creates a self-signed root CA.
func NewCA(commonName string) (*CA, error) {
	if commonName == "" {
		commonName = "ngxlint harness root CA"
	}
	key, err := newKey()
	if err != nil {
		return nil, err
	}
	nb, na := Options{}.window()
	tmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: commonName, Organization: []string{"ngxlint harness"}},
		NotBefore:             nb,
		NotAfter:              na,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
		SubjectKeyId:          skid(key.Public()),
	}
	ca, err := makeCA(tmpl, tmpl, key, key)
	if err != nil {
		return nil, err
	}
	ca.root = ca
	return ca, nil
}

// NewIntermediate issues an intermediate CA signed by ca.
func (ca *CA) NewIntermediate(commonName string) (*CA, error) {
	if commonName == "" {
		commonName = fmt.Sprintf("ngxlint harness intermediate CA %d", len(ca.parents)+1)
	}
	key, err := newKey()
	if err != nil {
		return nil, err
	}
	nb, na := Options{}.window()
	tmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: commonName, Organization: []string{"ngxlint harness"}},
		NotBefore:             nb,
		NotAfter:              na,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
		SubjectKeyId:          skid(key.Public()),
		AuthorityKeyId:        ca.Cert.SubjectKeyId,
	}
	sub, err := makeCA(tmpl, ca.Cert, key, ca.Key)
	if err != nil {
		return nil, err
	}
	sub.root = ca.root
	if ca != ca.root {
		sub.parents = append([]*CA{ca}, ca.parents...)
	}
	return sub, nil
}

// RootPEM returns the PEM of the root at the top of this CA's chain.
func (ca *CA) RootPEM() []byte { return ca.root.CertPEM }

// IssueLeaf issues a server certificate for names (DNS names or IP
// literals) signed by ca. The chain includes every intermediate between ca
// and the root (ca itself when it is an intermediate).
func (ca *CA) IssueLeaf(names []string, opts ...Options) (*Leaf, error) {
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	if len(names) == 0 {
		return nil, errors.New("pki: a leaf needs at least one name")
	}
	key, err := newKey()
	if err != nil {
		return nil, err
	}
	tmpl := leafTemplate(names, o, key.Public())
	tmpl.AuthorityKeyId = ca.Cert.SubjectKeyId
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, key.Public(), ca.Key)
	if err != nil {
		return nil, fmt.Errorf("pki: issue leaf: %w", err)
	}
	leaf, err := makeLeaf(der, key)
	if err != nil {
		return nil, err
	}
	if ca != ca.root {
		var chain bytes.Buffer
		chain.Write(ca.CertPEM)
		for _, p := range ca.parents {
			chain.Write(p.CertPEM)
		}
		leaf.ChainPEM = chain.Bytes()
	}
	leaf.RootPEM = ca.root.CertPEM
	return leaf, nil
}

// SelfSigned returns an "impostor" certificate for names: a leaf that signs
// itself and chains to no CA. nginx with proxy_ssl_verify on rejects it
// with verify error 18 (depth 0) regardless of the trusted CA.
func SelfSigned(names []string, opts ...Options) (*Leaf, error) {
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	if len(names) == 0 {
		return nil, errors.New("pki: a leaf needs at least one name")
	}
	key, err := newKey()
	if err != nil {
		return nil, err
	}
	tmpl := leafTemplate(names, o, key.Public())
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, fmt.Errorf("pki: self-sign: %w", err)
	}
	leaf, err := makeLeaf(der, key)
	if err != nil {
		return nil, err
	}
	leaf.RootPEM = leaf.CertPEM
	return leaf, nil
}

// Chain is a root, N intermediates and one leaf, for the common case.
type Chain struct {
	Root          *CA
	Intermediates []*CA // root-most first
	Leaf          *Leaf
}

// NewChain creates a fresh root, `intermediates` intermediate CAs below it
// (root → int1 → int2 …) and a leaf for names issued by the last one.
// With intermediates == 2 the served chain is leaf←int2←int1 and nginx needs
// proxy_ssl_verify_depth 2 to accept it.
func NewChain(names []string, intermediates int, opts ...Options) (*Chain, error) {
	root, err := NewCA("")
	if err != nil {
		return nil, err
	}
	c := &Chain{Root: root}
	issuer := root
	for i := 0; i < intermediates; i++ {
		sub, err := issuer.NewIntermediate(fmt.Sprintf("ngxlint harness intermediate CA %d", i+1))
		if err != nil {
			return nil, err
		}
		c.Intermediates = append(c.Intermediates, sub)
		issuer = sub
	}
	c.Leaf, err = issuer.IssueLeaf(names, opts...)
	if err != nil {
		return nil, err
	}
	return c, nil
}

func leafTemplate(names []string, o Options, pub crypto.PublicKey) *x509.Certificate {
	nb, na := o.window()
	cn := o.CommonName
	if cn == "" {
		cn = names[0]
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: cn, Organization: []string{"ngxlint harness"}},
		NotBefore:             nb,
		NotAfter:              na,
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		SubjectKeyId:          skid(pub),
	}
	for _, n := range names {
		if ip := net.ParseIP(n); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, n)
		}
	}
	return tmpl
}

func makeCA(tmpl, parent *x509.Certificate, key crypto.Signer, parentKey crypto.Signer) (*CA, error) {
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, key.Public(), parentKey)
	if err != nil {
		return nil, fmt.Errorf("pki: create CA: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	keyPEM, err := encodeKey(key)
	if err != nil {
		return nil, err
	}
	return &CA{Cert: cert, Key: key, CertPEM: encodeCert(der), KeyPEM: keyPEM}, nil
}

func makeLeaf(der []byte, key crypto.Signer) (*Leaf, error) {
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	keyPEM, err := encodeKey(key)
	if err != nil {
		return nil, err
	}
	return &Leaf{Cert: cert, Key: key, CertPEM: encodeCert(der), KeyPEM: keyPEM}, nil
}

func newKey() (*ecdsa.PrivateKey, error) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("pki: generate key: %w", err)
	}
	return k, nil
}

func serial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	if err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return n.Add(n, big.NewInt(1))
}

func skid(pub crypto.PublicKey) []byte {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil
	}
	// RFC 7093 §2 method 1: the leftmost 160 bits of the SHA-256 of the key.
	sum := sha256.Sum256(der)
	return sum[:20]
}

func encodeCert(der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

func encodeKey(key crypto.Signer) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("pki: marshal key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}
