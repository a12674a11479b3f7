// Package rulestest checks rules against fixture configs that carry their
// expectations inline, the way golang.org/x/tools/go/analysis/analysistest
// does with `// want` comments: a line ending in `# want NGX101` must get
// an NGX101 finding, and no other line may get one. A finding silenced by
// a `# ngxlint:ignore` comment does not count: it is not reported.
package rulestest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/ngxlint/ngxlint/lint"
	"github.com/ngxlint/ngxlint/lint/fix"
	"github.com/ngxlint/ngxlint/nginx"
	"github.com/ngxlint/ngxlint/nginx/config"
	"github.com/ngxlint/ngxlint/rules/rule"
)

var wantRE = regexp.MustCompile(`#\s*want\s+((?:NGX\d{3}[\s,]*)+)`)

// Wants extracts `# want NGXnnn` expectations from every file of a tree:
// "path:line" → rule IDs. A file included several times is parsed several
// times but read for wants once: its `# want` lists every finding expected
// on that line over all inclusions (`# want NGX101 NGX101` for a snippet
// that is wrong in both places it is included).
func Wants(t *config.Tree) map[string][]string {
	out := map[string][]string{}
	seen := map[string]bool{}
	for _, f := range t.Files {
		if seen[f.Path] {
			continue
		}
		seen[f.Path] = true
		for _, c := range f.Comments {
			m := wantRE.FindStringSubmatch(c.File.Src[c.Start:c.End])
			if m == nil {
				continue
			}
			key := fmt.Sprintf("%s:%d", f.Path, c.Line())
			// split on commas and any space, \r included (CRLF files)
			out[key] = append(out[key], strings.Fields(strings.ReplaceAll(m[1], ",", " "))...)
		}
	}
	return out
}

// Got renders the reported findings the same way: "path:line" → rule IDs.
// Suppressed findings are left out, as every reporter leaves them out: a
// fixture proves a suppression works by carrying no `# want` on its line.
func Got(fs []rule.Finding) map[string][]string {
	out := map[string][]string{}
	for _, f := range fs {
		if f.Suppressed {
			continue
		}
		file, start, _ := f.Span()
		key := fmt.Sprintf("%s:%d", file.Path, file.Position(start).Line)
		out[key] = append(out[key], f.Rule.ID)
	}
	return out
}

// Diff compares wants and findings restricted to the given rule IDs and
// returns human-readable mismatches.
func Diff(want, got map[string][]string, only map[string]bool) []string {
	filter := func(m map[string][]string) map[string]string {
		r := map[string]string{}
		for k, ids := range m {
			var keep []string
			for _, id := range ids {
				if only[id] {
					keep = append(keep, id)
				}
			}
			if len(keep) > 0 {
				sort.Strings(keep)
				r[k] = strings.Join(keep, ",")
			}
		}
		return r
	}
	w, g := filter(want), filter(got)
	var out []string
	for k, v := range w {
		if g[k] != v {
			out = append(out, fmt.Sprintf("%s: want %s, got %q", k, v, g[k]))
		}
	}
	for k, v := range g {
		if _, ok := w[k]; !ok {
			out = append(out, fmt.Sprintf("%s: unexpected %s", k, v))
		}
	}
	sort.Strings(out)
	return out
}

// Roots lists the fixture configs in dir: every *.conf file, and every
// subdirectory's nginx.conf (multi-file cases).
func Roots(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range ents {
		p := filepath.Join(dir, e.Name())
		switch {
		case e.IsDir():
			if _, err := os.Stat(filepath.Join(p, "nginx.conf")); err == nil {
				out = append(out, filepath.Join(p, "nginx.conf"))
			}
		case strings.HasSuffix(e.Name(), ".conf"):
			out = append(out, p)
		}
	}
	return out, nil
}

// Options configure Run.
type Options struct {
	// Version overrides every fixture's nginx version. The zero value
	// lets each fixture declare its own with a leading
	// `# ngxlint:nginx-version 1.22.1` comment (lint.DeclaredVersion),
	// else nginx.Latest applies.
	Version nginx.Version
}

// Run loads each fixture under dir, runs the rules, and checks the wants
// for those rules. A fixture with a sibling "<name>.golden" also has its
// fixes applied until they converge, and the fixed root file compared with
// the golden. A directory case may hold "nginx.golden" for its root file
// and a "fixed/" tree mirroring the case's layout: every file there is
// compared with the fixed (or untouched) file of the same relative path,
// which is how fixes landing in included files are checked.
func Run(t *testing.T, dir string, rs []*rule.Rule, opts Options) {
	t.Helper()
	roots, err := Roots(dir)
	if err != nil {
		t.Fatalf("fixtures %s: %v", dir, err)
	}
	if len(roots) == 0 {
		t.Fatalf("no fixtures in %s", dir)
	}
	only := map[string]bool{}
	for _, r := range rs {
		only[r.ID] = true
	}
	for _, root := range roots {
		root := root
		name, _ := filepath.Rel(dir, root)
		t.Run(name, func(t *testing.T) {
			tree, diags := config.Load(context.Background(), root, config.Options{})
			if config.HasErrors(diags) {
				t.Fatalf("fixture does not load: %v", diags)
			}
			res := lint.Run(tree, lint.Options{Rules: rs, Version: opts.Version})
			for _, d := range Diff(Wants(tree), Got(res.Findings), only) {
				t.Error(d)
			}
			golden := strings.TrimSuffix(root, ".conf") + ".golden"
			_, errGolden := os.Stat(golden)
			fixed := ""
			if filepath.Base(root) == "nginx.conf" {
				if st, err := os.Stat(filepath.Join(filepath.Dir(root), "fixed")); err == nil && st.IsDir() {
					fixed = filepath.Join(filepath.Dir(root), "fixed")
				}
			}
			if errGolden == nil || fixed != "" {
				checkFixes(t, root, golden, fixed, rs, opts)
			}
		})
	}
}

func checkFixes(t *testing.T, root, golden, fixed string, rs []*rule.Rule, opts Options) {
	t.Helper()
	res, err := fix.Converge(context.Background(),
		func(ctx context.Context, overlay map[string][]byte) (*config.Tree, []config.Diagnostic) {
			return config.Load(ctx, root, config.Options{Overlay: overlay})
		},
		func(tr *config.Tree) []rule.Finding {
			return lint.Run(tr, lint.Options{Rules: rs, Version: opts.Version}).Findings
		},
		10)
	if err != nil {
		t.Fatalf("fix: %v", err)
	}
	result := func(path string) []byte {
		if b, ok := res.Files[config.DisplayPath(path)]; ok {
			return b
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Errorf("fixed tree names %s, which the fixture does not have: %v", path, err)
		}
		return b
	}
	compare := func(path, want string) {
		t.Helper()
		w, err := os.ReadFile(want)
		if err != nil {
			t.Fatal(err)
		}
		if got := result(path); string(got) != string(w) {
			t.Errorf("fixed %s differs from %s:\n--- got\n%s\n--- want\n%s", path, want, got, w)
		}
	}
	checked := map[string]bool{}
	if _, err := os.Stat(golden); err == nil {
		compare(root, golden)
		checked[config.DisplayPath(root)] = true
	}
	if fixed != "" {
		dir := filepath.Dir(root)
		err = filepath.WalkDir(fixed, func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel, err := filepath.Rel(fixed, p)
			if err != nil {
				return err
			}
			compare(filepath.Join(dir, rel), p)
			checked[config.DisplayPath(filepath.Join(dir, rel))] = true
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	// A fix that lands in a file with no expected result is a surprise.
	for p := range res.Files {
		if !checked[p] {
			t.Errorf("fixes changed %s, which has no golden (add it under fixed/):\n%s", p, res.Files[p])
		}
	}
}
