// Package config reads nginx configuration trees exactly as nginx reads them.
//
// nginx throws away everything but word lists while it parses (quotes,
// comments, positions); a linter needs all of it back: the raw text for
// minimal fixes, the comments for suppressions, and the first line of a block
// rather than its closing brace for a useful report. So this package ports
// ngx_conf_read_token and ngx_conf_include (src/core/ngx_conf_file.c) and keeps
// byte offsets on every node. Line and column are derived from offsets on
// demand, so the parse itself never counts lines.
package config

import (
	"fmt"
	"sort"
	"strings"
	"sync/atomic"
)

// File is one parse of one configuration file. A file included twice is
// parsed twice, as nginx does, so each inclusion gets its own File and its
// own nodes: the same text can mean different things in different contexts.
type File struct {
	// Path is where the bytes were read from (after --map path mapping);
	// "-" for standard input. Reports show this path.
	Path string
	// Name is the path nginx itself would open: the include argument joined
	// with the conf prefix, before path mapping. The harness lays files out
	// under these names.
	Name string
	// Src is the file's content, byte-exact (no BOM or CRLF normalisation).
	Src string
	// Via is the include directive that loaded this instance; nil for the
	// root file. Following Via.File.Via gives the whole include chain.
	Via *Directive
	// Top lists the file's top-level directives in source order, include
	// directives included (their files hang off Directive.Include).
	Top []*Directive
	// Comments lists every comment of the file in source order.
	Comments []*Comment

	// lines are the offsets of line starts, built on first use (rules
	// running in parallel may ask at once: a duplicate build is harmless)
	lines atomic.Pointer[[]int32]
	id    fileID // for include-cycle checks
}

// Arg is one word of a directive. Start and End delimit the raw text in
// File.Src, quotes included; Value is the word as nginx stores it (quotes
// removed, \" \' \\ \t \r \n decoded, every other backslash kept).
type Arg struct {
	Value      string
	Start, End int32
}

// Quoted reports whether the word was written in quotes, which matters for
// fixes that must keep the author's quoting style.
func (a Arg) Quoted(f *File) byte {
	if c := f.Src[a.Start]; c == '"' || c == '\'' {
		return c
	}
	return 0
}

// Directive is one nginx statement: a simple directive ended by ';' or a
// block directive with its body.
type Directive struct {
	// Name is the first word as nginx stores it (quotes removed).
	Name string
	// Args are the remaining words.
	Args []Arg
	// Block holds the body's statements as written in this file, include
	// directives included. It is nil for simple directives; use IsBlock.
	Block []*Directive
	// Parent is the block directive this statement belongs to for nginx,
	// crossing include boundaries; nil at the top of the configuration.
	Parent *Directive
	// File is the parse this node came from.
	File *File
	// Start is the offset of the name's first byte (its quote if quoted);
	// End is the offset just past the terminating ';' or closing '}'.
	Start, End int32
	// NameEnd is the offset just past the name's raw text.
	NameEnd int32
	// BlockOpen is the offset of '{', or -1 for a simple directive.
	BlockOpen int32
	// Include is set on include directives whose target was resolved.
	Include *Include
	// Lua is set on *_by_lua_block directives: the raw Lua body.
	Lua *LuaBody
}

// Include records what an include directive loaded, in nginx's order.
type Include struct {
	Pattern string  // the argument joined with the prefix (nginx's name)
	Files   []*File // one parse per matched file
}

// LuaBody is the raw text between a *_by_lua_block's braces; nginx never
// tokenizes it, so neither do we beyond finding its end.
type LuaBody struct {
	Start, End int32 // offsets of the first body byte and of the closing '}'
}

// Comment is a '#' comment. Owner is the block it sits in (nil at the top
// level of the root file or of a file included at the top level), so a
// comment at the end of a block belongs to that block and not to whatever
// follows it.
type Comment struct {
	File  *File
	Start int32 // offset of '#'
	End   int32 // offset of the terminating newline (or end of file)
	Owner *Directive
	// Prev is the statement before the comment in the same block and file;
	// Next the one after it. Next is nil for a comment that ends a block.
	Prev, Next *Directive
}

// Text returns the comment without its '#'.
func (c *Comment) Text() string { return c.File.Src[c.Start+1 : c.End] }

// Line returns the comment's 1-based line.
func (c *Comment) Line() int { return c.File.Position(c.Start).Line }

// Inline reports whether the comment shares its line with the statement
// before it (`proxy_pass x; # note`).
func (c *Comment) Inline() bool {
	if c.Prev == nil || c.Prev.File != c.File {
		return false
	}
	return c.File.Position(c.Prev.End-1).Line == c.Line()
}

// IsBlock reports whether the directive has a body.
func (d *Directive) IsBlock() bool { return d.BlockOpen >= 0 }

// Arg returns the i-th argument's value, or "" when absent. Rules read
// optional arguments often enough that bounds checks would drown them.
func (d *Directive) Arg(i int) string {
	if i < len(d.Args) {
		return d.Args[i].Value
	}
	return ""
}

// Values returns all argument values.
func (d *Directive) Values() []string {
	out := make([]string, len(d.Args))
	for i, a := range d.Args {
		out[i] = a.Value
	}
	return out
}

// Raw returns the exact source text of the directive.
func (d *Directive) Raw() string { return d.File.Src[d.Start:d.End] }

// RawArg returns the i-th argument exactly as written.
func (d *Directive) RawArg(i int) string {
	a := d.Args[i]
	return d.File.Src[a.Start:a.End]
}

// Pos returns the position of the directive's first byte.
func (d *Directive) Pos() Position { return d.File.Position(d.Start) }

// EndPos returns the position just past the directive's terminator.
func (d *Directive) EndPos() Position { return d.File.Position(d.End) }

// CloseBrace returns the offset of the closing '}' of a block, or -1.
func (d *Directive) CloseBrace() int32 {
	if !d.IsBlock() {
		return -1
	}
	return d.End - 1
}

// Chain returns the include directives this node came through, innermost
// first, so a report can say "included from nginx.conf:12".
func (d *Directive) Chain() []*Directive { return d.File.Chain() }

// Chain returns the include directives this parse came through,
// innermost first; empty for the root file.
func (f *File) Chain() []*Directive {
	var out []*Directive
	for x := f; x != nil && x.Via != nil; x = x.Via.File {
		out = append(out, x.Via)
	}
	return out
}

// String renders the directive as `name args…` for messages.
func (d *Directive) String() string {
	var b strings.Builder
	b.WriteString(d.Name)
	for i := range d.Args {
		b.WriteByte(' ')
		b.WriteString(d.RawArg(i))
	}
	return b.String()
}

// Position is a human location. Line and Col are 1-based; Col counts bytes,
// as gcc and nginx's byte-oriented parser do.
type Position struct {
	Path   string
	Offset int
	Line   int
	Col    int
}

func (p Position) String() string { return fmt.Sprintf("%s:%d:%d", p.Path, p.Line, p.Col) }

// Position converts a byte offset into a line and column.
func (f *File) Position(off int32) Position {
	lines := f.lineStarts()
	i := sort.Search(len(lines), func(i int) bool { return lines[i] > off }) - 1
	if i < 0 {
		i = 0
	}
	return Position{Path: f.Path, Offset: int(off), Line: i + 1, Col: int(off-lines[i]) + 1}
}

// LineText returns the text of the 1-based line n without its newline.
func (f *File) LineText(n int) string {
	lines := f.lineStarts()
	if n < 1 || n > len(lines) {
		return ""
	}
	start := lines[n-1]
	end := int32(len(f.Src))
	if n < len(lines) {
		end = lines[n] - 1
	}
	s := f.Src[start:end]
	return strings.TrimSuffix(s, "\r")
}

// LineStart returns the offset of the start of the 1-based line n.
func (f *File) LineStart(n int) int32 {
	lines := f.lineStarts()
	if n < 1 {
		return 0
	}
	if n > len(lines) {
		return int32(len(f.Src))
	}
	return lines[n-1]
}

func (f *File) lineStarts() []int32 {
	if p := f.lines.Load(); p != nil {
		return *p
	}
	lines := f.buildLines()
	f.lines.Store(&lines)
	return lines
}

func (f *File) buildLines() []int32 {
	n := strings.Count(f.Src, "\n")
	lines := make([]int32, 1, n+1)
	for i := 0; i < len(f.Src); {
		j := strings.IndexByte(f.Src[i:], '\n')
		if j < 0 {
			break
		}
		i += j + 1
		lines = append(lines, int32(i))
	}
	return lines
}

// Tree is a loaded configuration: the root file and everything it includes.
type Tree struct {
	Root *File
	// Files lists every parse in load order (root first).
	Files []*File
	// Prefix is nginx's conf prefix: relative includes resolve against it.
	Prefix string
	// Context is where the root's top-level statements live: "main" for a
	// whole nginx.conf, or "http", "server", "location", "upstream",
	// "stream", "stream-server" for snippets.
	Context string
	// ContextInferred is true when Context was guessed from the snippet's
	// statements rather than declared.
	ContextInferred bool
	// Dump is true when the input was `nginx -T` output.
	Dump bool
	// Stubs are the missing files Options.Missing stood in for.
	Stubs []Stub
}

// Stub is a missing include that a stand-in replaced.
type Stub struct {
	Name string // the path as nginx names it
	Why  string // where the stand-in came from
}

// Top returns the root file's top-level statements.
func (t *Tree) Top() []*Directive {
	if t == nil || t.Root == nil {
		return nil
	}
	return t.Root.Top
}

// Severity of a diagnostic.
type Severity int

const (
	SevError Severity = iota
	SevWarning
)

func (s Severity) String() string {
	if s == SevWarning {
		return "warning"
	}
	return "error"
}

// Diagnostic is a problem found while loading: a syntax error worded like
// nginx's, a missing include, an unreadable file.
type Diagnostic struct {
	Path     string
	Line     int
	Col      int
	Offset   int
	Severity Severity
	Message  string
	// Via lists the include directives the file was reached through,
	// innermost first.
	Via []*Directive
}

func (d Diagnostic) Error() string {
	if d.Path == "" {
		return d.Message
	}
	if d.Line == 0 {
		return fmt.Sprintf("%s: %s", d.Path, d.Message)
	}
	return fmt.Sprintf("%s:%d:%d: %s", d.Path, d.Line, d.Col, d.Message)
}

// HasErrors reports whether any diagnostic is an error.
func HasErrors(diags []Diagnostic) bool {
	for _, d := range diags {
		if d.Severity == SevError {
			return true
		}
	}
	return false
}
