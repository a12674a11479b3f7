package settings_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ngxlint/ngxlint/lint/settings"
	"github.com/ngxlint/ngxlint/nginx"
	_ "github.com/ngxlint/ngxlint/rules" // the rules the settings select
	"github.com/ngxlint/ngxlint/rules/rule"
)

func ids(rs []*rule.Rule) map[string]bool {
	out := map[string]bool{}
	for _, r := range rs {
		out[r.ID] = true
	}
	return out
}

func TestLintOptionsMerge(t *testing.T) {
	off := false
	f := &settings.File{
		Path: ".ngxlint.yaml", NginxVersion: "1.22.1", FailOn: "error", TrustedCA: "/file/ca.pem",
		Disable: []string{"NGX105", "upstream-dns-static"},
		Rules:   map[string]settings.RuleSettings{"NGX301": {Enabled: &off}, "ssl-server-name-off": {Severity: "warning"}},
	}
	for _, tc := range []struct {
		name    string
		flags   settings.Flags
		version nginx.Version
		failOn  rule.Severity
		ca      string
		on, off []string
	}{
		{"file alone", settings.Flags{}, nginx.Version{Major: 1, Minor: 22, Patch: 1}, rule.Error, "/file/ca.pem",
			[]string{"NGX101"}, []string{"NGX105", "NGX201", "NGX301"}},
		{"flags win", settings.Flags{NginxVersion: "1.27.3", FailOn: "info", TrustedCA: "/flag/ca.pem", Enable: []string{"NGX105,NGX301"}},
			nginx.Version{Major: 1, Minor: 27, Patch: 3}, rule.Info, "/flag/ca.pem", []string{"NGX105", "NGX301"}, []string{"NGX201"}},
		{"flag disable", settings.Flags{Disable: []string{"ssl-server-name-off"}}, nginx.Version{Major: 1, Minor: 22, Patch: 1}, rule.Error, "/file/ca.pem",
			nil, []string{"NGX101"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lo, failOn, err := f.LintOptions(tc.flags)
			require.NoError(t, err)
			assert.Equal(t, tc.version, lo.Version)
			assert.Equal(t, tc.failOn, failOn)
			assert.Equal(t, tc.ca, lo.Settings.TrustedCA)
			got := ids(lo.Rules)
			for _, id := range tc.on {
				assert.True(t, got[id], id)
			}
			for _, id := range tc.off {
				assert.False(t, got[id], id)
			}
			assert.Equal(t, rule.Warning, lo.Severity["NGX101"])
		})
	}
}

func TestMergeErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		file  settings.File
		flags settings.Flags
		want  string
	}{
		{"unknown rule flag", settings.File{}, settings.Flags{Disable: []string{"NGX999"}}, `--disable: unknown rule "NGX999"`},
		{"unknown rule in file", settings.File{Path: "x.yaml", Rules: map[string]settings.RuleSettings{"nope": {}}}, settings.Flags{}, `x.yaml: rules: unknown rule "nope"`},
		{"bad version", settings.File{}, settings.Flags{NginxVersion: "one"}, "nginx version"},
		{"bad fail-on", settings.File{}, settings.Flags{FailOn: "fatal"}, "--fail-on"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := tc.file.LintOptions(tc.flags)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
	_, err := (&settings.File{}).ConfigOptions(settings.Flags{Context: "nope"})
	require.Error(t, err)
	_, err = (&settings.File{}).ConfigOptions(settings.Flags{Maps: []string{"no-equals"}})
	require.Error(t, err)
}

func TestConfigOptionsMerge(t *testing.T) {
	f := &settings.File{Dir: "/repo", Prefix: "nginx", Map: []string{"/etc/nginx=nginx"}, Context: "server"}
	co, err := f.ConfigOptions(settings.Flags{Maps: []string{"/srv=/tmp/srv"}})
	require.NoError(t, err)
	assert.Equal(t, "/repo/nginx", co.Prefix)
	assert.Equal(t, "server", co.Context)
	require.Len(t, co.PathMap, 2)
	co, err = f.ConfigOptions(settings.Flags{Prefix: "/other", Context: "location"})
	require.NoError(t, err)
	assert.Equal(t, "/other", co.Prefix)
	assert.Equal(t, "location", co.Context)
}
