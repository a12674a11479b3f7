package config

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLuaBlocks: bodies are found with OpenResty's Lua lexer rules and kept
// raw; the directive line itself goes through nginx's tokenizer.
func TestLuaBlocks(t *testing.T) {
	tests := []struct {
		name  string
		src   string
		body  []string // raw bodies in document order
		names []string
		args  [][]string
		diags []string
	}{
		{"brace in strings", "content_by_lua_block { ngx.say(\"}\", '{', \"\\\"}\") }\n",
			[]string{` ngx.say("}", '{', "\"}") `}, []string{"content_by_lua_block"}, [][]string{{}}, nil},
		{"comments", "a_by_lua_block {\n -- }\n --[[ } ]] x()\n --[==[ ]] } ]==]\n}\n",
			[]string{"\n -- }\n --[[ } ]] x()\n --[==[ ]] } ]==]\n"}, []string{"a_by_lua_block"}, [][]string{{}}, nil},
		{"long strings and stray closers", "b_by_lua_block { x = [[ } ]] .. [=[ ]] } ]=] y = t1[t2[1]] z = ']]' }",
			[]string{` x = [[ } ]] .. [=[ ]] } ]=] y = t1[t2[1]] z = ']]' `}, []string{"b_by_lua_block"}, [][]string{{}}, nil},
		{"nested tables", "c_by_lua_block { local t = { a = { b = 1 } } }",
			[]string{` local t = { a = { b = 1 } } `}, []string{"c_by_lua_block"}, [][]string{{}}, nil},
		{"two on a line, no space, quoted name, set", "access_by_lua_block{a()} \"content_by_lua_block\" {b()} set_by_lua_block $v {return 1}",
			[]string{"a()", "b()", "return 1"}, []string{"access_by_lua_block", "content_by_lua_block", "set_by_lua_block"}, [][]string{{}, {}, {"$v"}}, nil},
		{"string continued with backslash-newline counts braces", "d_by_lua_block { s = \"a\\\n}\" }\nx;",
			// OpenResty's string pattern fails at the quote, so the '}' in it
			// ends the body; nginx then reads `" }...` as a quoted word to EOF
			[]string{" s = \"a\\\n"}, []string{"d_by_lua_block"}, [][]string{{}},
			[]string{`-:3:3: unexpected end of file, expecting ";" or "}"`}},
		{"semicolon after the block", "e_by_lua_block { }; x;",
			[]string{" "}, []string{"e_by_lua_block", "x"}, [][]string{{}, {}}, []string{`-:1:19: unexpected ";"`}},
		{"unclosed long bracket", "f_by_lua_block {\n x = [==[ }\n}\n",
			[]string{"\n x = [==[ }\n}\n"}, []string{"f_by_lua_block"}, [][]string{{}},
			[]string{`-:2:6: Lua code block missing the closing long bracket "]==]", the inlined Lua code may be too long`}},
		{"unclosed long comment", "g_by_lua_block { --[[ }",
			[]string{" --[[ }"}, []string{"g_by_lua_block"}, [][]string{{}},
			[]string{`-:1:18: Lua code block missing the closing long bracket "]]", the inlined Lua code may be too long`}},
		{"eof in body: reported at the last '{'", "h_by_lua_block {\n t = {\n  a = {\n }\n",
			[]string{"\n t = {\n  a = {\n }\n"}, []string{"h_by_lua_block"}, [][]string{{}},
			[]string{`-:3:7: unexpected end of file, expecting terminating characters for lua code block`}},
		{"not a lua block without the suffix", "content_by_lua 'ngx.say(1)';",
			nil, []string{"content_by_lua"}, [][]string{{"ngx.say(1)"}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tree, diags := Parse(context.Background(), "-", []byte(tt.src), Options{})
			require.NotNil(t, tree)
			assert.Equal(t, tt.diags, diagStrings(diags))
			var bodies, names []string
			var args [][]string
			for _, d := range tree.Root.Top {
				names = append(names, d.Name)
				args = append(args, d.Values())
				if d.Lua != nil {
					bodies = append(bodies, d.File.Src[d.Lua.Start:d.Lua.End])
					assert.True(t, d.IsBlock())
					assert.Empty(t, d.Block)
					assert.Equal(t, d.BlockOpen+1, d.Lua.Start)
				}
			}
			assert.Equal(t, tt.body, bodies)
			assert.Equal(t, tt.names, names)
			assert.Equal(t, tt.args, args)
			checkTree(t, tree)
			lexRoundTrip(t, []byte(tt.src))
		})
	}
}

// TestLuaPositions: a Lua block's position is its name's; its body offsets
// give the code's start line.
func TestLuaPositions(t *testing.T) {
	tree := loadValid(t, "lua-set")
	d := find(t, tree.Root.Top, "http", "server", "location", "set_by_lua_block")
	assert.Equal(t, [2]int{6, 13}, lc(d.Pos()))
	assert.Equal(t, [2]int{6, 33}, lc(d.File.Position(d.BlockOpen)))
	assert.Equal(t, [2]int{8, 14}, lc(d.EndPos()))
	assert.Equal(t, []string{"$v"}, d.Values())
	two := loadValid(t, "lua-two-on-line")
	loc := find(t, two.Root.Top, "http", "server", "location")
	require.Len(t, loc.Block, 2)
	assert.Equal(t, [2]int{6, 13}, lc(loc.Block[0].Pos()))
	assert.Equal(t, [2]int{6, 59}, lc(loc.Block[1].Pos()))
	assert.Equal(t, ` ngx.say("b") `, loc.Block[1].File.Src[loc.Block[1].Lua.Start:loc.Block[1].Lua.End])
}
