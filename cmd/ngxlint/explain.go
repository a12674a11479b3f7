package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/ngxlint/ngxlint/lint"
	"github.com/ngxlint/ngxlint/lint/explain"
	"github.com/ngxlint/ngxlint/lint/report"
	"github.com/ngxlint/ngxlint/nginx"
	"github.com/ngxlint/ngxlint/nginx/config"
	"github.com/ngxlint/ngxlint/nginx/model"
	"github.com/ngxlint/ngxlint/rules/rule"
)

func init() {
	extraCommands = append(extraCommands, newExplainCmd)
}

// terminal reports whether w is a terminal; tests replace it.
var terminal = func(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
}

// progressMin is the input size from which a terminal gets a progress bar.
const progressMin = 64 << 20

func newExplainCmd() *cobra.Command {
	var o loadOpts
	var nginxConf, format, since string
	var noProgress bool
	c := &cobra.Command{
		Use:   "explain [--config PATH] [--format text|json] [--since TIME] LOG...",
		Short: "Explain the upstream failures in nginx error logs, mapped to the config and its rules",
		Long: `Explain the upstream failures in nginx error logs.

LOG is an error log, a gzip-compressed one (any name), or - for standard
input; rotated logs may be given in any order or concatenated. Lines are
classified (TLS handshake alerts, verification, DNS, connect, config-load
errors) and grouped by class, server, location and upstream (its address,
without the request path). Each group gets its count, first and last time,
a sample line, the likely cause, the fix and the lint rules concerned.

With --config, each line is mapped to the server block (by $server_name,
else by Host as nginx matches server_name), the location (nginx's location
matching on the request URI), the proxy directive that logged it, and the
rules that fire there. Without it, lines are still classified and explained.

Text output is a ranked table followed by the top groups' details; on a
terminal, a progress bar for large inputs and per-hour bars of the top
groups show when the failures started. --format json is a public contract.

Exit status: 0 no upstream failure found; 1 failures found (groups
reported); 2 usage error or unreadable log; 3 the nginx config could not be
loaded.`,
		Example: `  ngxlint explain /var/log/nginx/error.log
  ngxlint explain --config /etc/nginx --since 6h /var/log/nginx/error.log*
  zcat error.log.2.gz | ngxlint explain --format json --config nginx/ -
  ngxlint explain --config nginx/nginx.conf --map /etc/nginx=./nginx error.log`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			return runExplain(c, &o, nginxConf, format, since, noProgress, args)
		},
	}
	f := c.Flags()
	f.StringVar(&nginxConf, "config", "", "the nginx configuration the logs come from: a main config, a directory holding nginx.conf, an 'nginx -T' dump, or - for stdin")
	f.StringVar(&o.ConfigPath, "settings", "", "path to .ngxlint.yaml (default: found by walking up from the working directory)")
	f.StringVar(&o.Prefix, "prefix", "", "nginx conf prefix: relative includes resolve against it (default: the main file's directory)")
	f.StringArrayVar(&o.Maps, "map", nil, "map a deployed path to a local one, e.g. /etc/nginx=./nginx (repeatable)")
	f.StringVar(&o.Context, "context", "", "what a config snippet is: "+strings.Join(config.Contexts, ", "))
	f.StringVar(&o.Version, "nginx-version", "", "nginx version the config runs on (default "+nginx.Latest.String()+")")
	f.StringSliceVar(&o.Enable, "enable", nil, "enable rules by ID or slug (repeatable, comma-separated)")
	f.StringSliceVar(&o.Disable, "disable", nil, "disable rules by ID or slug (repeatable, comma-separated)")
	f.StringVarP(&format, "format", "f", "text", "output format: "+strings.Join(explain.Formats, ", "))
	f.StringVar(&since, "since", "", `only lines at or after TIME: "2026/11/26 01:00:00", "2026-11-26", RFC 3339, or a duration back from now (90m, 6h, 2d); nginx logs local time`)
	f.BoolVar(&noProgress, "no-progress", false, "no progress bar, even on a terminal")
	return c
}

func runExplain(c *cobra.Command, o *loadOpts, nginxConf, format, since string, noProgress bool, logs []string) error {
	ctx := c.Context()
	if ctx == nil {
		ctx = context.Background()
	}
	if !slices.Contains(explain.Formats, format) {
		return usagef("--format %q: want one of %s", format, strings.Join(explain.Formats, ", "))
	}
	sinceText, err := explain.ParseSince(since, time.Now())
	if err != nil {
		return exit(exitUsage, err)
	}
	if nginxConf == "-" && slices.Contains(logs, "-") {
		return usagef("--config - and LOG - both want standard input")
	}
	lo, _, err := o.LintOptions()
	if err != nil {
		return err
	}
	var tree *config.Tree
	var m *model.Model
	if nginxConf != "" {
		copts, err := o.ConfigOptions()
		if err != nil {
			return err
		}
		copts.Stdin = c.InOrStdin()
		var diags []config.Diagnostic
		tree, diags = config.Load(ctx, nginxConf, copts)
		if tree == nil || config.HasErrors(diags) {
			in := report.Input{Errors: diags, Rules: rule.All(), Color: colorOK(c.ErrOrStderr()), ToolVersion: version()}
			_ = report.Write(c.ErrOrStderr(), "text", in)
			return exit(exitConfig, fmt.Errorf("%s: the nginx configuration could not be loaded", nginxConf))
		}
		m = model.Build(tree)
	}

	stdout, stderr := c.OutOrStdout(), c.ErrOrStderr()
	so := explain.ScanOptions{Stdin: c.InOrStdin()}
	var bar *progressbar.ProgressBar
	if total := explain.TotalSize(logs); !noProgress && terminal(stderr) && (total < 0 || total >= progressMin) {
		bar = progressbar.NewOptions64(total,
			progressbar.OptionSetWriter(stderr),
			progressbar.OptionSetDescription("reading error log"),
			progressbar.OptionShowBytes(true),
			progressbar.OptionSetWidth(30),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionClearOnFinish(),
			progressbar.OptionUseANSICodes(true),
		)
		so.Progress = func(n int64) { _ = bar.Add64(n) }
	}
	hist := format == "text" && terminal(stdout)
	rep, warns, err := explain.Scan(ctx, logs, explain.NewIndex(m), explain.Options{Since: sinceText, Hourly: hist}, so)
	if bar != nil {
		_ = bar.Finish()
	}
	if err != nil {
		return exit(exitUsage, err)
	}
	if tree != nil {
		// the run tells each group which findings explain it
		lo.Model, lo.Logs = m, rep.LogGroups()
		lint.Run(tree, lo)
	}
	for _, w := range warns {
		fmt.Fprintf(stderr, "ngxlint: warning: %v (the lines before it are counted)\n", w)
	}
	if err := rep.Write(stdout, format, explain.TextOptions{Histogram: hist}); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	if len(rep.Groups) > 0 {
		return exit(exitFindings, nil)
	}
	return nil
}

// mapLogs is the log half of `lint --error-log`: it reads the logs once,
// maps their lines to each linted tree's model, and returns each tree's
// groups as the evidence of its run. A group that maps nowhere in any
// tree goes to the first tree only, so NGX900 reports it once.
func mapLogs(ctx context.Context, c *cobra.Command, logs []string, models []*model.Model) ([][]*rule.LogGroup, error) {
	if len(models) == 0 {
		return nil, nil
	}
	ixs := make([]*explain.Index, len(models))
	for i, m := range models {
		ixs[i] = explain.NewIndex(m)
	}
	reps, warns, err := explain.ScanAll(ctx, logs, ixs, explain.Options{}, explain.ScanOptions{Stdin: c.InOrStdin()})
	if err != nil {
		return nil, exit(exitUsage, fmt.Errorf("--error-log: %w", err))
	}
	for _, w := range warns {
		fmt.Fprintf(c.ErrOrStderr(), "ngxlint: warning: --error-log %v (the lines before it are counted)\n", w)
	}
	mapped := map[string]bool{}
	for _, rep := range reps {
		for _, g := range rep.Groups {
			if g.Mapped() {
				mapped[g.Key()] = true
			}
		}
	}
	out := make([][]*rule.LogGroup, len(reps))
	for i, rep := range reps {
		for j, lg := range rep.LogGroups() {
			if !lg.Mapped() && (i > 0 || mapped[rep.Groups[j].Key()]) {
				continue
			}
			out[i] = append(out[i], lg)
		}
	}
	return out, nil
}
