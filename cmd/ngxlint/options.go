package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/mattn/go-isatty"
	"github.com/spf13/cobra"

	"github.com/ngxlint/ngxlint/lint"
	"github.com/ngxlint/ngxlint/lint/settings"
	"github.com/ngxlint/ngxlint/nginx"
	"github.com/ngxlint/ngxlint/nginx/config"
	"github.com/ngxlint/ngxlint/rules/rule"
)

// loadOpts are the flags shared by every command that reads a config tree.
type loadOpts struct {
	configPath string
	prefix     string
	maps       []string
	context    string
	enable     []string
	disable    []string
	version    string
	failOn     string
	trustedCA  string
	fixSev     string

	file *settings.File
}

func (o *loadOpts) register(c *cobra.Command) {
	f := c.Flags()
	f.StringVar(&o.configPath, "config", "", "path to .ngxlint.yaml (default: found by walking up from the working directory)")
	f.StringVar(&o.prefix, "prefix", "", "nginx conf prefix: relative includes resolve against it (default: the main file's directory)")
	f.StringArrayVar(&o.maps, "map", nil, "map a deployed path to a local one, e.g. /etc/nginx=./nginx (repeatable)")
	f.StringVar(&o.context, "context", "", "what a snippet is: "+strings.Join(config.Contexts, ", "))
	f.StringSliceVar(&o.enable, "enable", nil, "enable rules by ID or slug (repeatable, comma-separated)")
	f.StringSliceVar(&o.disable, "disable", nil, "disable rules by ID or slug (repeatable, comma-separated)")
	f.StringVar(&o.version, "nginx-version", "", "nginx version the config runs on (default "+nginx.Latest.String()+")")
	f.StringVar(&o.trustedCA, "trusted-ca", "", "CA bundle path proposed by verification fixes (default "+rule.DefaultTrustedCA+")")
}

// settingsFile loads .ngxlint.yaml; errors are usage errors (exit 2).
func (o *loadOpts) settingsFile() (*settings.File, error) {
	if o.file != nil {
		return o.file, nil
	}
	var f *settings.File
	var err error
	if o.configPath != "" {
		f, err = settings.Load(o.configPath)
	} else {
		wd, _ := os.Getwd()
		f, err = settings.Find(wd)
	}
	if err != nil {
		return nil, exit(exitUsage, err)
	}
	if f == nil {
		f = &settings.File{}
	}
	o.file = f
	return f, nil
}

// flags are the command line's overrides of .ngxlint.yaml.
func (o *loadOpts) flags() settings.Flags {
	return settings.Flags{
		Prefix: o.prefix, Maps: o.maps, Context: o.context, Enable: o.enable, Disable: o.disable,
		NginxVersion: o.version, FailOn: o.failOn, TrustedCA: o.trustedCA,
	}
}

// configOptions merges the loader's settings; errors are usage errors.
func (o *loadOpts) configOptions() (config.Options, error) {
	f, err := o.settingsFile()
	if err != nil {
		return config.Options{}, err
	}
	opts, err := f.ConfigOptions(o.flags())
	if err != nil {
		return opts, exit(exitUsage, err)
	}
	return opts, nil
}

// lintOptions resolves rule selection, severities and version; errors are
// usage errors.
func (o *loadOpts) lintOptions() (lint.Options, rule.Severity, error) {
	f, err := o.settingsFile()
	if err != nil {
		return lint.Options{}, 0, err
	}
	lo, failOn, err := f.LintOptions(o.flags())
	if err != nil {
		return lo, 0, exit(exitUsage, err)
	}
	return lo, failOn, nil
}

// roots resolves the configs to load: the arguments, else the roots from
// .ngxlint.yaml, else ./nginx.conf.
func (o *loadOpts) roots(args []string) ([]string, error) {
	if len(args) > 0 {
		return args, nil
	}
	f, err := o.settingsFile()
	if err != nil {
		return nil, err
	}
	var out []string
	for _, r := range f.Roots {
		out = append(out, f.Resolve(r))
	}
	if len(out) == 0 {
		if _, err := os.Stat("nginx.conf"); err == nil {
			out = []string{"nginx.conf"}
		}
	}
	if len(out) == 0 {
		return nil, usagef("no configuration given: pass PATH (a main config, a directory holding nginx.conf, a snippet, or - for stdin) or list roots in %s", settings.FileName)
	}
	return out, nil
}

// target is one tree to lint and the files to report on (nil: all).
type target struct {
	root string
	only map[string]bool
	// tree and diags are set when plan already loaded the root.
	tree  *config.Tree
	diags []config.Diagnostic
}

// plan maps the given paths to trees. A path that is a root is linted
// whole. A path that a configured root includes (a snippet passed by
// pre-commit) is linted in the context of that root, reporting only the
// findings inside it. Any other path is linted on its own.
func (o *loadOpts) plan(ctx context.Context, paths []string, copts config.Options) ([]target, error) {
	f, err := o.settingsFile()
	if err != nil {
		return nil, err
	}
	var cfgRoots []string
	for _, r := range f.Roots {
		cfgRoots = append(cfgRoots, f.Resolve(r))
	}
	if len(cfgRoots) == 0 || len(paths) == 0 {
		var out []target
		for _, p := range paths {
			out = append(out, target{root: p})
		}
		return out, nil
	}
	rootOf := map[string]string{} // abs path → configured root
	for _, r := range cfgRoots {
		rootOf[absClean(r)] = r
		rootOf[absClean(filepath.Join(r, "nginx.conf"))] = r
	}
	owners := map[string]map[string]bool{} // root → files to report
	var standalone []string
	included := map[string][]string{} // file → roots including it
	loaded := map[string]target{}     // root → its tree, reused by the lint run
	for _, r := range cfgRoots {
		t, diags := config.Load(ctx, r, copts)
		loaded[r] = target{tree: t, diags: diags}
		if t == nil {
			continue
		}
		for _, tf := range t.Files {
			a := absClean(tf.Path)
			included[a] = appendUniq(included[a], r)
		}
	}
	for _, p := range paths {
		a := absClean(p)
		switch {
		case p == "-":
			standalone = append(standalone, p)
		case rootOf[a] != "":
			owners[rootOf[a]] = nil
		case len(included[a]) > 0:
			for _, r := range included[a] {
				if only, seen := owners[r]; seen && only == nil {
					continue // already linted whole
				}
				if owners[r] == nil {
					owners[r] = map[string]bool{}
				}
				owners[r][config.DisplayPath(a)] = true
			}
		default:
			standalone = append(standalone, p)
		}
	}
	var out []target
	for _, r := range cfgRoots {
		if only, ok := owners[r]; ok {
			l := loaded[r]
			out = append(out, target{root: r, only: only, tree: l.tree, diags: l.diags})
		}
	}
	for _, p := range standalone {
		out = append(out, target{root: p})
	}
	return out, nil
}

func absClean(p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		return p
	}
	if r, err := filepath.EvalSymlinks(a); err == nil {
		return r
	}
	return a
}

func appendUniq(xs []string, x string) []string {
	if contains(xs, x) {
		return xs
	}
	return append(xs, x)
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// colorOK reports whether w is a terminal that wants colour.
func colorOK(w any) bool {
	if os.Getenv("NO_COLOR") != "" {
		return false
	}
	f, ok := w.(*os.File)
	return ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
}

func plural(n int, s string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, s)
	}
	return fmt.Sprintf("%d %ss", n, s)
}
