package errlog

import (
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSlugsAreStable pins the slug list: slugs are public API, so this
// list may only ever grow. If this fails because a slug changed, change
// it back and add a new class instead.
func TestSlugsAreStable(t *testing.T) {
	want := []string{
		"ssl-alert-40-handshake-failure",
		"ssl-alert-112-unrecognized-name",
		"ssl-alert-70-protocol-version",
		"ssl-alert-client-certificate",
		"ssl-wrong-version-number",
		"ssl-no-protocols",
		"ssl-handshake-failed",
		"ssl-peer-closed",
		"ssl-peer-reset",
		"ssl-handshake-timeout",
		"ssl-verify-error",
		"ssl-name-mismatch",
		"ssl-verify-no-trusted-certificate",
		"upstream-host-not-found",
		"upstream-no-resolver",
		"upstream-resolve-failed",
		"upstream-connect-failed",
		"upstream-connect-timeout",
		"upstream-premature-close",
		"upstream-no-live",
		"upstream-peer-disabled",
		"conf-directive-not-allowed",
		"conf-upstream-port",
		"conf-proxy-pass-uri",
		"conf-resolve-needs-zone",
		"conf-resolve-no-resolver",
		"conf-resolver-host-not-found",
		"conf-client-certificate-no-key",
	}
	var got []string
	for _, c := range Classes() {
		got = append(got, c.Slug)
	}
	require.GreaterOrEqual(t, len(got), len(want))
	assert.Equal(t, want, got[:len(want)], "existing slugs changed or were reordered")
}

var (
	kebab = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	refID = regexp.MustCompile(`^L[0-9]{2}[a-f]?$`)
)

func TestCatalogue(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range Classes() {
		t.Run(c.Slug, func(t *testing.T) {
			assert.Regexp(t, kebab, c.Slug)
			assert.False(t, seen[c.Slug], "duplicate slug")
			seen[c.Slug] = true
			assert.NotEmpty(t, c.Title)
			assert.NotEmpty(t, c.Cause)
			assert.NotEmpty(t, c.Fix)
			if c.Ref != "" {
				assert.Regexp(t, refID, c.Ref)
			}
			got, ok := Lookup(c.Slug)
			require.True(t, ok)
			assert.Equal(t, c, got)
		})
	}
	_, ok := Lookup("no-such-class")
	assert.False(t, ok)
}

// The catalogue is shared by every Diagnosis; callers must not be able to
// change it through what the package hands out.
func TestCatalogueIsNotAliased(t *testing.T) {
	c, ok := Lookup(SlugAlertHandshakeFailure)
	require.True(t, ok)
	want := c.Title
	c.Title = "X"
	cs := Classes()
	cs[0].Title = "changed"

	e, ok := Parse([]byte(`2026/11/26 01:06:59 [error] 1#1: *2 SSL_do_handshake() failed (SSL: error:0A000410:SSL routines::sslv3 alert handshake failure:SSL alert number 40) while SSL handshaking to upstream, client: 127.0.0.1, server: localhost`))
	require.True(t, ok)
	d, ok := Diagnose(e)
	require.True(t, ok)
	d.Class.Title = "Z"
	again, _ := Lookup(SlugAlertHandshakeFailure)
	assert.Equal(t, want, again.Title)
	assert.NotEqual(t, "changed", Classes()[0].Title)
}
