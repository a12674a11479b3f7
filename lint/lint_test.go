package lint_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ngxlint/ngxlint/lint"
	"github.com/ngxlint/ngxlint/nginx/config"
	"github.com/ngxlint/ngxlint/rules"
	"github.com/ngxlint/ngxlint/rules/rule"
)

func run(t *testing.T, src string) []rule.Finding {
	t.Helper()
	tree, diags := config.Parse(context.Background(), "t.conf", []byte(src), config.Options{})
	require.False(t, config.HasErrors(diags), "%v", diags)
	only := []*rule.Rule{rules.NGX101, lint.NGX001, lint.NGX002, lint.NGX003}
	return lint.Run(tree, lint.Options{Rules: only}).Findings
}

type got struct {
	id         string
	line       int
	suppressed bool
}

func summary(fs []rule.Finding) []got {
	var out []got
	for _, f := range fs {
		file, start, _ := f.Span()
		out = append(out, got{f.Rule.ID, file.Position(start).Line, f.Suppressed})
	}
	return out
}

func TestSuppressions(t *testing.T) {
	const head = "events {}\nhttp {\n server {\n  server_name example.com;\n"
	const tail = " }\n}\n"
	for _, tc := range []struct {
		name string
		body string
		want []got
	}{
		{"none", "  location / {\n   proxy_pass https://cdn.example.net;\n  }\n",
			[]got{{"NGX101", 6, false}}},
		{"line before", "  location / {\n   # ngxlint:ignore NGX101 edge accepts no-SNI clients\n   proxy_pass https://cdn.example.net;\n  }\n",
			[]got{{"NGX101", 7, true}}},
		{"end of line, by slug", "  location / {\n   proxy_pass https://cdn.example.net; # ngxlint:ignore ssl-server-name-off reason\n  }\n",
			[]got{{"NGX101", 6, true}}},
		{"block opening line covers the block", "  location / { # ngxlint:ignore NGX101 legacy block\n   proxy_pass https://cdn.example.net;\n  }\n",
			[]got{{"NGX101", 6, true}}},
		{"two lines before does not cover", "  location / {\n   # ngxlint:ignore NGX101 too far\n\n   proxy_pass https://cdn.example.net;\n  }\n",
			[]got{{"NGX002", 6, false}, {"NGX101", 8, false}}},
		{"missing reason still suppresses but is reported", "  location / {\n   # ngxlint:ignore NGX101\n   proxy_pass https://cdn.example.net;\n  }\n",
			[]got{{"NGX001", 6, false}, {"NGX101", 7, true}}},
		{"unused", "  location / {\n   # ngxlint:ignore NGX101 not needed\n   proxy_pass http://127.0.0.1;\n  }\n",
			[]got{{"NGX002", 6, false}}},
		{"unknown rule", "  location / {\n   # ngxlint:ignore NGX999 typo\n   proxy_pass http://127.0.0.1;\n  }\n",
			[]got{{"NGX003", 6, false}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, summary(run(t, head+tc.body+tail)))
		})
	}
}

func TestSeverityOverride(t *testing.T) {
	tree, _ := config.Parse(context.Background(), "t.conf", []byte("http { server { location / { proxy_pass https://cdn.example.net; } } }"), config.Options{})
	res := lint.Run(tree, lint.Options{Rules: []*rule.Rule{rules.NGX101}, Severity: map[string]rule.Severity{"NGX101": rule.Info}})
	require.Len(t, res.Findings, 1)
	assert.Equal(t, rule.Info, res.Findings[0].Severity)
}

func TestSuppressionOnInclude(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "site.conf"), []byte("location / {\n    proxy_pass https://cdn.example.net;\n}\n"), 0o644))
	root := filepath.Join(dir, "nginx.conf")
	require.NoError(t, os.WriteFile(root, []byte("events {}\nhttp {\n server {\n  # ngxlint:ignore NGX101 legacy site, retired next sprint\n  include site.conf;\n }\n}\n"), 0o644))
	tree, diags := config.Load(context.Background(), root, config.Options{})
	require.False(t, config.HasErrors(diags), "%v", diags)
	res := lint.Run(tree, lint.Options{Rules: []*rule.Rule{rules.NGX101, lint.NGX002}})
	require.Len(t, res.Findings, 1)
	assert.Equal(t, "NGX101", res.Findings[0].Rule.ID)
	assert.True(t, res.Findings[0].Suppressed, "a comment on the include covers what it loads")
}
