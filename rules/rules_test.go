package rules_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ngxlint/ngxlint/internal/rulestest"
	"github.com/ngxlint/ngxlint/lint"
	"github.com/ngxlint/ngxlint/lint/explain"
	"github.com/ngxlint/ngxlint/nginx/config"
	"github.com/ngxlint/ngxlint/nginx/errlog"
	"github.com/ngxlint/ngxlint/nginx/model"
	"github.com/ngxlint/ngxlint/rules"
	"github.com/ngxlint/ngxlint/rules/rule"
)

// TestFixtures runs every rule over fixtures/rules/<ID>/ and checks the
// `# want` comments there.
func TestFixtures(t *testing.T) {
	for _, r := range rule.All() {
		if r.Run == nil || r.LogDriven {
			continue
		}
		t.Run(r.ID, func(t *testing.T) {
			rulestest.Run(t, filepath.Join("..", "fixtures", "rules", r.ID), []*rule.Rule{r}, rulestest.Options{})
		})
	}
}

// TestDocExamples runs each rule's documented bad and good examples: the
// bad one must trigger the rule where its `# want` says, the good one
// must not trigger it at all.
//
// A log-driven rule whose doc carries a whole error.log line (NGX900)
// judges the logs given to the run: its bad example is linted together
// with that line, as `lint --error-log` does, and must not trigger the
// rule without it; its good example is the fixed config, after which
// production no longer logs the line, so it is linted without.
func TestDocExamples(t *testing.T) {
	for _, r := range rule.All() {
		t.Run(r.ID, func(t *testing.T) {
			require.NotEmpty(t, r.Doc.Bad, "doc has no bad example")
			require.NotEmpty(t, r.Doc.Good, "doc has no good example")
			require.NotEmpty(t, r.Doc.Problem)
			require.NotEmpty(t, r.Doc.Why)
			require.NotEmpty(t, r.Doc.Versions)
			only := map[string]bool{r.ID: true}
			_, logLine := errlog.Parse([]byte(r.Doc.LogLine))
			fromLog := r.LogDriven && logLine
			for _, ex := range []struct {
				name, src string
				bad       bool
			}{{"bad", r.Doc.Bad, true}, {"good", r.Doc.Good, false}} {
				tree, diags := config.Parse(context.Background(), r.ID+"-"+ex.name+".conf", []byte(ex.src), config.Options{Context: r.Doc.Context})
				require.False(t, config.HasErrors(diags), "%s example does not parse: %v", ex.name, diags)
				res := lint.Run(tree, lint.Options{})
				want := rulestest.Wants(tree)
				if ex.bad {
					require.NotEmpty(t, want, "bad example carries no # want comment")
				} else {
					assert.Empty(t, want, "good example carries a # want comment")
				}
				got := res.Findings
				if fromLog {
					assert.NotContains(t, rulestest.Got(got), r.ID, "%s example reports %s without an error log", ex.name, r.ID)
					if ex.bad {
						got = withErrorLog(t, tree, r.Doc.LogLine)
					}
				}
				assert.Empty(t, rulestest.Diff(want, rulestest.Got(got), only), "%s example", ex.name)
			}
		})
	}
}

// withErrorLog lints a tree as `ngxlint lint --error-log` does for a log
// holding line.
func withErrorLog(t *testing.T, tree *config.Tree, line string) []rule.Finding {
	t.Helper()
	m := model.Build(tree)
	agg := explain.NewAggregator(explain.NewIndex(m), explain.Options{})
	require.NoError(t, agg.ReadLog(strings.NewReader(line+"\n")))
	rep := agg.Report()
	require.Len(t, rep.Groups, 1, "the doc's log line is not an upstream failure")
	return lint.Run(tree, lint.Options{Model: m, Logs: rep.LogGroups()}).Findings
}

func TestLookup(t *testing.T) {
	for _, key := range []string{"NGX101", "ngx101", "ssl-server-name-off"} {
		r, ok := rule.Lookup(key)
		require.True(t, ok, key)
		assert.Equal(t, "NGX101", r.ID)
	}
	_, ok := rule.Lookup("nope")
	assert.False(t, ok)
}

// TestPublicIDs pins the public rule IDs and slugs: they are API.
func TestPublicIDs(t *testing.T) {
	want := map[string]string{
		"NGX001": "ignore-without-reason",
		"NGX002": "ignore-unused",
		"NGX003": "ignore-unknown-rule",
		"NGX101": "ssl-server-name-off",
		"NGX102": "ssl-name-upstream-block",
		"NGX103": "ssl-name-ip-literal",
		"NGX104": "ssl-name-host-mismatch",
		"NGX105": "ssl-verify-off",
		"NGX106": "ssl-verify-without-ca",
		"NGX107": "ssl-verify-depth-low",
		"NGX108": "ssl-protocols-weak",
		"NGX109": "ssl-scheme-port-mismatch",
		"NGX110": "ssl-name-client-controlled",
		"NGX111": "ssl-client-cert-incomplete",
		"NGX112": "upstream-block-with-port",
		"NGX201": "upstream-dns-static",
		"NGX202": "upstream-no-resolver",
		"NGX203": "resolver-misconfigured",
		"NGX301": "proxy-headers-dropped",
		"NGX302": "proxy-pass-header-noop",
		"NGX303": "host-header-spoofable",
		"NGX304": "xff-spoofable",
		"NGX305": "proxy-header-duplicate",
		"NGX900": "unexplained-upstream-error",
	}
	for id, slug := range want {
		r, ok := rule.Lookup(id)
		require.True(t, ok, id)
		assert.Equal(t, slug, r.Slug, id)
	}
}

// TestBlogFixClearsSNIRules: the blog's config without the two directives
// gets NGX101 at its proxy_pass line, and applying that finding's own fix
// edits leaves none of NGX101–NGX104.
func TestBlogFixClearsSNIRules(t *testing.T) {
	root := filepath.Join("..", "fixtures", "blog", "broken.conf")
	tree, diags := config.Load(context.Background(), root, config.Options{})
	require.False(t, config.HasErrors(diags))
	sni := []*rule.Rule{rules.NGX101, rules.NGX102, rules.NGX103, rules.NGX104}
	res := lint.Run(tree, lint.Options{Rules: sni})
	require.Len(t, res.Findings, 1)
	f := res.Findings[0]
	assert.Equal(t, "NGX101", f.Rule.ID)
	assert.Equal(t, 11, f.Node.Pos().Line)
	assert.Equal(t, "proxy_pass", f.Node.Name)
	require.NotNil(t, f.Fix)

	files, err := config.ApplyEdits(f.Fix.Edits)
	require.NoError(t, err)
	tree, diags = config.Load(context.Background(), root, config.Options{Overlay: files})
	require.False(t, config.HasErrors(diags))
	assert.Empty(t, lint.Run(tree, lint.Options{Rules: sni}).Findings)
}
