package harness_test

import (
	"crypto/tls"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ngxlint/ngxlint/harness"
	"github.com/ngxlint/ngxlint/harness/edge"
	"github.com/ngxlint/ngxlint/harness/pki"
	"github.com/ngxlint/ngxlint/rules/rule"
)

// The rules' runtime claims, proven against a real nginx (the harness
// image is Debian's 1.22.1) by `verify --fix`: the failure before, the
// fix's edits after a reload. One nginx and one edge per claim.

// proofEdges gives each upstream host of fixtures/verify/rule-proofs.conf
// the edge its claim needs.
func proofEdges(ca *pki.CA, target string, cfg *edge.Config) error {
	switch target {
	case "impostor.example.net":
		// not issued by the CA nginx trusts: anyone's certificate
		leaf, err := pki.SelfSigned(cfg.Names)
		if err != nil {
			return err
		}
		cfg.CertPEM, cfg.KeyPEM, cfg.ChainPEM = leaf.CertPEM, leaf.KeyPEM, nil
	case "deep-chain.example.net":
		// leaf ← intermediate 2 ← intermediate 1 ← the trusted root
		int1, err := ca.NewIntermediate("")
		if err != nil {
			return err
		}
		int2, err := int1.NewIntermediate("")
		if err != nil {
			return err
		}
		leaf, err := int2.IssueLeaf(cfg.Names)
		if err != nil {
			return err
		}
		cfg.CertPEM, cfg.KeyPEM, cfg.ChainPEM = leaf.CertPEM, leaf.KeyPEM, leaf.ChainPEM
	case "tls13-only.example.net":
		cfg.MinVersion = tls.VersionTLS13
	}
	return nil
}

func proofReport(t *testing.T, o harness.Options) map[string]*harness.UpstreamReport {
	t.Helper()
	rep := runVerify(t, o)
	out := map[string]*harness.UpstreamReport{}
	for _, u := range rep.Upstreams {
		out[u.Target] = u
	}
	return out
}

func TestRuleProofs(t *testing.T) {
	// cdn.example.net serves only example.com (said as --upstream does):
	// NGX301's claim is that the dropped Host makes such an edge refuse
	ups := proofReport(t, harness.Options{Root: fixture("verify", "rule-proofs.conf"), Fix: true, FixSeverity: rule.Info, EdgeHook: proofEdges,
		Upstreams: map[string][]string{"cdn.example.net": {"example.com"}}})
	require.Len(t, ups, 4)
	outcomes := func(t *testing.T, host string) (*harness.Outcome, *harness.Outcome) {
		t.Helper()
		u := ups[host]
		require.NotNil(t, u, host)
		require.Len(t, u.Probes, 1, host)
		require.NotNil(t, u.Probes[0].Before, host)
		require.NotNil(t, u.Probes[0].After, host)
		return u.Probes[0].Before, u.Probes[0].After
	}

	// NGX105: with verification off (nginx's default) a self-signed
	// impostor gets the request; NGX105's fix (verify on, the trusted
	// bundle) makes nginx refuse it.
	t.Run("NGX105 impostor accepted, then rejected", func(t *testing.T) {
		before, after := outcomes(t, "impostor.example.net")
		assert.Equal(t, 200, before.Status)
		assert.Equal(t, "accepted", before.EdgeOutcome)
		assert.Equal(t, "impostor.example.net", before.Host, "the impostor answered the request")
		assert.Empty(t, before.Log)
		assert.Equal(t, 502, after.Status)
		assert.True(t, logHas(after, "upstream SSL certificate verify error: (18:"), "%+v", after.Log)
		assert.Equal(t, "ssl-verify-error", after.Log[0].Class)
	})

	// NGX107: a chain with two intermediates fails at nginx's default
	// depth with error 20 — not 22 — and passes with depth 2.
	t.Run("NGX107 verify error 20 at depth 1, fixed by depth 2", func(t *testing.T) {
		before, after := outcomes(t, "deep-chain.example.net")
		assert.Equal(t, 502, before.Status)
		assert.True(t, logHas(before, "upstream SSL certificate verify error: (20:unable to get local issuer certificate)"), "%+v", before.Log)
		assert.Equal(t, 200, after.Status)
		assert.Empty(t, after.Log)
		assert.Equal(t, ups["deep-chain.example.net"].Verdict, harness.VerdictFixed)
	})

	// NGX108: nginx 1.22's default protocols have no TLS 1.3, so a TLS
	// 1.3-only edge answers alert 70; `TLSv1.2 TLSv1.3` negotiates 1.3.
	t.Run("NGX108 alert 70 on 1.22 defaults, TLS 1.3 after", func(t *testing.T) {
		before, after := outcomes(t, "tls13-only.example.net")
		assert.Equal(t, 502, before.Status)
		assert.True(t, logHas(before, "SSL alert number 70) while SSL handshaking to upstream"), "%+v", before.Log)
		assert.Equal(t, "ssl-alert-70-protocol-version", before.Log[0].Class)
		assert.Contains(t, before.Log[0].Rules, "NGX108")
		assert.Equal(t, 200, after.Status)
		assert.Equal(t, "TLSv1.3", after.TLSVersion)
		assert.Equal(t, ups["tls13-only.example.net"].Verdict, harness.VerdictFixed)
	})

	// NGX301: the location's proxy_set_header drops the server's Host;
	// the edge sees $proxy_host, answers 403, and nginx logs nothing.
	// Repeating the header brings Host back.
	t.Run("NGX301 Host vanishes, then comes back", func(t *testing.T) {
		before, after := outcomes(t, "cdn.example.net")
		assert.Equal(t, 403, before.Status)
		assert.Equal(t, "cdn.example.net", before.Host, "Host fell back to $proxy_host")
		assert.Equal(t, "1", before.Headers["X-Trace"], "the inner header is sent")
		assert.Empty(t, before.Log, "nothing in error.log")
		assert.Equal(t, 200, after.Status)
		assert.Equal(t, "example.com", after.Host)
		assert.Equal(t, ups["cdn.example.net"].Verdict, harness.VerdictFixed)
	})
}

// NGX106: nginx refuses to start, with a message that names no file or
// line; NGX106's fix adds the bundle and nginx starts and proxies.
func TestRuleProofVerifyWithoutCA(t *testing.T) {
	ups := proofReport(t, harness.Options{Root: fixture("verify", "verify-without-ca.conf"), Fix: true, FixSeverity: rule.Info})
	u := ups["origin.example.net"]
	require.NotNil(t, u)
	require.NotNil(t, u.Before)
	assert.Equal(t, "nginx did not start", u.Before.Error)
	var emerg *harness.LogLine
	for i, l := range u.Before.Log {
		if l.Level == "emerg" {
			emerg = &u.Before.Log[i]
		}
	}
	require.NotNil(t, emerg, "%+v", u.Before.Log)
	assert.Contains(t, emerg.Text, "no proxy_ssl_trusted_certificate for proxy_ssl_verify")
	assert.NotContains(t, emerg.Text, ".conf:", "nginx gives no file:line; NGX106 does")
	assert.Equal(t, "ssl-verify-no-trusted-certificate", emerg.Class)
	assert.Contains(t, emerg.Rules, "NGX106")
	require.NotNil(t, u.After)
	assert.Equal(t, 200, u.After.Status, fmt.Sprintf("%+v", u.After))
	assert.Equal(t, harness.VerdictFixed, u.Verdict)
}
