package config

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// find returns the first directive named name in document order (includes
// expanded), following a path of names: find(top, "http", "server").
func find(t testing.TB, block []*Directive, path ...string) *Directive {
	t.Helper()
	var d *Directive
	for _, name := range path {
		d = nil
		for c := range Children(block) {
			if c.Name == name {
				d = c
				break
			}
		}
		require.NotNil(t, d, "no %q in path %v", name, path)
		block = d.Block
	}
	return d
}

func lc(p Position) [2]int { return [2]int{p.Line, p.Col} }

// TestPositions: a directive's position is its name's, also for a block
// directive written over several lines (not its brace's, as gonginx has it);
// End is just past the terminator; arguments keep their own positions.
func TestPositions(t *testing.T) {
	tree := loadValid(t, "multiline")
	f := tree.Root
	tests := []struct {
		path       []string
		pos, end   [2]int
		open       [2]int // BlockOpen, {0,0} for simple directives
		args       [][2]int
		values     []string
		lastLineOf int // line of the terminator, where nginx reports
	}{
		{[]string{"http", "server"}, [2]int{3, 5}, [2]int{17, 6}, [2]int{4, 5}, nil, []string{}, 17},
		{[]string{"http", "server", "listen"}, [2]int{5, 9}, [2]int{7, 14}, [2]int{}, [][2]int{{6, 13}}, []string{"127.0.0.1:8080"}, 7},
		{[]string{"http", "server", "location"}, [2]int{8, 9}, [2]int{16, 10}, [2]int{11, 9}, [][2]int{{9, 13}, {10, 13}}, []string{"=", "/x"}, 16},
		{[]string{"http", "server", "location", "return"}, [2]int{12, 13}, [2]int{15, 7}, [2]int{}, [][2]int{{13, 17}, {14, 17}}, []string{"200", "multi\nline"}, 15},
		{[]string{"http", "gzip_types"}, [2]int{18, 5}, [2]int{20, 18}, [2]int{}, [][2]int{{19, 9}, {20, 9}}, []string{"text/plain", "text/css"}, 20},
	}
	for _, tt := range tests {
		d := find(t, f.Top, tt.path...)
		assert.Equal(t, tt.pos, lc(d.Pos()), "%v Pos", tt.path)
		assert.Equal(t, tt.end, lc(d.EndPos()), "%v EndPos", tt.path)
		assert.Equal(t, tt.lastLineOf, f.Position(d.End-1).Line, "%v terminator line", tt.path)
		if tt.open == [2]int{} {
			assert.False(t, d.IsBlock())
			assert.Equal(t, int32(-1), d.CloseBrace())
		} else {
			require.True(t, d.IsBlock())
			assert.Equal(t, tt.open, lc(f.Position(d.BlockOpen)), "%v BlockOpen", tt.path)
			assert.Equal(t, byte('}'), f.Src[d.CloseBrace()])
		}
		require.Len(t, d.Args, len(tt.args))
		for i, a := range d.Args {
			assert.Equal(t, tt.args[i], lc(f.Position(a.Start)), "%v arg %d", tt.path, i)
		}
		assert.Equal(t, tt.values, d.Values())
		assert.Equal(t, f.Path, d.Pos().Path)
	}
	ret := find(t, f.Top, "http", "server", "location", "return")
	assert.Equal(t, "return 200 \"multi\nline\"", ret.String())
	assert.Equal(t, "return\n                200\n                \"multi\nline\";", ret.Raw())
	assert.Equal(t, byte('"'), ret.Args[1].Quoted(f))
	assert.Equal(t, byte(0), ret.Args[0].Quoted(f))
	assert.Equal(t, "200", ret.Arg(0))
	assert.Equal(t, "", ret.Arg(5))
}

// TestWordsRawAndValue: each argument keeps the text as written and the
// value nginx stores (the stored values are checked against nginx itself in
// TestNginxStoredValues).
func TestWordsRawAndValue(t *testing.T) {
	type rv struct{ raw, value string }
	tests := []struct {
		fixture string
		path    []string
		nth     int // which directive of that name
		want    []rv
	}{
		{"words", []string{"worker_processes"}, 0, []rv{{`1`, `1`}}},
		{"words", []string{"http", "log_format"}, 0, []rv{{`bare`, `bare`}, {`a#b`, `a#b`}, {`a"b"c`, `a"b"c`}, {`(x)`, `(x)`}}},
		{"words", []string{"http", "log_format"}, 1, []rv{{`dq`, `dq`}, {`"double quoted"`, `double quoted`}, {`"with 'single' inside"`, `with 'single' inside`}, {`"# not a comment"`, `# not a comment`}, {`"a;b{c}d"`, `a;b{c}d`}}},
		{"words", []string{"http", "log_format"}, 2, []rv{{`sq`, `sq`}, {`'single quoted'`, `single quoted`}, {`'with "double" inside'`, `with "double" inside`}}},
		{"words", []string{"http", "log_format"}, 3, []rv{{`empty`, `empty`}, {`""`, ``}, {`''`, ``}}},
		{"words", []string{"http", "log_format"}, 4, []rv{{`paren`, `paren`}, {`"x"`, `x`}, {`)`, `)`}, {`"y"`, `y`}, {`(`, `(`}, {`z`, `z`}, {`)`, `)`}}},
		{"backtick", []string{"http", "log_format"}, 0, []rv{{"bt", "bt"}, {"`a", "`a"}, {"b`", "b`"}}},
		{"escapes", []string{"http", "server", "set"}, 0, []rv{{`$f`, `$f`}, {`"a\xb"`, `a\xb`}}},
		{"escapes", []string{"http", "server", "set"}, 1, []rv{{`$h`, `$h`}, {`'a\"b\'c'`, `a"b'c`}}},
		{"escapes", []string{"http", "server", "set"}, 2, []rv{{`$i`, `$i`}, {`"t\tr\rn\n"`, "t\tr\rn\n"}}},
		{"escapes", []string{"http", "server", "set"}, 3, []rv{{`$j`, `$j`}, {`\"x`, `"x`}}},
		{"escapes", []string{"http", "server", "set"}, 4, []rv{{`$k`, `$k`}, {`"a\$f"`, `a\$f`}}},
		{"escapes", []string{"http", "server", "set"}, 5, []rv{{`$m`, `$m`}, {`\\`, `\`}}},
		{"escapes", []string{"http", "server", "set"}, 6, []rv{{`$o`, `$o`}, {`"he said \"hi\""`, `he said "hi"`}}},
		{"escape-backslash-before-quote", []string{"http", "server", "set"}, 0, []rv{{`$a`, `$a`}, {`"C:\\"`, `C:\`}}},
		{"escape-backslash-before-quote", []string{"http", "server", "return"}, 0, []rv{{`200`, `200`}, {`"x"`, `x`}}},
		{"escape-single-quoted-backslash", []string{"http", "server", "set"}, 0, []rv{{`$b`, `$b`}, {`'\\'`, `\`}}},
		{"escape-bare-semicolon", []string{"http", "server", "set"}, 0, []rv{{`$c`, `$c`}, {`a\;b`, `a\;b`}}},
		{"escape-bare-space", []string{"http", "server", "set"}, 0, []rv{{`$d`, `$d`}, {`a\ b`, `a\ b`}}},
		{"escape-bare-other", []string{"http", "server", "set"}, 0, []rv{{`$e`, `$e`}, {`\#x`, `\#x`}}},
		{"escape-bare-other", []string{"http", "server", "set"}, 1, []rv{{`$l`, `$l`}, {`a\{b`, `a\{b`}}},
		{"escape-bare-other", []string{"http", "server", "set"}, 2, []rv{{`$g`, `$g`}, {"a\\\nb", "a\\\nb"}}},
		{"bare-brace", []string{"http", "server", "return"}, 0, []rv{{`200`, `200`}, {`$x}`, `$x}`}}},
		{"variables", []string{"http", "map"}, 0, []rv{{`$host`, `$host`}, {`$m`, `$m`}}},
		{"variables", []string{"http", "server", "set"}, 0, []rv{{`$a`, `$a`}, {`${host}x`, `${host}x`}}},
		{"variables", []string{"http", "server", "set"}, 1, []rv{{`$b`, `$b`}, {`a${host}b${uri}`, `a${host}b${uri}`}}},
		{"variables", []string{"http", "server", "location"}, 0, []rv{{`/${m}`, `/${m}`}}},
		{"variables", []string{"http", "server", "if"}, 0, []rv{{`($host)`, `($host)`}}},
		{"regex", []string{"http", "server", "if"}, 0, []rv{{`($request_uri`, `($request_uri`}, {`~*`, `~*`}, {`"a{2}"`, `a{2}`}, {`)`, `)`}}},
		{"regex", []string{"http", "server", "if"}, 1, []rv{{`($request_uri`, `($request_uri`}, {`~`, `~`}, {`"^/a;b"`, `^/a;b`}, {`)`, `)`}}},
		{"regex", []string{"http", "server", "if"}, 3, []rv{{`(`, `(`}, {`$args`, `$args`}, {`)`, `)`}}},
		{"regex", []string{"http", "server", "location"}, 0, []rv{{`~`, `~`}, {`"^/x{2}$"`, `^/x{2}$`}}},
		{"regex", []string{"http", "server", "location"}, 1, []rv{{`~*`, `~*`}, {`'\.(?:png|jpe?g){1,2}$'`, `\.(?:png|jpe?g){1,2}$`}}},
		{"latin1", []string{"http", "server", "add_header"}, 0, []rv{{"X-Latin1", "X-Latin1"}, {"\"caf\xe9\"", "caf\xe9"}}},
		{"crlf", []string{"http", "server", "return"}, 0, []rv{{"200", "200"}, {"\"a\r\nb\"", "a\r\nb"}}},
	}
	for _, tt := range tests {
		tree := loadValid(t, tt.fixture)
		parent := tree.Root.Top
		if len(tt.path) > 1 {
			parent = find(t, tree.Root.Top, tt.path[:len(tt.path)-1]...).Block
		}
		name := tt.path[len(tt.path)-1]
		var got *Directive
		n := 0
		for d := range Children(parent) {
			if d.Name == name {
				if n == tt.nth {
					got = d
					break
				}
				n++
			}
		}
		require.NotNil(t, got, "%s %v #%d", tt.fixture, tt.path, tt.nth)
		var have []rv
		for i, a := range got.Args {
			have = append(have, rv{got.RawArg(i), a.Value})
		}
		assert.Equal(t, tt.want, have, "%s %v #%d", tt.fixture, tt.path, tt.nth)
	}
}

func TestQuotedNames(t *testing.T) {
	tree := loadValid(t, "words")
	d := tree.Root.Top[0]
	assert.Equal(t, "worker_processes", d.Name)
	assert.Equal(t, `"worker_processes"`, d.File.Src[d.Start:d.NameEnd])
	assert.Equal(t, [2]int{2, 1}, lc(d.Pos()))
	d = tree.Root.Top[1]
	assert.Equal(t, "worker_rlimit_nofile", d.Name)
	assert.Equal(t, `'worker_rlimit_nofile'`, d.File.Src[d.Start:d.NameEnd])
}

// TestComments: comments are kept with positions and owners. A comment at
// the end of a block belongs to that block (Owner = the block, Next = nil),
// never to what follows the block; an EOF comment without a newline is kept.
func TestComments(t *testing.T) {
	tree := loadValid(t, "comments")
	f := tree.Root
	http := find(t, f.Top, "http")
	servers := []*Directive{}
	for d := range Children(http.Block) {
		if d.Name == "server" {
			servers = append(servers, d)
		}
	}
	require.Len(t, servers, 2)
	location := find(t, servers[1].Block, "location")
	logFormat := find(t, http.Block, "log_format")
	name := func(d *Directive) string {
		if d == nil {
			return ""
		}
		return d.Name + "@" + itoa(d.Pos().Line)
	}
	type want struct {
		line              int
		text              string
		owner, prev, next string
		inline            bool
	}
	wants := []want{
		{1, " file comment", "", "", "events@2", false},
		{2, " after a block", "", "events@2", "http@3", true},
		{3, " after an open brace", "http@3", "", "log_format@5", false},
		{4, " before a directive", "http@3", "", "log_format@5", false},
		{5, " between args", "http@3", "", "log_format@5", false},
		{6, " another one", "http@3", "", "log_format@5", false},
		{8, " inline after the terminator", "http@3", "log_format@5", "server@9", true},
		{11, " ngxlint: disable=rule-a (last thing in server #1)", "server@9", "listen@10", "", false},
		{17, "tight", "location@15", "return@16", "", false},
		{18, " after a close brace", "server@13", "location@15", "", true},
		{20, "   last in http, indented", "http@3", "server@13", "", false},
		{22, " eof comment without newline", "", "http@3", "", false},
	}
	require.Len(t, f.Comments, len(wants))
	for i, w := range wants {
		c := f.Comments[i]
		assert.Equal(t, w.line, c.Line(), "comment %d", i)
		assert.Equal(t, w.text, c.Text(), "comment %d", i)
		assert.Equal(t, w.owner, name(c.Owner), "comment %d owner", i)
		assert.Equal(t, w.prev, name(c.Prev), "comment %d prev", i)
		assert.Equal(t, w.next, name(c.Next), "comment %d next", i)
		assert.Equal(t, w.inline, c.Inline(), "comment %d inline", i)
	}
	// The disable comment at the end of server #1 must not reach server #2.
	assert.Same(t, servers[0], f.Comments[7].Owner)
	assert.Nil(t, f.Comments[7].Next)
	assert.Same(t, location, f.Comments[8].Owner)
	assert.Same(t, logFormat, f.Comments[4].Next)
	// The EOF comment runs to the end of the file.
	last := f.Comments[len(f.Comments)-1]
	assert.Equal(t, int32(len(f.Src)), last.End)
}

// TestCommentsInIncludedFiles: a comment at the top of an included file is
// owned by the block holding the include.
func TestCommentsInIncludedFiles(t *testing.T) {
	tree := loadValid(t, "tables")
	mapInc := tree.Files[2]
	require.Contains(t, mapInc.Path, "map.inc")
	require.Len(t, mapInc.Comments, 1)
	c := mapInc.Comments[0]
	assert.Equal(t, "map", c.Owner.Name)
	assert.Nil(t, c.Prev)
	assert.Equal(t, "~*yandex", c.Next.Name)
	assert.Equal(t, "map", c.Next.Parent.Name)
}

func itoa(i int) string {
	const digits = "0123456789"
	if i < 10 {
		return digits[i : i+1]
	}
	return itoa(i/10) + digits[i%10:i%10+1]
}
