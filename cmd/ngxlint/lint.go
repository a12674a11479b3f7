package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/ngxlint/ngxlint/lint"
	"github.com/ngxlint/ngxlint/lint/report"
	"github.com/ngxlint/ngxlint/nginx/config"
	"github.com/ngxlint/ngxlint/rules/rule"
)

// lintHooks let other files extend a lint run (error-log evidence).
var lintHooks []func(c *cobra.Command) lintHook

// lintFlags let other files add the flags their hooks read (--error-log).
var lintFlags []func(c *cobra.Command)

type lintHook interface {
	// After sees every result and may add to the findings.
	After(ctx context.Context, results []*lint.Result, findings []rule.Finding) ([]rule.Finding, error)
}

func newLintCmd() *cobra.Command {
	var o loadOpts
	var format string
	c := &cobra.Command{
		Use:   "lint [PATH...]",
		Short: "Lint nginx configuration trees",
		Long: `Lint nginx configuration trees.

PATH is a main config, a directory holding nginx.conf, a snippet (declare its
context with --context or a first-line '# ngxlint:context location' comment),
or - to read a config or 'nginx -T' output from standard input. Without PATH,
the roots listed in .ngxlint.yaml are linted. A PATH that a configured root
includes is linted in that root's context, reporting only its own findings:
this is what the pre-commit hook relies on.

Exit status: 0 nothing at or above --fail-on; 1 findings; 2 usage, flag or
.ngxlint.yaml error; 3 the nginx config could not be loaded (syntax error,
missing include) — the errors are printed in the chosen format.`,
		Example: `  ngxlint lint fixtures/blog/broken.conf
  ngxlint lint --format sarif /etc/nginx > ngxlint.sarif
  nginx -T | ngxlint lint -
  ngxlint lint --map /etc/nginx=./nginx nginx/nginx.conf`,
		RunE: func(c *cobra.Command, args []string) error {
			var hooks []lintHook
			for _, h := range lintHooks {
				if x := h(c); x != nil {
					hooks = append(hooks, x)
				}
			}
			return runLint(c, &o, format, args, hooks)
		},
	}
	o.register(c)
	c.Flags().StringVarP(&format, "format", "f", "text", "output format: text, json, sarif, github, checkstyle")
	c.Flags().StringVar(&o.failOn, "fail-on", "", "lowest severity that makes the exit status 1: error, warning, info (default warning)")
	for _, f := range lintFlags {
		f(c)
	}
	return c
}

func runLint(c *cobra.Command, o *loadOpts, format string, args []string, hooks []lintHook) error {
	ctx := c.Context()
	if ctx == nil {
		ctx = context.Background()
	}
	if !contains(report.Formats, format) {
		return usagef("--format %q: want one of text, json, sarif, github, checkstyle", format)
	}
	lo, failOn, err := o.lintOptions()
	if err != nil {
		return err
	}
	copts, err := o.configOptions()
	if err != nil {
		return err
	}
	copts.Stdin = c.InOrStdin()
	paths, err := o.roots(args)
	if err != nil {
		return err
	}
	targets, err := o.plan(ctx, paths, copts)
	if err != nil {
		return err
	}
	var findings []rule.Finding
	var errs []config.Diagnostic
	var results []*lint.Result
	seen := map[string]bool{}
	loadFailed := false
	for _, t := range targets {
		tree, diags := t.tree, t.diags
		if tree == nil && diags == nil {
			tree, diags = config.Load(ctx, t.root, copts)
		}
		errs = append(errs, diags...)
		if tree == nil {
			loadFailed = true
			continue
		}
		if config.HasErrors(diags) {
			loadFailed = true
		}
		res := lint.Run(tree, lo)
		results = append(results, res)
		for _, f := range res.Findings {
			file, start, _ := f.Span()
			if t.only != nil && !t.only[file.Path] {
				continue
			}
			key := fmt.Sprintf("%s|%s|%d", f.Rule.ID, file.Path, start)
			if seen[key] {
				continue // one file included by several roots
			}
			seen[key] = true
			findings = append(findings, f)
		}
	}
	for _, h := range hooks {
		findings, err = h.After(ctx, results, findings)
		if err != nil {
			return err
		}
	}
	if len(hooks) > 0 {
		for _, r := range results {
			lint.SuppressLate(r.Tree, findings)
		}
	}
	lint.Sort(findings)
	out := c.OutOrStdout()
	in := report.Input{Findings: findings, Errors: errs, Rules: rule.All(), Color: colorOK(out), ToolVersion: version()}
	if err := report.Write(out, format, in); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	failing := 0
	counts := map[rule.Severity]int{}
	for _, f := range findings {
		if f.Suppressed {
			continue
		}
		counts[f.Severity]++
		if f.Severity <= failOn {
			failing++
		}
	}
	if format == "text" {
		total := counts[rule.Error] + counts[rule.Warning] + counts[rule.Info]
		if total > 0 || len(errs) > 0 {
			fmt.Fprintf(c.ErrOrStderr(), "%s (%d errors, %d warnings, %d info)", plural(total, "finding"), counts[rule.Error], counts[rule.Warning], counts[rule.Info])
			if len(errs) > 0 {
				fmt.Fprintf(c.ErrOrStderr(), "; %s while loading", plural(len(errs), "problem"))
			}
			fmt.Fprintln(c.ErrOrStderr())
		}
	}
	if loadFailed {
		return exit(exitConfig, nil)
	}
	if failing > 0 {
		return exit(exitFindings, nil)
	}
	return nil
}
