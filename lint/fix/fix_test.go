package fix

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/ngxlint/ngxlint/nginx/config"
	"github.com/ngxlint/ngxlint/rules/rule"
)

// TestTakenClashes: an edit clashes with the edits taken before it when
// their ranges overlap or touch (both ends included), in the same file
// only, as the pairwise comparison it replaced did.
func TestTakenClashes(t *testing.T) {
	a := &config.File{Path: "a.conf", Src: strings.Repeat("x", 300)}
	b := &config.File{Path: "b.conf", Src: strings.Repeat("y", 300)}
	a2 := &config.File{Path: "a.conf", Src: a.Src} // a second parse of a.conf
	e := func(f *config.File, start, end int32) rule.Edit {
		return rule.Edit{File: f, Start: start, End: end}
	}
	before := []rule.Edit{e(a, 10, 20), e(a, 100, 100), e(a, 128, 255), e(b, 0, 0)}
	for _, tc := range []struct {
		name  string
		edit  rule.Edit
		clash bool
	}{
		{"inside", e(a, 12, 15), true},
		{"touches the end", e(a, 20, 25), true},
		{"touches the start", e(a, 5, 10), true},
		{"covers", e(a, 0, 50), true},
		{"just before", e(a, 0, 9), false},
		{"just after", e(a, 21, 30), false},
		{"insert at an insert", e(a, 100, 100), true},
		{"insert next to an insert", e(a, 101, 101), false},
		{"spans whole words", e(a, 60, 200), true},
		{"inside a whole word", e(a, 192, 192), true},
		{"after the words", e(a, 256, 299), false},
		{"end of file", e(a, 300, 300), false},
		{"another parse of the file", e(a2, 15, 15), true},
		{"another file", e(b, 12, 15), false},
		{"another file's insert", e(b, 0, 3), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tk := taken{}
			for _, x := range before {
				assert.False(t, tk.clashes([]rule.Edit{x}), "taken edits are disjoint")
				tk.mark(x)
			}
			assert.Equal(t, tc.clash, tk.clashes([]rule.Edit{tc.edit}))
			// the pairwise rule it replaced
			want := false
			for _, x := range before {
				if x.File.Path == tc.edit.File.Path && tc.edit.Start <= x.End && x.Start <= tc.edit.End {
					want = true
				}
			}
			assert.Equal(t, want, tc.clash, "the case's expectation")
		})
	}
}
