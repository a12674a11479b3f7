package config

import (
	"context"
	"iter"
	"strings"
	"unsafe"
)

// Children yields the statements of a block as nginx sees them: include
// directives are replaced by the top-level statements of the files they
// loaded, recursively. Most callers want this view, not Block.
func Children(block []*Directive) iter.Seq[*Directive] {
	return func(yield func(*Directive) bool) {
		expand(block, yield)
	}
}

func expand(block []*Directive, yield func(*Directive) bool) bool {
	for _, d := range block {
		if d.Include != nil {
			for _, f := range d.Include.Files {
				if !expand(f.Top, yield) {
					return false
				}
			}
			continue
		}
		if !yield(d) {
			return false
		}
	}
	return true
}

// Walk visits every statement depth-first in nginx's order, includes
// expanded. When fn returns false the node's body is skipped.
func Walk(block []*Directive, fn func(d *Directive) bool) {
	for d := range Children(block) {
		if fn(d) && d.Block != nil {
			Walk(d.Block, fn)
		}
	}
}

// Lex tokenizes src with the same tokenizer the parser uses and returns
// every token, whitespace included, so that concatenating the tokens gives
// src back. Includes are not followed.
func Lex(src []byte) []Token {
	l := newLoader(context.Background(), Options{}, diskFS{})
	l.tree = &Tree{}
	var toks []Token
	f := &File{Path: "-", Name: "-"}
	if len(src) > 0 {
		f.Src = unsafe.String(&src[0], len(src))
	}
	p := &parser{l: l, f: f, src: f.Src, emit: func(t Token) { toks = append(toks, t) }}
	// include is the only statement with side effects; Lex must not read files.
	p.noInclude = true
	if strings.HasPrefix(f.Src, "\uFEFF") {
		p.i = 3 // as the loader does: the byte order mark is not a word
	}
	p.parseFile()
	// fill the gaps with space tokens
	var out []Token
	var at int32
	for _, t := range toks {
		if t.Start > at {
			out = append(out, Token{Kind: TokSpace, Start: at, End: t.Start})
		}
		if t.Start < at {
			continue // a token re-emitted during error recovery
		}
		out = append(out, t)
		at = t.End
	}
	if int(at) < len(src) {
		out = append(out, Token{Kind: TokSpace, Start: at, End: int32(len(src))})
	}
	return out
}
