package report

import (
	"fmt"
	"strings"

	"github.com/ngxlint/ngxlint/rules/rule"
)

// HelpMarkdown renders a rule's doc page, the one `ngxlint rules ID`
// prints and SARIF carries as help.
func HelpMarkdown(r *rule.Rule) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s %s\n\n%s\n\nSeverity: %s\n\n", r.ID, r.Slug, r.Summary, r.Severity)
	fmt.Fprintf(&b, "## Problem\n\n%s\n\n## Why\n\n%s\n\n", r.Doc.Problem, r.Doc.Why)
	ctx := ""
	if r.Doc.Context != "" {
		ctx = fmt.Sprintf(" (inside `%s {}`)", r.Doc.Context)
	}
	fmt.Fprintf(&b, "## Bad%s\n\n```nginx\n%s\n```\n\n## Good\n\n```nginx\n%s\n```\n\n", ctx, r.Doc.Bad, r.Doc.Good)
	fmt.Fprintf(&b, "## nginx versions\n\n%s\n\n", r.Doc.Versions)
	if r.Doc.LogLine != "" {
		fmt.Fprintf(&b, "## error.log\n\n```\n%s\n```\n\n", r.Doc.LogLine)
	}
	fmt.Fprintf(&b, "## Suppress\n\n```nginx\n# ngxlint:ignore %s <reason>\n```\n", r.ID)
	return b.String()
}

// HelpText is HelpMarkdown without markup, for plain SARIF viewers.
func HelpText(r *rule.Rule) string {
	s := HelpMarkdown(r)
	s = strings.ReplaceAll(s, "```nginx\n", "")
	s = strings.ReplaceAll(s, "```\n", "")
	return s
}
