package config

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The fixtures live in fixtures/config at the repository root:
//
//	valid/NAME/   configurations nginx accepts (Lua ones need OpenResty);
//	              the root is nginx.conf unless validRoots says otherwise
//	syntax/NAME/  complete configurations nginx rejects with a syntax error
//	loader/NAME/  include, limit and byte-level edge cases
//	snippet/      files that are not a whole nginx.conf
//	dump/         `nginx -T` output
var fixtureRoot = func() string {
	p, err := filepath.Abs(filepath.Join("..", "..", "fixtures", "config"))
	if err != nil {
		panic(err)
	}
	return p
}()

func fixturePath(parts ...string) string {
	return filepath.Join(append([]string{fixtureRoot}, parts...)...)
}

// fixtureNames lists the fixture directories of a category.
func fixtureNames(t testing.TB, category string) []string {
	t.Helper()
	ents, err := os.ReadDir(fixturePath(category))
	require.NoError(t, err)
	var out []string
	for _, e := range ents {
		if e.IsDir() {
			out = append(out, e.Name())
		}
	}
	sort.Strings(out)
	require.NotEmpty(t, out, "no fixtures in %s", category)
	return out
}

// validRoots names the fixtures that need more than `Load(dir/nginx.conf)`.
var validRoots = map[string]struct {
	root string // relative to the fixture directory
	opts func(dir string) Options
}{
	// Deployed as /etc/nginx; linted with --map /etc/nginx=DIR/x.
	"pathmap": {"x/nginx.conf", func(dir string) Options {
		return Options{PathMap: []Mapping{{From: "/etc/nginx", To: filepath.Join(dir, "x")}}}
	}},
	// A sites-enabled file linted alone with --prefix and an http context.
	"prefix": {"sites-enabled/site.conf", func(dir string) Options {
		return Options{Prefix: dir, Context: "http"}
	}},
}

// validRoot returns a valid fixture's root file and load options.
func validRoot(name string) (string, Options) {
	dir := fixturePath("valid", name)
	if r, ok := validRoots[name]; ok {
		return filepath.Join(dir, r.root), r.opts(dir)
	}
	return filepath.Join(dir, "nginx.conf"), Options{}
}

func loadValid(t testing.TB, name string) *Tree {
	t.Helper()
	root, opts := validRoot(name)
	tree, diags := Load(context.Background(), root, opts)
	require.Empty(t, diagStrings(diags), "valid fixture %s", name)
	require.NotNil(t, tree)
	return tree
}

func load(t testing.TB, root string, opts Options) (*Tree, []Diagnostic) {
	t.Helper()
	tree, diags := Load(context.Background(), root, opts)
	require.NotNil(t, tree, "%v", diags)
	return tree, diags
}

// diagStrings renders diagnostics as "rel/path:line:col: message" with
// paths relative to the fixture root, for readable assertions.
func diagStrings(diags []Diagnostic) []string {
	var out []string
	for _, d := range diags {
		d.Path = relFixture(d.Path)
		out = append(out, d.Error())
	}
	return out
}

func relFixture(p string) string {
	if p == "" || p == "-" {
		return p
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return p
	}
	if r, err := filepath.Rel(fixtureRoot, abs); err == nil && !strings.HasPrefix(r, "..") {
		return filepath.ToSlash(r)
	}
	return p
}

// allFixtureFiles lists every regular file under fixtures/config.
func allFixtureFiles(t testing.TB) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(fixtureRoot, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			out = append(out, p)
		}
		return nil
	})
	require.NoError(t, err)
	require.NotEmpty(t, out)
	return out
}

// tnode is a directive reduced to what nginx stores: name, argument values,
// nesting (includes expanded, as nginx sees them) and the raw Lua body.
type tnode struct {
	Name  string
	Args  []string
	Block []tnode // nil for a simple directive
	Lua   *string // whitespace removed, for Lua blocks
}

func ourTree(block []*Directive) []tnode {
	out := []tnode{}
	for d := range Children(block) {
		n := tnode{Name: d.Name, Args: d.Values()}
		if d.Lua != nil {
			lua := squeeze(d.File.Src[d.Lua.Start:d.Lua.End])
			n.Lua = &lua
		} else if d.IsBlock() {
			n.Block = ourTree(d.Block)
		}
		out = append(out, n)
	}
	return out
}

// squeeze removes all whitespace, so Lua bodies compare across parsers that
// re-join tokens.
func squeeze(s string) string {
	return strings.Join(strings.Fields(s), "")
}
