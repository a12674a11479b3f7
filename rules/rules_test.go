package rules_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ngxlint/ngxlint/lint"
	"github.com/ngxlint/ngxlint/lint/config"
	"github.com/ngxlint/ngxlint/rules"
	"github.com/ngxlint/ngxlint/rules/rulestest"
)

// TestFixtures runs every rule over fixtures/rules/<ID>/ and checks the
// `# want` comments there.
func TestFixtures(t *testing.T) {
	for _, r := range rules.All() {
		if r.Run == nil {
			continue
		}
		t.Run(r.ID, func(t *testing.T) {
			rulestest.Run(t, filepath.Join("..", "fixtures", "rules", r.ID), []*rules.Rule{r}, rulestest.Options{})
		})
	}
}

// TestDocExamples runs each rule's documented bad and good examples: the
// bad one must trigger the rule where its `# want` says, the good one
// must not trigger it at all.
func TestDocExamples(t *testing.T) {
	for _, r := range rules.All() {
		t.Run(r.ID, func(t *testing.T) {
			require.NotEmpty(t, r.Doc.Bad, "doc has no bad example")
			require.NotEmpty(t, r.Doc.Good, "doc has no good example")
			require.NotEmpty(t, r.Doc.Problem)
			require.NotEmpty(t, r.Doc.Why)
			require.NotEmpty(t, r.Doc.Versions)
			only := map[string]bool{r.ID: true}
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
				assert.Empty(t, rulestest.Diff(want, rulestest.Got(res.Findings), only), "%s example", ex.name)
			}
		})
	}
}

func TestLookup(t *testing.T) {
	for _, key := range []string{"NGX101", "ngx101", "ssl-server-name-off"} {
		r, ok := rules.Lookup(key)
		require.True(t, ok, key)
		assert.Equal(t, "NGX101", r.ID)
	}
	_, ok := rules.Lookup("nope")
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
	}
	for id, slug := range want {
		r, ok := rules.Lookup(id)
		require.True(t, ok, id)
		assert.Equal(t, slug, r.Slug, id)
	}
}
