package config

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// parseOnly parses src as one file without following includes, with the
// loader's byte-level handling (BOM, NUL).
func parseOnly(src []byte) (*File, []Diagnostic) {
	l := newLoader(context.Background(), Options{}, &memFS{files: map[string][]byte{}})
	l.tree = &Tree{Prefix: "/"}
	f := l.parse("-", "-", src, nil, fileID{})
	return f, l.diags
}

// lexRoundTrip checks that the tokens cover src exactly, in order, and
// returns the raw text of the word tokens.
func lexRoundTrip(t testing.TB, src []byte) []string {
	t.Helper()
	toks := Lex(src)
	var b strings.Builder
	var words []string
	at := int32(0)
	for _, tk := range toks {
		if tk.Start != at || tk.End < tk.Start || int(tk.End) > len(src) {
			t.Fatalf("token %+v does not start where the previous one ended (%d)", tk, at)
		}
		b.Write(src[tk.Start:tk.End])
		if tk.Kind == TokWord {
			words = append(words, string(src[tk.Start:tk.End]))
		}
		switch tk.Kind {
		case TokSemicolon, TokOpen, TokClose:
			if tk.End-tk.Start != 1 {
				t.Fatalf("punctuation token %+v is not one byte", tk)
			}
		case TokComment:
			if src[tk.Start] != '#' {
				t.Fatalf("comment token %+v does not start with #", tk)
			}
		}
		at = tk.End
	}
	if b.String() != string(src) {
		t.Fatalf("Lex does not reproduce the input")
	}
	return words
}

// rawWords lists the raw text of every name and argument in document order
// (as written: include directives not expanded, Lua bodies not words).
func rawWords(ds []*Directive, out []string) []string {
	for _, d := range ds {
		out = append(out, d.File.Src[d.Start:d.NameEnd])
		for i := range d.Args {
			out = append(out, d.RawArg(i))
		}
		out = rawWords(d.Block, out)
	}
	return out
}

// TestLexRoundTrip: printing the token stream back reproduces every fixture
// file byte for byte, and on files that parse cleanly the word tokens are
// exactly the parsed names and arguments, raw.
func TestLexRoundTrip(t *testing.T) {
	files := allFixtureFiles(t)
	clean := 0
	for _, p := range files {
		t.Run(relFixture(p), func(t *testing.T) {
			src, err := os.ReadFile(p)
			require.NoError(t, err)
			words := lexRoundTrip(t, src)
			f, diags := parseOnly(src)
			if HasErrors(diags) {
				return
			}
			clean++
			assert.Equal(t, rawWords(f.Top, nil), words)
		})
	}
	assert.Greater(t, clean, len(files)/2)
}

func TestLexTokenKinds(t *testing.T) {
	src := "a \"b\" 'c';# x\nblk{ content_by_lua_block { ngx.say(\"}\") } }\n"
	var kinds []TokenKind
	var texts []string
	for _, tk := range Lex([]byte(src)) {
		kinds = append(kinds, tk.Kind)
		texts = append(texts, src[tk.Start:tk.End])
	}
	assert.Equal(t, []string{"a", " ", `"b"`, " ", `'c'`, ";", "# x", "\n", "blk", "{", " ", "content_by_lua_block", " ", "{",
		` ngx.say("}") `, "}", " ", "}", "\n"}, texts)
	assert.Equal(t, []TokenKind{TokWord, TokSpace, TokWord, TokSpace, TokWord, TokSemicolon, TokComment, TokSpace, TokWord, TokOpen, TokSpace,
		TokWord, TokSpace, TokOpen, TokLua, TokClose, TokSpace, TokClose, TokSpace}, kinds)
}
