// Package rulestest checks rules against fixture configs that carry their
// expectations inline, the way golang.org/x/tools/go/analysis/analysistest
// does with `// want` comments: a line ending in `# want NGX101` must get
// an NGX101 finding, and no other line may get one.
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
	"github.com/ngxlint/ngxlint/lint/config"
	"github.com/ngxlint/ngxlint/lint/fix"
	"github.com/ngxlint/ngxlint/rules"
)

var wantRE = regexp.MustCompile(`#\s*want\s+((?:NGX\d{3}[\s,]*)+)`)

// Wants extracts `# want NGXnnn` expectations from every file of a tree:
// "path:line" → rule IDs.
func Wants(t *config.Tree) map[string][]string {
	out := map[string][]string{}
	for _, f := range t.Files {
		for _, c := range f.Comments {
			m := wantRE.FindStringSubmatch(c.File.Src[c.Start:c.End])
			if m == nil {
				continue
			}
			key := fmt.Sprintf("%s:%d", f.Path, c.Line())
			for _, id := range strings.FieldsFunc(m[1], func(r rune) bool { return r == ' ' || r == ',' || r == '\t' }) {
				out[key] = append(out[key], id)
			}
		}
	}
	return out
}

// Got renders findings the same way: "path:line" → rule IDs.
func Got(fs []rules.Finding) map[string][]string {
	out := map[string][]string{}
	for _, f := range fs {
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
	Version rules.Version
}

// Run loads each fixture under dir, runs the rules, and checks the wants
// for those rules. A fixture with a sibling "<name>.golden" (or, for a
// directory case, "fixed/" tree) also has its fixes applied and compared.
func Run(t *testing.T, dir string, rs []*rules.Rule, opts Options) {
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
			if _, err := os.Stat(golden); err == nil {
				checkGolden(t, root, golden, rs, opts)
			}
		})
	}
}

func checkGolden(t *testing.T, root, golden string, rs []*rules.Rule, opts Options) {
	t.Helper()
	res, err := fix.Converge(context.Background(),
		func(ctx context.Context, overlay map[string][]byte) (*config.Tree, []config.Diagnostic) {
			return config.Load(ctx, root, config.Options{Overlay: overlay})
		},
		func(tr *config.Tree) []rules.Finding {
			return lint.Run(tr, lint.Options{Rules: rs, Version: opts.Version}).Findings
		},
		10)
	if err != nil {
		t.Fatalf("fix: %v", err)
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	got := res.Files[config.DisplayPath(root)]
	if got == nil {
		got, _ = os.ReadFile(root)
	}
	if string(got) != string(want) {
		t.Errorf("fixed %s differs from %s:\n--- got\n%s\n--- want\n%s", root, golden, got, want)
	}
}
