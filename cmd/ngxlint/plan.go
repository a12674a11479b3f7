package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/mattn/go-isatty"

	"github.com/ngxlint/ngxlint/lint/settings"
	"github.com/ngxlint/ngxlint/nginx/config"
)

// roots resolves the configs to load: the arguments, else the roots from
// .ngxlint.yaml, else ./nginx.conf.
func roots(o *loadOpts, args []string) ([]string, error) {
	if len(args) > 0 {
		return args, nil
	}
	f, err := o.SettingsFile()
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
func plan(o *loadOpts, ctx context.Context, paths []string, copts config.Options) ([]target, error) {
	f, err := o.SettingsFile()
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
