package config

import (
	"context"
	"os"
	"testing"
)

// FuzzParse feeds arbitrary bytes through Lex and the loader. Properties:
// no panic and no hang (the fuzzer enforces both); Lex reproduces the input
// byte for byte; every node satisfies Start <= NameEnd <= End inside its
// file and sits inside its parent; diagnostics point inside their file; and
// on input without errors the word tokens are exactly the parsed words.
//
// Includes resolve in memory, against a file system holding only the input
// (so `include` exercises globbing and cycle detection, never the disk).
//
// Run: go test -run='^$' -fuzz=FuzzParse -fuzztime=10m -parallel 1 ./nginx/config/
// The seed corpus is every small fixture plus testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	for _, p := range allFixtureFiles(f) {
		src, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		if len(src) <= 16<<10 {
			f.Add(src)
		}
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		words := lexRoundTrip(t, src)

		const name = "/fuzz/nginx.conf"
		var tree *Tree
		var diags []Diagnostic
		if isDump(src) {
			tree, diags = Parse(context.Background(), name, src, Options{MaxFiles: 64})
		} else {
			l := newLoader(context.Background(), Options{MaxFiles: 64}, &memFS{files: map[string][]byte{name: src}})
			tree, diags = l.run(name, name, src)
		}
		if tree == nil {
			if len(diags) == 0 {
				t.Fatal("no tree and no diagnostic")
			}
			return
		}
		checkTree(t, tree)
		files := map[string]*File{}
		for _, f := range tree.Files {
			files[f.Path] = f
		}
		for _, d := range diags {
			if d.Path == "" {
				continue
			}
			f := files[d.Path]
			if f == nil {
				t.Fatalf("diagnostic in unknown file: %v", d)
			}
			if d.Offset < 0 || d.Offset > len(f.Src) || d.Line < 1 || d.Col < 1 {
				t.Fatalf("diagnostic outside its file: %v", d)
			}
		}

		root, rdiags := parseOnly(src)
		checkTree(t, &Tree{Root: root, Files: []*File{root}})
		if !HasErrors(rdiags) {
			got := rawWords(root.Top, nil)
			if len(got) != len(words) {
				t.Fatalf("%d words parsed, %d word tokens", len(got), len(words))
			}
			for i := range got {
				if got[i] != words[i] {
					t.Fatalf("word %d: parsed %q, token %q", i, got[i], words[i])
				}
			}
		}
	})
}
