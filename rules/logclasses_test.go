package rules_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ngxlint/ngxlint/nginx/errlog"
	_ "github.com/ngxlint/ngxlint/rules"
	"github.com/ngxlint/ngxlint/rules/rule"
)

// TestLogClassesExist: every class a rule names is in the errlog
// catalogue, so a rule cannot point users at a class that does not exist.
func TestLogClassesExist(t *testing.T) {
	for _, r := range rule.All() {
		seen := map[string]bool{}
		for _, slug := range r.LogClasses {
			_, ok := errlog.Lookup(slug)
			assert.True(t, ok, "%s names unknown log class %q", r.ID, slug)
			assert.False(t, seen[slug], "%s lists %s twice", r.ID, slug)
			seen[slug] = true
		}
	}
	require.NotEmpty(t, rule.ForLogClass(errlog.SlugAlertHandshakeFailure))
}

// TestRuleMapping pins the rule IDs of the classes the brief names, so a
// catalogue edit that drops one is deliberate.
func TestRuleMapping(t *testing.T) {
	cases := []struct {
		slug  string
		rules []string
	}{
		{errlog.SlugAlertHandshakeFailure, []string{"NGX101", "NGX102", "NGX103", "NGX108", "NGX111"}},
		{errlog.SlugAlertUnrecognizedName, []string{"NGX102", "NGX103", "NGX110"}},
		{errlog.SlugAlertProtocolVersion, []string{"NGX108"}},
		{errlog.SlugAlertClientCert, []string{"NGX111"}},
		{errlog.SlugWrongVersionNumber, []string{"NGX109"}},
		{errlog.SlugNoProtocols, []string{"NGX108"}},
		{errlog.SlugPeerClosed, []string{"NGX101", "NGX102", "NGX103"}},
		{errlog.SlugPeerReset, []string{"NGX101", "NGX102", "NGX103"}},
		{errlog.SlugHandshakeTimeout, []string{"NGX101", "NGX201"}},
		{errlog.SlugVerifyError, []string{"NGX107"}},
		{errlog.SlugNameMismatch, []string{"NGX102", "NGX103", "NGX110"}},
		{errlog.SlugNoTrustedCertificate, []string{"NGX106"}},
		{errlog.SlugHostNotFound, []string{"NGX201"}},
		{errlog.SlugNoResolver, []string{"NGX202"}},
		{errlog.SlugConnectFailed, []string{"NGX201"}},
		{errlog.SlugUpstreamPort, []string{"NGX112"}},
	}
	for _, tc := range cases {
		var ids []string
		for _, r := range rule.ForLogClass(tc.slug) {
			ids = append(ids, r.ID)
		}
		assert.Equal(t, tc.rules, ids, tc.slug)
	}
}
