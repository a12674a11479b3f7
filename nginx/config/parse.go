package config

import (
	"fmt"
	"strings"
)

// Statement terminators returned by the tokenizer, as in ngx_conf_read_token.
const (
	termSemi  = iota // NGX_OK: words ended by ';'
	termBlock        // NGX_CONF_BLOCK_START: words ended by '{'
	termClose        // NGX_CONF_BLOCK_DONE: a lone '}'
	termEOF          // NGX_CONF_FILE_DONE
	termError        // a syntax error was recorded; statement abandoned
	termAnon         // '{' with no words before it (error recorded unless skipping)
)

// maxWord is nginx's NGX_CONF_BUFFER: a word must fit in it.
const maxWord = 4096

// Token kinds for Lex.
type TokenKind int

const (
	TokSpace TokenKind = iota
	TokWord
	TokComment
	TokSemicolon
	TokOpen
	TokClose
	TokLua // a *_by_lua_block body
)

// Token is a lexical token; concatenating every token's text gives the
// input back byte for byte.
type Token struct {
	Kind       TokenKind
	Start, End int32
}

// parser holds the state for one file parse.
type parser struct {
	l    *loader
	f    *File
	src  string
	i    int
	errs int

	// name is the statement's first word; words are the others, written
	// straight into the loader's argument slab (statement keeps them there
	// as the directive's Args, with no copy). hasName says name is set.
	name    Arg
	hasName bool
	words   []Arg
	// kids holds the children of every open block of this file, outermost
	// first; kidStart[level] is where that level's children begin (level 0
	// is the file top). A block's children are copied out, exactly sized,
	// when it closes.
	kids     []*Directive
	kidStart []int
	stack    []*Directive
	// comments waiting for the next statement of the current block
	pending []*Comment
	// lastAt[level] is the previous statement at that level, for Comment.Prev
	lastAt []*Directive

	eofErr    bool
	noInclude bool
	skipping  bool // inside skipBlock: nested anonymous '{' is not an error

	// emit, when set, receives every non-space token (Lex).
	emit func(Token)
}

func (p *parser) errorAt(off int, format string, args ...any) {
	p.errs++
	p.l.addDiag(p.f, int32(off), SevError, fmt.Sprintf(format, args...))
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// Bytes that end a run of ordinary characters inside a bare, a
// double-quoted and a single-quoted word (the fast paths of read).
var bareStop, dqStop, sqStop [256]bool

func init() {
	for _, c := range []byte(" \t\r\n;{\\$") {
		bareStop[c] = true
	}
	dqStop['"'], dqStop['\\'] = true, true
	sqStop['\''], sqStop['\\'] = true, true
}

// read ports ngx_conf_read_token: it collects the words of one statement
// and reports what ended it. termPos is the offset of the terminator.
func (p *parser) read() (term int, termPos int) {
	src := p.src
	n := len(src)
	p.dropWords()
	var (
		lastSpace = true
		needSpace bool
		quoted    bool
		dQuoted   bool
		sQuoted   bool
		variable  bool
		tooLong   bool
		esc       bool // the current word holds a backslash
		start     int  // raw start of the current word (quote included)
	)
	i := p.i
	// nstart is nginx's `start`: the first byte its 4096-byte buffer must
	// keep. It moves on every byte read between words (whitespace included)
	// and sits just after an opening quote, and nginx fails when the buffer
	// fills up from it: that is the "too long parameter" rule, including its
	// quirks (a closing quote plus one following space still count).
	nstart := i
	for {
		if i >= n {
			p.i = i
			if p.hasName || !lastSpace {
				p.eofErr = true
				p.errorAt(n, `unexpected end of file, expecting ";" or "}"`)
				return termError, n
			}
			return termEOF, n
		}
		if i-nstart >= maxWord && !tooLong {
			tooLong = true
			if dQuoted || sQuoted {
				q := byte('"')
				if sQuoted {
					q = '\''
				}
				p.errorAt(start, "too long parameter, probably missing terminating \"%c\" character", q)
				// An unterminated quote swallows the rest: nothing after it
				// can be trusted, so stop this file without further noise.
				p.i = n
				p.eofErr = true
				p.tok(TokWord, start, n)
				return termError, n
			}
			at := nstart
			if at > 0 && at == start+1 && (src[start] == '"' || src[start] == '\'') {
				at = start // report a quoted word at its quote
			}
			p.errorAt(at, "too long parameter \"%s...\" started", src[nstart:min(nstart+10, n)])
			// nginx gives up here; the tokenizer itself is still in sync,
			// so carry on with the same word and report what follows.
		}
		if !lastSpace && !needSpace && !quoted {
			// Fast path through a word: skip the bytes that cannot end it
			// or change the state, stopping where nginx's buffer check
			// must run again.
			lim := min(nstart+maxWord, n)
			switch {
			case dQuoted:
				for i < lim && !dqStop[src[i]] {
					i++
				}
			case sQuoted:
				for i < lim && !sqStop[src[i]] {
					i++
				}
			case !variable:
				for i < lim && !bareStop[src[i]] {
					i++
				}
			}
			if i >= n || (i-nstart >= maxWord && !tooLong) {
				continue
			}
		}
		ch := src[i]
		i++
		if quoted {
			quoted = false
			continue
		}
		if needSpace {
			if isSpace(ch) {
				lastSpace = true
				needSpace = false
				continue
			}
			if ch == ';' {
				p.i = i
				p.tok(TokSemicolon, i-1, i)
				return termSemi, i - 1
			}
			if ch == '{' {
				p.i = i
				p.tok(TokOpen, i-1, i)
				return termBlock, i - 1
			}
			if ch == ')' {
				lastSpace = true
				needSpace = false
				// nginx lets ')' follow a closing quote and makes it a word of
				// its own: fall through to start a new word with it.
			} else {
				p.errorAt(i-1, "unexpected \"%s\"", string(src[i-1:i]))
				if ch == '}' {
					// `x "a"}`: most likely a missing ';'. Drop the statement
					// and honour the brace so the block structure survives.
					p.dropWords()
					p.i = i
					p.tok(TokClose, i-1, i)
					return termClose, i - 1
				}
				// Recover: treat the glued byte as the start of a new word.
				lastSpace = true
				needSpace = false
			}
		}
		if lastSpace {
			if isSpace(ch) {
				for i < n && isSpace(src[i]) {
					i++
				}
				start = i - 1
				nstart = start
				continue
			}
			start = i - 1
			nstart = start
			tooLong = false
			esc = false
			switch ch {
			case ';', '{':
				if !p.hasName {
					if !(ch == '{' && p.skipping) {
						p.errorAt(i-1, "unexpected \"%s\"", string(src[i-1:i]))
					}
					p.i = i
					if ch == '{' {
						p.tok(TokOpen, i-1, i)
						// An anonymous block: the caller skips it whole so
						// its contents are not taken for siblings.
						return termAnon, i - 1
					}
					p.tok(TokSemicolon, i-1, i)
					return termError, i - 1
				}
				p.i = i
				if ch == '{' {
					p.tok(TokOpen, i-1, i)
					return termBlock, i - 1
				}
				p.tok(TokSemicolon, i-1, i)
				return termSemi, i - 1
			case '}':
				p.i = i
				if p.hasName {
					p.errorAt(i-1, `unexpected "}"`)
					// Recover: drop the unfinished statement but honour the
					// brace, so the block structure stays right.
					p.dropWords()
				}
				p.tok(TokClose, i-1, i)
				return termClose, i - 1
			case '#':
				// A comment runs to the end of the line. nginx's buffer
				// rule applies to it as to a word: it fails when it has to
				// read byte nstart+maxWord while still in the comment.
				end := n
				if j := strings.IndexByte(src[i:], '\n'); j >= 0 {
					end = i + j
				}
				if lim := nstart + maxWord; lim < n && end >= lim {
					p.errorAt(nstart, "too long parameter \"%s...\" started", src[nstart:min(nstart+10, n)])
				}
				p.addComment(i-1, end)
				if end == n {
					i = n
					continue
				}
				// nginx reads the newline as whitespace: its `start` moves there
				i = end + 1
				start = end
				nstart = end
				continue
			case '\\':
				quoted = true
				esc = true
				lastSpace = false
				continue
			case '"':
				dQuoted = true
				lastSpace = false
				nstart = i
				continue
			case '\'':
				sQuoted = true
				lastSpace = false
				nstart = i
				continue
			case '$':
				variable = true
				lastSpace = false
				continue
			default:
				lastSpace = false
			}
			continue
		}
		// inside a word
		if ch == '{' && variable {
			continue
		}
		variable = false
		if ch == '\\' {
			quoted = true
			esc = true
			continue
		}
		if ch == '$' {
			variable = true
			continue
		}
		found := false
		end := i - 1 // raw end (exclusive) for bare words
		if dQuoted {
			if ch == '"' {
				dQuoted = false
				needSpace = true
				found = true
				end = i
			}
		} else if sQuoted {
			if ch == '\'' {
				sQuoted = false
				needSpace = true
				found = true
				end = i
			}
		} else if isSpace(ch) || ch == ';' || ch == '{' {
			lastSpace = true
			found = true
		}
		if !found {
			continue
		}
		p.pushWord(start, end, esc)
		if ch == ';' {
			p.i = i
			p.tok(TokSemicolon, i-1, i)
			return termSemi, i - 1
		}
		if ch == '{' {
			p.i = i
			p.tok(TokOpen, i-1, i)
			return termBlock, i - 1
		}
	}
}

// skipBlock skips a brace-balanced region after a '{' that cannot open a
// block (an anonymous '{', or a nested one inside map or types). Nested
// anonymous braces inside it are counted, not reported again, and nothing
// recurses, so 100,000 '{' in a row cost one error and a linear scan.
func (p *parser) skipBlock() {
	saved := p.skipping
	p.skipping = true
	defer func() { p.skipping = saved }()
	depth := 1
	for depth > 0 {
		t, _ := p.read()
		switch t {
		case termBlock, termAnon:
			depth++
		case termClose:
			depth--
		case termEOF:
			if !p.eofErr {
				p.eofErr = true
				p.errorAt(len(p.src), `unexpected end of file, expecting "}"`)
			}
			return
		}
	}
}

// dropWords forgets the words read so far; the slab space they used is
// handed out again.
func (p *parser) dropWords() {
	p.hasName = false
	p.words = p.l.argSlab[:0]
}

func (p *parser) tok(k TokenKind, s, e int) {
	if p.emit != nil {
		p.emit(Token{Kind: k, Start: int32(s), End: int32(e)})
	}
}

// pushWord stores a word; raw is src[start:end] and esc says whether it
// holds a backslash (so values without one are substrings of the source).
func (p *parser) pushWord(start, end int, esc bool) {
	raw := p.src[start:end]
	val := raw
	if c := raw[0]; c == '"' || c == '\'' {
		val = raw[1 : len(raw)-1]
	}
	if esc {
		val = unescape(val)
	}
	a := Arg{Value: val, Start: int32(start), End: int32(end)}
	switch {
	case !p.hasName:
		p.name, p.hasName = a, true
	case len(p.words) < cap(p.words):
		p.words = append(p.words, a)
	default:
		p.words = append(p.l.moreArgs(p.words), a)
	}
	p.tok(TokWord, start, end)
}

// unescape applies nginx's storage rules: \" \' \\ lose the backslash,
// \t \r \n become control characters, and every other backslash stays.
func unescape(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\\' && i+1 < len(s) {
			switch s[i+1] {
			case '"', '\'', '\\':
				b.WriteByte(s[i+1])
				i++
				continue
			case 't':
				b.WriteByte('\t')
				i++
				continue
			case 'r':
				b.WriteByte('\r')
				i++
				continue
			case 'n':
				b.WriteByte('\n')
				i++
				continue
			}
		}
		b.WriteByte(c)
	}
	return b.String()
}

func (p *parser) addComment(start, end int) {
	p.tok(TokComment, start, end)
	c := p.l.newComment()
	*c = Comment{File: p.f, Start: int32(start), End: int32(end), Owner: p.owner()}
	lvl := len(p.stack)
	if lvl < len(p.lastAt) {
		c.Prev = p.lastAt[lvl]
	}
	p.f.Comments = append(p.f.Comments, c)
	p.pending = append(p.pending, c)
}

// owner is the logical block the parser is in: the innermost open block of
// this file, else the block that included this file.
func (p *parser) owner() *Directive {
	if n := len(p.stack); n > 0 {
		return p.stack[n-1]
	}
	if p.f.Via != nil {
		return p.f.Via.Parent
	}
	return nil
}

// customBlock reports the blocks whose entries nginx hands to a custom
// handler (cf->handler): nested '{' is an error inside them.
func customBlock(name string) bool {
	switch name {
	case "types", "map", "geo", "split_clients", "charset_map":
		return true
	}
	return false
}

// knownBlock reports directives nginx only accepts with a body.
func knownBlock(name string) bool {
	switch name {
	case "http", "events", "stream", "mail", "location", "upstream", "if", "limit_except",
		"map", "geo", "types", "split_clients", "charset_map", "match":
		return true
	}
	return false
}

// parseFile parses p.src into p.f.Top.
func (p *parser) parseFile() {
	p.kids = p.kids[:0]
	p.kidStart = append(p.kidStart[:0], 0)
	p.lastAt = append(p.lastAt[:0], nil)
	for {
		if p.l.ctx != nil && p.l.ctx.Err() != nil {
			return
		}
		term, termPos := p.read()
		switch term {
		case termEOF:
			if len(p.stack) > 0 {
				if !p.eofErr {
					p.errorAt(len(p.src), `unexpected end of file, expecting "}"`)
				}
				for len(p.stack) > 0 {
					p.closeBlock(len(p.src))
				}
			}
			p.flushPending()
			p.f.Top = p.l.newKids(p.kids)
			p.kids = p.kids[:0]
			return
		case termError:
			continue
		case termAnon:
			p.skipBlock()
		case termClose:
			if len(p.stack) == 0 {
				p.errorAt(termPos, `unexpected "}"`)
				continue
			}
			p.closeBlock(termPos + 1)
		case termSemi, termBlock:
			p.statement(term, termPos)
		}
	}
}

// ownerName is the name of the block the parser is in; at the top of a
// snippet it is the block the declared context stands for.
func (p *parser) ownerName() string {
	if o := p.owner(); o != nil {
		return o.Name
	}
	return p.l.topBlock
}

func (p *parser) statement(term, termPos int) {
	d := p.l.newDirective()
	d.File = p.f
	d.Parent = p.owner()
	d.Name = p.name.Value
	d.Start = p.name.Start
	d.NameEnd = p.name.End
	d.BlockOpen = -1
	if n := len(p.words); n > 0 {
		d.Args = p.words[:n:n]
		p.l.argSlab = p.l.argSlab[n:]
	}
	p.dropWords()
	d.End = int32(termPos + 1)
	owner := p.ownerName()

	if term == termBlock {
		if customBlock(owner) {
			p.errorAt(termPos, `unexpected "{"`)
			p.skipBlock()
			return
		}
		if p.l.opts.MaxDepth > 0 && p.depth()+1 > p.l.opts.MaxDepth {
			p.errorAt(termPos, "blocks nested deeper than %d levels", p.l.opts.MaxDepth)
			// Nothing deeper can be trusted; stop the file here rather
			// than recurse without bound. The open blocks end at EOF.
			p.i = len(p.src)
			p.eofErr = true
			return
		}
		d.BlockOpen = int32(termPos)
		p.appendChild(d)
		p.splitName(d, owner, termPos)
		if strings.HasSuffix(d.Name, "_by_lua_block") {
			p.luaBlock(d)
			return
		}
		p.stack = append(p.stack, d)
		p.kidStart = append(p.kidStart, len(p.kids))
		p.lastAt = append(p.lastAt, nil)
		return
	}
	p.appendChild(d)
	p.splitName(d, owner, termPos)
	if knownBlock(d.Name) && !(d.Name == "server" && owner == "upstream") {
		p.errorAt(termPos, "directive %q has no opening \"{\"", d.Name)
	}
	if d.Name == "server" && (owner == "http" || owner == "stream" || owner == "mail") {
		p.errorAt(termPos, "directive %q has no opening \"{\"", d.Name)
	}
	if d.Name == "include" && owner != "split_clients" && owner != "charset_map" {
		if len(d.Args) != 1 {
			p.errorAt(termPos, "invalid number of arguments in \"include\" directive")
			return
		}
		if !p.noInclude {
			p.l.include(p, d, termPos)
		}
	}
}

// splitName reports a statement whose name holds '}' outside the
// table-like blocks. No nginx directive has such a name: it is what is left
// when an unquoted regex such as `location ~ ^/x{2}$ {` is cut at its first
// '{' (nginx opens the block there and meets the directive "2}$"). nginx
// reports it the same way, at the terminator's line.
func (p *parser) splitName(d *Directive, owner string, termPos int) {
	if customBlock(owner) || strings.IndexByte(d.Name, '}') < 0 {
		return
	}
	p.errorAt(termPos, "unknown directive \"%s\"", d.Name)
}

// depth counts the blocks enclosing the current statement across includes.
func (p *parser) depth() int {
	n := len(p.stack)
	for f := p.f; f.Via != nil; f = f.Via.File {
		for d := f.Via.Parent; d != nil && d.File == f.Via.File; d = d.Parent {
			n++
		}
	}
	return n
}

func (p *parser) appendChild(d *Directive) {
	for _, c := range p.pending {
		c.Next = d
	}
	p.pending = p.pending[:0]
	p.kids = append(p.kids, d)
	p.lastAt[len(p.stack)] = d
}

func (p *parser) closeBlock(end int) {
	n := len(p.stack)
	d := p.stack[n-1]
	from := p.kidStart[n]
	d.Block = p.l.newKids(p.kids[from:])
	p.kids = p.kids[:from]
	d.End = int32(end)
	p.flushPending()
	p.stack = p.stack[:n-1]
	p.kidStart = p.kidStart[:n]
	p.lastAt = p.lastAt[:n]
}

// flushPending leaves comments that end a block owned by that block.
func (p *parser) flushPending() { p.pending = p.pending[:0] }

// luaBlock reads a *_by_lua_block body with OpenResty's Lua lexer rules.
func (p *parser) luaBlock(d *Directive) {
	body := p.i
	end, errOff, msg := luaBlockEnd(p.src, body)
	if msg != "" {
		p.errorAt(errOff, "%s", msg)
		p.tok(TokLua, body, len(p.src))
		p.i = len(p.src)
		d.Block = []*Directive{}
		d.End = int32(len(p.src))
		d.Lua = &LuaBody{Start: int32(body), End: int32(len(p.src))}
		return
	}
	d.Lua = &LuaBody{Start: int32(body), End: int32(end)}
	d.Block = []*Directive{}
	d.End = int32(end + 1)
	p.tok(TokLua, body, end)
	p.tok(TokClose, end, end+1)
	p.i = end + 1
}

// luaBlockEnd finds the '}' closing a Lua body starting at i (just after
// the opening brace), following ngx_http_lua_lex: braces inside strings,
// comments and long brackets do not count.
func luaBlockEnd(src string, i int) (end int, errOff int, msg string) {
	depth := 1
	lastOpen := i - 1
	n := len(src)
	for i < n {
		switch src[i] {
		case '{':
			depth++
			lastOpen = i
			i++
		case '}':
			depth--
			if depth == 0 {
				return i, 0, ""
			}
			i++
		case '[':
			if lvl, ok := longOpen(src, i); ok {
				j := longClose(src, i+lvl+2, lvl)
				if j < 0 {
					return 0, i, fmt.Sprintf("Lua code block missing the closing long bracket \"]%s]\", the inlined Lua code may be too long", strings.Repeat("=", lvl))
				}
				i = j
				continue
			}
			i++
		case '-':
			if i+1 < n && src[i+1] == '-' {
				if lvl, ok := longOpen(src, i+2); ok {
					j := longClose(src, i+2+lvl+2, lvl)
					if j < 0 {
						return 0, i, fmt.Sprintf("Lua code block missing the closing long bracket \"]%s]\", the inlined Lua code may be too long", strings.Repeat("=", lvl))
					}
					i = j
					continue
				}
				k := strings.IndexByte(src[i:], '\n')
				if k < 0 {
					i = n
				} else {
					i += k
				}
				continue
			}
			i++
		case '"', '\'':
			if j, ok := luaString(src, i); ok {
				i = j
				continue
			}
			// The string pattern failed: OpenResty then scans the quote
			// as plain code, so braces after it count.
			i++
		default:
			i++
		}
	}
	return 0, lastOpen, "unexpected end of file, expecting terminating characters for lua code block"
}

// longOpen matches "[", "="*, "[" at i and returns the level.
func longOpen(src string, i int) (int, bool) {
	if i >= len(src) || src[i] != '[' {
		return 0, false
	}
	j := i + 1
	for j < len(src) && src[j] == '=' {
		j++
	}
	if j < len(src) && src[j] == '[' {
		return j - i - 1, true
	}
	return 0, false
}

// longClose finds "]", "="*lvl, "]" from i and returns the offset after it.
func longClose(src string, i, lvl int) int {
	closer := "]" + strings.Repeat("=", lvl) + "]"
	k := strings.Index(src[i:], closer)
	if k < 0 {
		return -1
	}
	return i + k + len(closer)
}

// luaString matches a short Lua string at i: no raw newline, and a
// backslash escapes any byte but a newline.
func luaString(src string, i int) (int, bool) {
	q := src[i]
	for j := i + 1; j < len(src); j++ {
		switch src[j] {
		case '\\':
			if j+1 >= len(src) || src[j+1] == '\n' {
				return 0, false
			}
			j++
		case '\n':
			return 0, false
		case q:
			return j + 1, true
		}
	}
	return 0, false
}
