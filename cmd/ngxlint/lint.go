package main

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ngxlint/ngxlint/lint"
	"github.com/ngxlint/ngxlint/lint/report"
	"github.com/ngxlint/ngxlint/nginx/config"
	"github.com/ngxlint/ngxlint/nginx/model"
	"github.com/ngxlint/ngxlint/rules/rule"
)

func newLintCmd() *cobra.Command {
	var o loadOpts
	var format string
	var errorLogs []string
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
			return runLint(c, &o, format, args, errorLogs)
		},
	}
	o.Register(c)
	c.Flags().StringVarP(&format, "format", "f", "text", "output format: "+strings.Join(report.Formats, ", "))
	c.Flags().StringVar(&o.FailOn, "fail-on", "", "lowest severity that makes the exit status 1: error, warning, info (default warning)")
	c.Flags().StringArrayVar(&errorLogs, "error-log", nil, "nginx error log (file, .gz, or - for stdin) whose upstream failures become evidence on findings, and NGX900 findings where no rule explains them (repeatable)")
	return c
}

func runLint(c *cobra.Command, o *loadOpts, format string, args []string, errorLogs []string) error {
	ctx := c.Context()
	if ctx == nil {
		ctx = context.Background()
	}
	if !contains(report.Formats, format) {
		return usagef("--format %q: want one of %s", format, strings.Join(report.Formats, ", "))
	}
	lo, failOn, err := o.LintOptions()
	if err != nil {
		return err
	}
	copts, err := o.ConfigOptions()
	if err != nil {
		return err
	}
	copts.Stdin = c.InOrStdin()
	paths, err := roots(o, args)
	if err != nil {
		return err
	}
	targets, err := plan(o, ctx, paths, copts)
	if err != nil {
		return err
	}
	if slices.Contains(errorLogs, "-") && slices.Contains(args, "-") {
		return usagef("lint - and --error-log - both want standard input")
	}
	var findings []rule.Finding
	var errs []config.Diagnostic
	// the same finding twice: one file included by several roots, or a
	// snippet included in many places saying the same in each (the key
	// holds the strings it names, no copy of them)
	type findingKey struct {
		rule  *rule.Rule
		path  string
		start int32
		msg   string
	}
	seen := map[findingKey]bool{}
	loadFailed := false
	type loaded struct {
		t    target
		tree *config.Tree
	}
	var trees []loaded
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
		trees = append(trees, loaded{t, tree})
	}
	budgetMemory()
	models := make([]*model.Model, len(trees))
	for i, l := range trees {
		models[i] = model.Build(l.tree)
	}
	var logs [][]*rule.LogGroup
	if len(errorLogs) > 0 {
		logs, err = mapLogs(ctx, c, errorLogs, models)
		if err != nil {
			return err
		}
	}
	for i, l := range trees {
		o := lo
		o.Model = models[i]
		if logs != nil {
			o.Logs = logs[i]
		}
		res := lint.Run(l.tree, o)
		if findings == nil {
			findings = make([]rule.Finding, 0, len(res.Findings))
		}
		for _, f := range res.Findings {
			file, start, _ := f.Span()
			if l.t.only != nil && !l.t.only[file.Path] {
				continue
			}
			key := findingKey{f.Rule, file.Path, start, f.Message}
			if seen[key] {
				continue
			}
			seen[key] = true
			findings = append(findings, f)
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
