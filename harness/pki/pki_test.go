package pki

import (
	"crypto/x509"
	"encoding/pem"
	"testing"
	"time"
)

func pool(pems ...[]byte) *x509.CertPool {
	p := x509.NewCertPool()
	for _, b := range pems {
		p.AppendCertsFromPEM(b)
	}
	return p
}

func certs(t *testing.T, b []byte) []*x509.Certificate {
	t.Helper()
	var out []*x509.Certificate
	for {
		var blk *pem.Block
		blk, b = pem.Decode(b)
		if blk == nil {
			return out
		}
		c, err := x509.ParseCertificate(blk.Bytes)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, c)
	}
}

func TestChain(t *testing.T) {
	for n := 0; n <= 3; n++ {
		c, err := NewChain([]string{"example.com", "*.example.net", "127.0.0.1"}, n)
		if err != nil {
			t.Fatal(err)
		}
		inter := certs(t, c.Leaf.ChainPEM)
		if len(inter) != n {
			t.Fatalf("%d intermediates: chain has %d", n, len(inter))
		}
		for i, ic := range inter { // nearest to the leaf first
			if want := c.Intermediates[n-1-i].Cert; !ic.Equal(want) {
				t.Fatalf("chain order wrong at %d", i)
			}
		}
		for _, name := range []string{"example.com", "a.example.net", "127.0.0.1"} {
			chains, err := c.Leaf.Cert.Verify(x509.VerifyOptions{
				DNSName: name, Roots: pool(c.Root.CertPEM), Intermediates: pool(c.Leaf.ChainPEM),
				KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
			})
			if err != nil {
				t.Fatalf("%d intermediates, %s: %v", n, name, err)
			}
			if len(chains[0]) != n+2 {
				t.Fatalf("chain length %d", len(chains[0]))
			}
		}
		if _, err := c.Leaf.TLSCertificate(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestSelfSignedAndOptions(t *testing.T) {
	imp, err := SelfSigned([]string{"example.com"})
	if err != nil {
		t.Fatal(err)
	}
	root, _ := NewCA("")
	if _, err := imp.Cert.Verify(x509.VerifyOptions{DNSName: "example.com", Roots: pool(root.CertPEM)}); err == nil {
		t.Fatal("impostor verified against the run's CA")
	}
	past := time.Now().Add(-48 * time.Hour)
	leaf, err := root.IssueLeaf([]string{"example.com"}, Options{NotBefore: past, NotAfter: past.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := leaf.Cert.Verify(x509.VerifyOptions{DNSName: "example.com", Roots: pool(root.CertPEM)}); err == nil {
		t.Fatal("expired leaf verified")
	}
}
