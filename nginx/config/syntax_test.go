package config

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// syntaxWant is every diagnostic each syntax fixture must produce, as
// "path:line:col: message" with paths relative to the fixture directory.
// nginx stops at the first error; we recover and report them all. The
// first line nginx reports is checked in TestDifferentialNginxSyntax.
var syntaxWant = map[string][]string{
	"anonymous-block":                {`nginx.conf:3:5: unexpected "{"`},
	"block-spans-files":              {`inc/open.conf:3:1: unexpected end of file, expecting "}"`},
	"brace-after-quote":              {`nginx.conf:4:23: unexpected "}"`},
	"brace-in-map":                   {`nginx.conf:5:12: unexpected "{"`},
	"close-in-include":               {`nginx.conf:6:1: unexpected end of file, expecting "}"`, `inc/close.conf:2:1: unexpected "}"`},
	"eof-in-block":                   {`nginx.conf:6:1: unexpected end of file, expecting "}"`},
	"eof-in-directive":               {`nginx.conf:4:1: unexpected end of file, expecting ";" or "}"`},
	"eof-in-directive-no-newline":    {`nginx.conf:3:28: unexpected end of file, expecting ";" or "}"`},
	"glued-after-quote":              {`nginx.conf:3:21: unexpected "b"`},
	"hash-after-quote":               {`nginx.conf:3:21: unexpected "#"`},
	"include-arity":                  {`nginx.conf:4:19: invalid number of arguments in "include" directive`},
	"include-missing":                {`nginx.conf:4:21: open() "{dir}/missing.conf" failed (2: No such file or directory)`},
	"location-regex-split":           {`nginx.conf:4:28: unknown directive "2}$"`, `nginx.conf:9:1: unexpected end of file, expecting "}"`},
	"many-errors":                    {`nginx.conf:2:1: unexpected ";"`, `nginx.conf:4:21: unexpected "b"`, `nginx.conf:7:20: unexpected "}"`, `nginx.conf:8:5: unexpected "{"`, `nginx.conf:9:19: unexpected "{"`, `nginx.conf:11:1: unexpected "}"`},
	"missing-semicolon-before-brace": {`nginx.conf:5:5: unexpected "}"`},
	"multi-file-errors":              {`nginx.conf:4:21: unexpected "b"`, `inc/a.conf:4:1: unexpected "}"`, `inc/b.conf:2:1: unexpected ";"`},
	"no-opening-brace":               {`nginx.conf:6:13: directive "location" has no opening "{"`},
	"quote-after-quote":              {`nginx.conf:3:21: unexpected """`},
	"semicolon-after-block":          {`nginx.conf:5:6: unexpected ";"`},
	"server-leaf-in-http":            {`nginx.conf:3:11: directive "server" has no opening "{"`},
	"stray-close-after-events":       {`nginx.conf:3:2: unexpected "}"`},
	"stray-close-top":                {`nginx.conf:4:1: unexpected "}"`},
	"stray-semicolon":                {`nginx.conf:2:1: unexpected ";"`},
	"too-long-comment":               {`nginx.conf:3:5: too long parameter "#ccccccccc..." started`},
	"too-long-quoted":                {`nginx.conf:3:18: too long parameter "aaaaaaaaaa..." started`},
	"too-long-unterminated":          {`nginx.conf:3:18: too long parameter, probably missing terminating """ character`},
	"too-long-word":                  {`nginx.conf:3:18: too long parameter "aaaaaaaaaa..." started`},
	"unterminated-quote":             {`nginx.conf:5:1: unexpected end of file, expecting ";" or "}"`},
}

func TestSyntaxFixtures(t *testing.T) {
	names := fixtureNames(t, "syntax")
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			want, ok := syntaxWant[name]
			require.True(t, ok, "add syntax fixture %s to syntaxWant", name)
			dir := fixturePath("syntax", name)
			tree, diags := load(t, filepath.Join(dir, "nginx.conf"), Options{})
			var got []string
			for _, d := range diags {
				assert.Equal(t, SevError, d.Severity)
				rel, err := filepath.Rel(dir, d.Path)
				require.NoError(t, err)
				d.Path = filepath.ToSlash(rel)
				got = append(got, d.Error())
			}
			var exp []string
			for _, w := range want {
				exp = append(exp, replaceDir(w, dir))
			}
			assert.Equal(t, exp, got)
			// Whatever the errors, the tree stays well formed.
			checkTree(t, tree)
		})
	}
	assert.Len(t, syntaxWant, len(names), "syntaxWant names a fixture that does not exist")
}

func replaceDir(s, dir string) string { return strings.ReplaceAll(s, "{dir}", dir) }

// checkTree asserts the structural invariants every tree keeps, whatever
// the input: offsets inside the file and ordered, children inside their
// parent and in source order, Parent links right.
func checkTree(t testing.TB, tree *Tree) {
	t.Helper()
	for _, f := range tree.Files {
		checkBlock(t, f, f.Top, nil, 0, int32(len(f.Src)))
		for i, c := range f.Comments {
			if c.Start < 0 || c.Start >= c.End || int(c.End) > len(f.Src) || f.Src[c.Start] != '#' {
				t.Fatalf("%s: bad comment %d..%d", f.Path, c.Start, c.End)
			}
			if i > 0 && f.Comments[i-1].End > c.Start {
				t.Fatalf("%s: comments out of order", f.Path)
			}
		}
	}
}

func checkBlock(t testing.TB, f *File, ds []*Directive, parent *Directive, lo, hi int32) {
	t.Helper()
	prevEnd := lo
	for _, d := range ds {
		if d.File != f {
			t.Fatalf("%s: directive %q has File %s", f.Path, d.Name, d.File.Path)
		}
		if d.Parent != parent && !(parent == nil && f.Via != nil && d.Parent == f.Via.Parent) {
			t.Fatalf("%s: directive %q has the wrong Parent", f.Path, d.Name)
		}
		if !(prevEnd <= d.Start && d.Start < d.NameEnd && d.NameEnd <= d.End && d.End <= hi) {
			t.Fatalf("%s: directive %q offsets %d<=%d<%d<=%d<=%d broken", f.Path, d.Name, prevEnd, d.Start, d.NameEnd, d.End, hi)
		}
		end := d.NameEnd
		for _, a := range d.Args {
			if !(end <= a.Start && a.Start <= a.End && a.End <= d.End) {
				t.Fatalf("%s: argument of %q outside the directive", f.Path, d.Name)
			}
			end = a.End
		}
		if d.IsBlock() {
			if !(end <= d.BlockOpen && d.BlockOpen < d.End && f.Src[d.BlockOpen] == '{') {
				t.Fatalf("%s: %q BlockOpen %d broken", f.Path, d.Name, d.BlockOpen)
			}
			if d.Block == nil {
				t.Fatalf("%s: block %q has nil Block", f.Path, d.Name)
			}
			if d.Lua != nil {
				if !(d.Lua.Start == d.BlockOpen+1 && d.Lua.Start <= d.Lua.End && d.Lua.End <= d.End) {
					t.Fatalf("%s: Lua body of %q broken", f.Path, d.Name)
				}
			}
			checkBlock(t, f, d.Block, d, d.BlockOpen+1, d.End)
		} else if d.Block != nil || d.Lua != nil {
			t.Fatalf("%s: simple directive %q has a body", f.Path, d.Name)
		}
		if d.Include != nil {
			for _, inc := range d.Include.Files {
				if inc.Via != d {
					t.Fatalf("%s: included file's Via is not its include", inc.Path)
				}
			}
		}
		prevEnd = d.End
	}
}

// tooLongCases are the edges of nginx's 4096-byte buffer rule, as nginx
// 1.22.1 applies it (checked against nginx in TestNginxTooLong).
var tooLongCases = []struct {
	name, src string
	err       string // "" when accepted
}{
	{"bare 4095", "events {}\nhttp {\n log_format x " + strings.Repeat("a", 4095) + ";\n}\n", ""},
	{"bare 4095 then space", "events {}\nhttp {\n log_format x " + strings.Repeat("a", 4095) + " ;\n}\n", `3:15: too long parameter "aaaaaaaaaa..." started`},
	{"bare 4096", "events {}\nhttp {\n log_format x " + strings.Repeat("a", 4096) + ";\n}\n", `3:15: too long parameter "aaaaaaaaaa..." started`},
	{"quoted 4094", "events {}\nhttp {\n log_format x \"" + strings.Repeat("a", 4094) + "\";\n}\n", ""},
	{"quoted 4094 then space", "events {}\nhttp {\n log_format x \"" + strings.Repeat("a", 4094) + "\" ;\n}\n", `3:15: too long parameter "aaaaaaaaaa..." started`},
	{"quoted 4095", "events {}\nhttp {\n log_format x '" + strings.Repeat("a", 4095) + "';\n}\n", `3:15: too long parameter "aaaaaaaaaa..." started`},
	{"quoted 4096", "events {}\nhttp {\n log_format x '" + strings.Repeat("a", 4096) + "';\n}\n", `3:15: too long parameter, probably missing terminating "'" character`},
	{"comment 4095", "events {}\nhttp {\n #" + strings.Repeat("c", 4094) + "\n}\n", ""},
	{"comment 4096", "events {}\nhttp {\n #" + strings.Repeat("c", 4095) + "\n}\n", `3:2: too long parameter "#ccccccccc..." started`},
	{"long whitespace", "events {}\nhttp {" + strings.Repeat(" ", 10000) + "\n}\n", ""},
	{"bare 4096 at EOF", "events {}\n" + strings.Repeat("a", 4096), `2:4097: unexpected end of file, expecting ";" or "}"`},
}

func TestTooLong(t *testing.T) {
	for _, tt := range tooLongCases {
		t.Run(tt.name, func(t *testing.T) {
			tree, diags := Parse(context.Background(), "t.conf", []byte(tt.src), Options{})
			var got []string
			for _, d := range diags {
				got = append(got, strings.TrimPrefix(d.Error(), "t.conf:"))
			}
			if tt.err == "" {
				assert.Empty(t, got)
			} else {
				require.NotEmpty(t, got)
				assert.Equal(t, tt.err, got[0])
			}
			checkTree(t, tree)
			lexRoundTrip(t, []byte(tt.src))
		})
	}
}
