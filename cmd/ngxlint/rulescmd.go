package main

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/ngxlint/ngxlint/lint/report"
	"github.com/ngxlint/ngxlint/rules/rule"
)

func newRulesCmd() *cobra.Command {
	var markdown bool
	c := &cobra.Command{
		Use:   "rules [ID|SLUG]",
		Short: "List the rules, or print one rule's documentation",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			out := c.OutOrStdout()
			if len(args) == 1 {
				r, ok := rule.Lookup(args[0])
				if !ok {
					return usagef("unknown rule %q (see 'ngxlint rules')", args[0])
				}
				_, err := fmt.Fprint(out, report.HelpMarkdown(r))
				return err
			}
			if markdown {
				_, err := fmt.Fprint(out, RuleTable())
				return err
			}
			tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tSLUG\tSEVERITY\tSUMMARY")
			for _, r := range rule.All() {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.ID, r.Slug, r.Severity, r.Summary)
			}
			return tw.Flush()
		},
	}
	c.Flags().BoolVar(&markdown, "markdown", false, "print the README's rule table")
	return c
}

// RuleTable renders the README's rule table; a test keeps the README in
// step with it.
func RuleTable() string {
	s := "| ID | Slug | Severity | What it catches |\n|---|---|---|---|\n"
	for _, r := range rule.All() {
		s += fmt.Sprintf("| %s | `%s` | %s | %s |\n", r.ID, r.Slug, r.Severity, strings.ReplaceAll(r.Summary, "*", `\*`))
	}
	return s
}
