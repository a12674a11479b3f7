package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ngxlint/ngxlint/lint/report"
	"github.com/ngxlint/ngxlint/rules/rule"
)

// TestRuleDocPages keeps docs/rules/<ID>.md, the page SARIF's helpUri
// points at, generated from the rules themselves (the same text `ngxlint
// rules ID` prints). Regenerate with -update.
func TestRuleDocPages(t *testing.T) {
	dir := filepath.Join(repoRoot(t), "docs", "rules")
	if *updateGolden {
		require.NoError(t, os.MkdirAll(dir, 0o755))
	}
	for _, r := range rule.All() {
		path := filepath.Join(dir, r.ID+".md")
		want := report.HelpMarkdown(r)
		if *updateGolden {
			require.NoError(t, os.WriteFile(path, []byte(want), 0o644))
			continue
		}
		got, err := os.ReadFile(path)
		require.NoError(t, err, "%s has no page: run go test ./cmd/ngxlint -run TestRuleDocPages -update", r.ID)
		assert.Equal(t, want, string(got), "docs/rules/%s.md is stale: run go test ./cmd/ngxlint -run TestRuleDocPages -update", r.ID)
	}
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, e := range entries {
		id := e.Name()[:len(e.Name())-len(filepath.Ext(e.Name()))]
		_, ok := rule.Lookup(id)
		assert.True(t, ok, "docs/rules/%s documents no rule", e.Name())
	}
}
