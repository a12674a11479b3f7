package config

import (
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	gcfg "github.com/tufanbarisyildirim/gonginx/config"
	gparser "github.com/tufanbarisyildirim/gonginx/parser"
)

// gonginxDefects lists the valid fixtures on which gonginx is known to be
// wrong, by defect (names follow docs/parser-pitfalls.md Part A). The
// differential test expects gonginx to disagree with us (or fail) on exactly
// these fixtures, so a gonginx fix or a regression of ours both show up.
var gonginxDefects = map[string]string{
	"escape-backslash-before-quote":  "F2a-backslash-before-quote",
	"escape-single-quoted-backslash": "F2b-single-quoted-backslash",
	"escape-bare-semicolon":          "F2c-bare-word-escaped-semicolon",
	"escape-bare-space":              "F2d-bare-word-escaped-space",
	"escape-bare-other":              "F2-bare-word-escapes (\\#, \\{, backslash-newline)",
	"backtick":                       "F2e-backtick-as-quote",
	"bare-brace":                     "A-bare-word-brace (a}b is one word for nginx)",
	"includes-quoted":                "A-quoted-include-path (matches nothing, silently)",
	"includes-glob":                  "A-glob-explicit-dot (skips .hidden.conf even for .*.conf)",
	"latin1":                         "A-non-utf8-bytes (read as runes, replaced by U+FFFD)",
	"pathmap":                        "A-no-path-mapping (absolute /etc/nginx includes)",
	"prefix":                         "A-no-prefix-option (includes resolve against the file's directory)",
	"lua-strings":                    "F1a-lua-braces-in-strings",
	"lua-comments":                   "F1b-lua-braces-in-comments",
	"lua-long":                       "F1c-lua-long-brackets",
	"lua-quoted-name":                "F1d-lua-quoted-name",
}

var gonginxOnce sync.Once

// gonginxUniform deletes gonginx's typed wrappers so its tree is a plain
// *Directive tree in document order (parser-pitfalls.md §1): the http and
// upstream wrappers reorder children, the server leaf wrapper reorders
// parameters. Lua and include wrappers stay: they carry the content.
func gonginxUniform() {
	gonginxOnce.Do(func() {
		for _, k := range []string{"http", "server", "upstream", "location"} {
			delete(gcfg.BlockWrappers, k)
		}
		delete(gcfg.DirectiveWrappers, "server")
	})
}

func gonginxParse(path string) (*gcfg.Config, error) {
	gonginxUniform()
	p, err := gparser.NewParser(path, gparser.WithSkipValidDirectivesErr(), gparser.WithIncludeParsing())
	if err != nil {
		return nil, err
	}
	return p.Parse()
}

// gonginxUnquote turns gonginx's raw parameter text into the value nginx
// stores, with the same rules as ours (the stored-value rules themselves are
// checked against nginx in TestNginxStoredValues).
func gonginxUnquote(raw string) string {
	if n := len(raw); n >= 2 && (raw[0] == '"' || raw[0] == '\'') && raw[n-1] == raw[0] {
		raw = raw[1 : n-1]
	}
	if strings.IndexByte(raw, '\\') >= 0 {
		raw = unescape(raw)
	}
	return raw
}

func gonginxTree(ds []gcfg.IDirective) []tnode {
	out := []tnode{}
	for _, d := range ds {
		switch x := d.(type) {
		case *gcfg.Include:
			for _, c := range x.Configs {
				out = append(out, gonginxTree(c.Block.Directives)...)
			}
			continue
		case *gcfg.LuaBlock:
			lua := squeeze(x.LuaCode)
			out = append(out, tnode{Name: gonginxUnquote(x.Name), Args: gonginxArgs(x.Parameters), Lua: &lua})
			continue
		case *gcfg.Directive:
			n := tnode{Name: gonginxUnquote(x.Name), Args: gonginxArgs(x.Parameters)}
			if b, ok := x.Block.(*gcfg.Block); ok && b != nil {
				n.Block = gonginxTree(b.Directives)
			}
			out = append(out, n)
		default:
			out = append(out, tnode{Name: "?unexpected gonginx node " + d.GetName()})
		}
	}
	return out
}

func gonginxArgs(ps []gcfg.Parameter) []string {
	out := make([]string, 0, len(ps))
	for _, p := range ps {
		out = append(out, gonginxUnquote(p.Value))
	}
	return out
}

// TestDifferentialGonginx is differential test (a): on every valid fixture,
// our tree (includes expanded, argument values as nginx stores them) equals
// gonginx's, except on the fixtures listed in gonginxDefects, where gonginx
// must fail or disagree.
func TestDifferentialGonginx(t *testing.T) {
	for _, name := range fixtureNames(t, "valid") {
		t.Run(name, func(t *testing.T) {
			tree := loadValid(t, name)
			ours := ourTree(tree.Root.Top)
			root, _ := validRoot(name)
			cfg, err := gonginxParse(root)
			var theirs []tnode
			if err == nil {
				theirs = gonginxTree(cfg.Block.Directives)
			}
			if defect, ok := gonginxDefects[name]; ok {
				if err == nil {
					assert.NotEqual(t, ours, theirs, "gonginx now agrees on %s: drop %q from gonginxDefects", name, defect)
				}
				t.Logf("gonginx defect %s: %v", defect, err)
				return
			}
			require.NoError(t, err, "gonginx failed on a fixture not listed in gonginxDefects")
			assert.Equal(t, ours, theirs)
		})
	}
}
