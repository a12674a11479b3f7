package config

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// includedFiles lists, for each include directive in document order, the
// files it loaded, relative to dir.
func includedFiles(t testing.TB, tree *Tree, dir string) [][]string {
	t.Helper()
	var out [][]string
	var walk func(ds []*Directive)
	walk = func(ds []*Directive) {
		for _, d := range ds {
			if d.Include != nil {
				files := []string{}
				for _, f := range d.Include.Files {
					rel, err := filepath.Rel(dir, f.Path)
					require.NoError(t, err)
					files = append(files, filepath.ToSlash(rel))
				}
				out = append(out, files)
				for _, f := range d.Include.Files {
					walk(f.Top)
				}
			}
			walk(d.Block)
		}
	}
	walk(tree.Root.Top)
	return out
}

// TestIncludePrefix: a relative include resolves against the conf prefix
// (the main file's directory), not against the including file: sub/a.conf's
// `include b.conf` is DIR/b.conf, and the decoy sub/b.conf is never read.
func TestIncludePrefix(t *testing.T) {
	dir := fixturePath("valid", "includes-prefix")
	tree := loadValid(t, "includes-prefix")
	assert.Equal(t, dir, tree.Prefix)
	assert.Equal(t, [][]string{{"sub/a.conf"}, {"b.conf"}}, includedFiles(t, tree, dir))
	srv := find(t, tree.Root.Top, "http", "server")
	assert.Equal(t, filepath.Join(dir, "b.conf"), srv.File.Name)
	assert.Equal(t, "http", srv.Parent.Name, "Parent crosses include boundaries")
	ret := find(t, srv.Block, "return")
	assert.Equal(t, []string{"200", "prefix"}, ret.Values())
	// Chain: innermost include first.
	chain := ret.Chain()
	require.Len(t, chain, 2)
	assert.Equal(t, "include b.conf", chain[0].String())
	assert.Equal(t, filepath.Join(dir, "sub", "a.conf"), chain[0].File.Path)
	assert.Equal(t, "include sub/a.conf", chain[1].String())
	assert.Equal(t, tree.Root, chain[1].File)
	assert.Empty(t, tree.Root.Top[0].Chain())
}

// TestIncludeGlob: glob results in byte order (A < _ < a), dot files
// skipped by `*.conf` and matched by `.*.conf`, `[ab]` and `?` classes.
func TestIncludeGlob(t *testing.T) {
	dir := fixturePath("valid", "includes-glob")
	tree := loadValid(t, "includes-glob")
	assert.Equal(t, [][]string{
		{"conf.d/A.conf", "conf.d/_u.conf", "conf.d/a.conf", "conf.d/b.conf"},
		{"conf.d/.hidden.conf"},
		{"conf.d/a.conf", "conf.d/b.conf"},
		{"conf.d/A.conf", "conf.d/a.conf", "conf.d/b.conf"},
	}, includedFiles(t, tree, dir))
	// A file included twice is parsed twice: one File per inclusion.
	assert.Len(t, tree.Files, 1+4+1+2+3)
	var order []string
	for d := range Children(find(t, tree.Root.Top, "http").Block) {
		if d.Name == "add_header" {
			order = append(order, d.Arg(1))
		}
	}
	assert.Equal(t, []string{"A", "_u", "a", "b", ".hidden", "a", "b", "A", "a", "b"}, order)
	inc := find(t, tree.Root.Top, "http").Block[0]
	assert.Equal(t, filepath.Join(dir, "conf.d/*.conf"), inc.Include.Pattern)
}

func TestIncludeQuoted(t *testing.T) {
	dir := fixturePath("valid", "includes-quoted")
	tree := loadValid(t, "includes-quoted")
	assert.Equal(t, [][]string{{"q dir/one.conf"}, {"q dir/one.conf"}}, includedFiles(t, tree, dir))
}

// TestIncludeContexts: include works in every context, and the included
// statements' Parent is the block holding the include.
func TestIncludeContexts(t *testing.T) {
	tree := loadValid(t, "includes-contexts")
	want := map[string]string{
		"main.conf": "", "events.conf": "events", "http.conf": "http", "upstream.conf": "upstream",
		"map.conf": "map", "geo.conf": "geo", "types.conf": "types", "server.conf": "server",
		"location.conf": "location", "if.conf": "if", "limit_except.conf": "limit_except", "stream.conf": "stream",
	}
	seen := map[string]bool{}
	for _, f := range tree.Files[1:] {
		base := filepath.Base(f.Path)
		require.NotEmpty(t, f.Top, base)
		parent := ""
		if p := f.Top[0].Parent; p != nil {
			parent = p.Name
		}
		assert.Equal(t, want[base], parent, base)
		assert.Same(t, f.Via.Parent, f.Top[0].Parent)
		seen[base] = true
	}
	assert.Len(t, seen, len(want))
}

func TestIncludeEmptyGlob(t *testing.T) {
	tree := loadValid(t, "includes-empty-glob")
	for _, d := range find(t, tree.Root.Top, "http").Block {
		require.NotNil(t, d.Include, d.String())
		assert.Empty(t, d.Include.Files)
	}
	assert.Len(t, tree.Files, 1)
}

// TestIncludeErrors: include errors sit at the include's file:line (the
// line of its ';', as nginx reports it) and carry the include chain.
func TestIncludeErrors(t *testing.T) {
	tests := []struct {
		fixture string
		want    []string // rel path:line:col: message
		via     [][]string
	}{
		{"missing-nested",
			[]string{`inc/first.conf:3:29: open() "{dir}/inc/missing.conf" failed (2: No such file or directory)`},
			[][]string{{"nginx.conf:3"}}},
		{"cycle",
			[]string{`b.conf:3:15: include cycle: {dir}/nginx.conf:3 -> {dir}/a.conf:2 -> {dir}/b.conf:3 -> {dir}/a.conf`},
			[][]string{{"a.conf:2", "nginx.conf:3"}}},
		{"self-include",
			[]string{`nginx.conf:2:19: include cycle: {dir}/nginx.conf:2 -> {dir}/nginx.conf`},
			[][]string{{}}},
		{"glob-directory",
			[]string{`nginx.conf:3:21: pread() "{dir}/conf.d/sub" failed (21: Is a directory)`},
			[][]string{{}}},
		{"include-chain",
			[]string{`snippets/deep.conf:3:19: unexpected "y"`},
			[][]string{{"sites/one.conf:3", "nginx.conf:3"}}},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			dir := fixturePath("loader", tt.fixture)
			_, diags := load(t, filepath.Join(dir, "nginx.conf"), Options{})
			var got []string
			var via [][]string
			for _, d := range diags {
				rel, _ := filepath.Rel(dir, d.Path)
				d.Path = rel
				got = append(got, d.Error())
				v := []string{}
				for _, inc := range d.Via {
					r, _ := filepath.Rel(dir, inc.File.Path)
					v = append(v, r+":"+itoa(inc.File.Position(inc.End-1).Line))
				}
				via = append(via, v)
			}
			var want []string
			for _, w := range tt.want {
				want = append(want, replaceDir(w, dir))
			}
			assert.Equal(t, want, got)
			assert.Equal(t, tt.via, via)
		})
	}
}

// TestIncludeChainNodes: nodes of included files know their chain.
func TestIncludeChainNodes(t *testing.T) {
	dir := fixturePath("loader", "include-chain")
	tree, _ := load(t, filepath.Join(dir, "nginx.conf"), Options{})
	hdr := find(t, tree.Root.Top, "http", "server", "location", "add_header")
	assert.Equal(t, []string{"X-Deep", "1"}, hdr.Values())
	chain := hdr.Chain()
	require.Len(t, chain, 2)
	assert.Equal(t, "include snippets/deep.conf", chain[0].String())
	assert.Equal(t, "include sites/*.conf", chain[1].String())
	assert.Equal(t, "server", hdr.Parent.Parent.Name)
	assert.Equal(t, "http", hdr.Parent.Parent.Parent.Name)
}

// TestSymlinks: a symlink loop is an error at the include (ELOOP, as nginx
// says it), and a symlink back to a file being parsed is an include cycle.
func TestSymlinks(t *testing.T) {
	dir := t.TempDir()
	write := func(name, s string) {
		require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(s), 0o644))
	}
	write("nginx.conf", "events {}\nhttp {\n    include loop/*.conf;\n    include loop/a.conf;\n    include alias.conf;\n}\n")
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "loop"), 0o755))
	require.NoError(t, os.Symlink("b.conf", filepath.Join(dir, "loop", "a.conf")))
	require.NoError(t, os.Symlink("a.conf", filepath.Join(dir, "loop", "b.conf")))
	require.NoError(t, os.Symlink("nginx.conf", filepath.Join(dir, "alias.conf")))
	// a directory symlink loop under a glob stays bounded
	require.NoError(t, os.Symlink(".", filepath.Join(dir, "loop", "self")))

	_, diags := load(t, filepath.Join(dir, "nginx.conf"), Options{})
	var got []string
	for _, d := range diags {
		got = append(got, replaceAll(d.Error(), dir, "{dir}"))
	}
	assert.Equal(t, []string{
		`{dir}/nginx.conf:3:24: open() "{dir}/loop/a.conf" failed (40: Too many levels of symbolic links)`,
		`{dir}/nginx.conf:3:24: open() "{dir}/loop/b.conf" failed (40: Too many levels of symbolic links)`,
		`{dir}/nginx.conf:4:24: open() "{dir}/loop/a.conf" failed (40: Too many levels of symbolic links)`,
		`{dir}/nginx.conf:5:23: include cycle: {dir}/nginx.conf:5 -> {dir}/alias.conf`,
	}, got)
}

func replaceAll(s, old, new string) string { return strings.ReplaceAll(s, old, new) }

// TestPathMapping: with --map /etc/nginx=DIR/x, absolute includes and
// relative ones (the prefix is the deployed /etc/nginx) load from DIR/x;
// File.Name keeps the deployed path, File.Path the local one.
func TestPathMapping(t *testing.T) {
	dir := fixturePath("valid", "pathmap", "x")
	tree := loadValid(t, "pathmap")
	assert.Equal(t, "/etc/nginx", tree.Prefix)
	assert.Equal(t, "/etc/nginx/nginx.conf", tree.Root.Name)
	var names, paths []string
	for _, f := range tree.Files[1:] {
		names = append(names, f.Name)
		rel, _ := filepath.Rel(dir, f.Path)
		paths = append(paths, rel)
	}
	assert.Equal(t, []string{"/etc/nginx/mime.types", "/etc/nginx/conf.d/site.conf", "/etc/nginx/conf.d/relative.inc"}, names)
	assert.Equal(t, []string{"mime.types", "conf.d/site.conf", "conf.d/relative.inc"}, paths)
	assert.Equal(t, []string{"mapped"}, find(t, tree.Root.Top, "http", "server", "server_name").Values())

	// A missing mapped file names both paths.
	_, diags := load(t, filepath.Join(dir, "nginx.conf"), Options{PathMap: []Mapping{{From: "/etc/nginx", To: t.TempDir()}}})
	require.Len(t, diags, 1)
	assert.Contains(t, diags[0].Message, `open() "/etc/nginx/mime.types" failed (2: No such file or directory) (looked for `)

	m, err := ParseMapping("/etc/nginx/=./x")
	require.NoError(t, err)
	assert.Equal(t, Mapping{From: "/etc/nginx", To: "x"}, m)
	_, err = ParseMapping("/etc/nginx")
	assert.Error(t, err)
}

// TestPrefixOverride: a sites-enabled file linted alone resolves includes
// against --prefix.
func TestPrefixOverride(t *testing.T) {
	dir := fixturePath("valid", "prefix")
	tree := loadValid(t, "prefix")
	assert.Equal(t, dir, tree.Prefix)
	assert.Equal(t, "http", tree.Context)
	assert.Equal(t, [][]string{{"snippets/common.conf"}}, includedFiles(t, tree, dir))
	// Without the prefix the include resolves next to the file and fails.
	_, diags := load(t, filepath.Join(dir, "sites-enabled", "site.conf"), Options{Context: "http"})
	require.Len(t, diags, 1)
	assert.Contains(t, diags[0].Message, filepath.Join(dir, "sites-enabled", "snippets", "common.conf"))
}

// TestSnippets: the context comes from the option or the first-line
// comment, and decides what the top level is.
func TestSnippets(t *testing.T) {
	tests := []struct {
		file    string
		opts    Options
		context string
		diags   []string
	}{
		{"location.conf", Options{}, "location", nil},
		{"location-plain.conf", Options{Context: "location"}, "location", nil},
		{"upstream.conf", Options{Context: "upstream"}, "upstream", nil},
		{"upstream.conf", Options{Context: "stream-upstream"}, "stream-upstream", nil},
		// the same servers in an http snippet are blocks missing their body
		{"upstream.conf", Options{Context: "http"}, "http", []string{
			`snippet/upstream.conf:1:28: directive "server" has no opening "{"`,
			`snippet/upstream.conf:2:26: directive "server" has no opening "{"`}},
		{"bad-context.conf", Options{}, "", []string{
			`snippet/bad-context.conf:1:1: unknown context "nowhere" in ngxlint:context comment (want one of main, http, server, location, upstream, stream, stream-server, stream-upstream)`}},
		{"location-plain.conf", Options{Context: "nowhere"}, "", []string{
			`unknown context "nowhere" (want one of main, http, server, location, upstream, stream, stream-server, stream-upstream)`}},
	}
	for _, tt := range tests {
		t.Run(tt.file+"/"+tt.opts.Context, func(t *testing.T) {
			tree, diags := load(t, fixturePath("snippet", tt.file), tt.opts)
			assert.Equal(t, tt.diags, diagStrings(diags))
			if tt.context != "" {
				assert.Equal(t, tt.context, tree.Context)
			}
			checkTree(t, tree)
		})
	}
	// The option wins over the comment.
	tree, _ := load(t, fixturePath("snippet", "location.conf"), Options{Context: "server"})
	assert.Equal(t, "server", tree.Context)
}

// TestDump: `nginx -T` output loads as the tree it describes, with its
// files under the names nginx printed.
func TestDump(t *testing.T) {
	tests := []struct{ dump, valid string }{
		{"includes-contexts.txt", "includes-contexts"},
		{"tables.txt", "tables"}, // with nginx's status lines at the top
	}
	for _, tt := range tests {
		t.Run(tt.dump, func(t *testing.T) {
			tree, diags := load(t, fixturePath("dump", tt.dump), Options{})
			require.Empty(t, diagStrings(diags))
			assert.True(t, tree.Dump)
			disk := loadValid(t, tt.valid)
			assert.Equal(t, ourTree(disk.Root.Top), ourTree(tree.Root.Top))
			require.Equal(t, len(disk.Files), len(tree.Files))
			for i, f := range tree.Files {
				assert.Equal(t, disk.Files[i].Src, f.Src, "file %d (%s) byte-exact", i, f.Name)
				assert.True(t, strings.HasSuffix(f.Name, strings.TrimPrefix(disk.Files[i].Name, filepath.Dir(fixtureRoot))), f.Name)
			}
			// The same through Parse and standard input.
			src, err := os.ReadFile(fixturePath("dump", tt.dump))
			require.NoError(t, err)
			tree2, diags := Load(context.Background(), "-", Options{Stdin: bytes.NewReader(src)})
			require.Empty(t, diags)
			assert.True(t, tree2.Dump)
			assert.Equal(t, ourTree(tree.Root.Top), ourTree(tree2.Root.Top))
		})
	}
}

// TestBytes: CRLF, BOM, non-UTF-8, NUL and the size limit.
func TestBytes(t *testing.T) {
	t.Run("crlf", func(t *testing.T) {
		tree := loadValid(t, "crlf")
		f := tree.Root
		srv := find(t, f.Top, "http", "server")
		assert.Equal(t, [2]int{4, 5}, lc(srv.Pos()))
		listen := find(t, srv.Block, "listen")
		assert.Equal(t, [2]int{5, 9}, lc(listen.Pos()))
		assert.Equal(t, "127.0.0.1:8080", listen.Arg(0))
		require.Len(t, f.Comments, 1)
		assert.Equal(t, " crlf comment\r", f.Comments[0].Text(), "the comment runs to LF; CR is kept byte-exact")
		assert.Equal(t, "    # crlf comment", f.LineText(3))
	})
	t.Run("bom", func(t *testing.T) {
		tree, diags := load(t, fixturePath("loader", "bom", "nginx.conf"), Options{})
		require.Len(t, diags, 1)
		assert.Equal(t, SevWarning, diags[0].Severity)
		assert.False(t, HasErrors(diags))
		assert.Equal(t, "events", tree.Root.Top[0].Name)
		assert.Equal(t, int32(3), tree.Root.Top[0].Start)
		assert.Equal(t, [2]int{1, 4}, lc(tree.Root.Top[0].Pos()))
	})
	t.Run("non-utf8", func(t *testing.T) {
		tree := loadValid(t, "latin1")
		ret := find(t, tree.Root.Top, "http", "server", "return")
		assert.Equal(t, "\xe9t\xe9", ret.Arg(1))
		src, err := os.ReadFile(fixturePath("valid", "latin1", "nginx.conf"))
		require.NoError(t, err)
		assert.Equal(t, string(src), tree.Root.Src)
		assert.Equal(t, " comment \xff\xfe", tree.Root.Comments[0].Text())
	})
	t.Run("nul", func(t *testing.T) {
		tree, diags := load(t, fixturePath("loader", "nul", "nginx.conf"), Options{})
		assert.Equal(t, []string{`loader/nul/nginx.conf:3:20: binary file: NUL byte; nginx configuration files are text`}, diagStrings(diags))
		assert.Empty(t, tree.Root.Top)
	})
	t.Run("size-limit", func(t *testing.T) {
		dir := t.TempDir()
		root := filepath.Join(dir, "nginx.conf")
		require.NoError(t, os.WriteFile(root, []byte("events {}\nhttp {\n    include big.conf;\n}\n"), 0o644))
		require.NoError(t, os.WriteFile(filepath.Join(dir, "big.conf"), bytes.Repeat([]byte("# filler\n"), 20), 0o644))
		_, diags := Load(context.Background(), root, Options{MaxFileSize: 40})
		require.Len(t, diags, 1)
		assert.Equal(t, root+": file is 41 bytes, over the 40-byte limit", diags[0].Error())
		// An included file over the limit is an error at its include.
		_, diags = Load(context.Background(), root, Options{MaxFileSize: 100})
		require.Len(t, diags, 1)
		assert.Equal(t, root+`:3:21: "`+filepath.Join(dir, "big.conf")+`": file is 180 bytes, over the 100-byte limit`, diags[0].Error())
		_, diags = Load(context.Background(), root, Options{})
		assert.Empty(t, diags)
		_, diags = Load(context.Background(), "-", Options{MaxFileSize: 10, Stdin: strings.NewReader("events {}\nhttp {}\n")})
		require.Len(t, diags, 1)
		assert.Equal(t, "-: input is over the 10-byte limit", diags[0].Error())
	})
}

// TestDepth: 100,000 '{' in a row is one error, not a stack overflow; so is
// nesting deeper than MaxDepth, across includes too.
func TestDepth(t *testing.T) {
	tree, diags := load(t, fixturePath("loader", "deep-braces", "nginx.conf"), Options{})
	assert.Equal(t, []string{
		`loader/deep-braces/nginx.conf:2:1: unexpected "{"`,
		`loader/deep-braces/nginx.conf:3:1: unexpected end of file, expecting "}"`,
	}, diagStrings(diags))
	checkTree(t, tree)

	src := strings.Repeat("a{", 100000)
	tree, diags = Parse(context.Background(), "deep.conf", []byte(src), Options{})
	assert.Equal(t, []string{`deep.conf:1:402: blocks nested deeper than 200 levels`}, diagStrings(diags))
	checkTree(t, tree)
	d := tree.Root.Top[0]
	n := 1
	for len(d.Block) > 0 {
		d = d.Block[0]
		n++
	}
	assert.Equal(t, 200, n)
	assert.Equal(t, int32(len(src)), tree.Root.Top[0].End, "unclosed blocks end at EOF")

	_, diags = Parse(context.Background(), "deep.conf", []byte("a{b{c{}}}"), Options{MaxDepth: 2})
	assert.Equal(t, []string{`deep.conf:1:6: blocks nested deeper than 2 levels`}, diagStrings(diags))

	// Depth counts across includes.
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "nginx.conf"), []byte("a {\n b {\n  include inner.conf;\n }\n}\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "inner.conf"), []byte("c {\n d { }\n}\n"), 0o644))
	_, diags = Load(context.Background(), filepath.Join(dir, "nginx.conf"), Options{MaxDepth: 3})
	require.Len(t, diags, 1)
	assert.Equal(t, "blocks nested deeper than 3 levels", diags[0].Message)
	assert.Equal(t, 2, diags[0].Line)
	require.Len(t, diags[0].Via, 1)
}

// TestMissingStandIn: Options.Missing stands in for a missing include
// (not for an unmatched glob), the stand-in is parsed in place, and the
// tree lists it; without a stand-in nginx's error stays.
func TestMissingStandIn(t *testing.T) {
	dir := t.TempDir()
	root := filepath.Join(dir, "nginx.conf")
	require.NoError(t, os.WriteFile(root, []byte("events {}\nhttp {\n  include mime.types;\n  include conf.d/*.conf;\n  include certbot.conf;\n}\n"), 0o644))
	missing := func(name string) ([]byte, string, bool) {
		if filepath.Base(name) == "mime.types" {
			return []byte("types { text/html html; }\n"), "the nginx package's", true
		}
		return nil, "", false
	}
	tree, diags := Load(context.Background(), root, Options{Missing: missing})
	require.NotNil(t, tree)
	require.Len(t, diags, 1, "%v", diags)
	assert.Contains(t, diags[0].Message, `open() "`+filepath.Join(dir, "certbot.conf")+`" failed (2: No such file or directory)`)
	require.Len(t, tree.Stubs, 1)
	assert.Equal(t, filepath.Join(dir, "mime.types"), tree.Stubs[0].Name)
	assert.Equal(t, "the nginx package's", tree.Stubs[0].Why)
	var types bool
	Walk(tree.Top(), func(d *Directive) bool {
		types = types || d.Name == "types"
		return true
	})
	assert.True(t, types, "the stand-in is parsed in place")
}

// TestDumpOverlay: an overlay replaces a dump's file, so fix rounds over
// `nginx -T` output see their own edits.
func TestDumpOverlay(t *testing.T) {
	dump := "# configuration file /etc/nginx/nginx.conf:\nevents {}\nhttp { include /etc/nginx/conf.d/a.conf; }\n\n# configuration file /etc/nginx/conf.d/a.conf:\nserver { listen 80; }\n"
	tree, diags := Parse(context.Background(), "-", []byte(dump), Options{Overlay: map[string][]byte{"/etc/nginx/conf.d/a.conf": []byte("server { listen 8080; }\n")}})
	require.Empty(t, diags)
	var port string
	Walk(tree.Top(), func(d *Directive) bool {
		if d.Name == "listen" {
			port = d.Arg(0)
		}
		return true
	})
	assert.Equal(t, "8080", port)
}
