package lint_test

import (
	"context"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/ngxlint/ngxlint/lint"
	"github.com/ngxlint/ngxlint/nginx/config"
)

var (
	largeOnce  sync.Once
	largeRoot  string
	largeLines int
	largeBytes int64
	largeDir   string
)

// BenchmarkLintLarge is `ngxlint lint` end to end (load, model, every
// rule) on the generator's large tree: 500+ files, 5,000 servers, Lua.
// Target: at least 2M lines/s.
func BenchmarkLintLarge(b *testing.B) {
	largeOnce.Do(func() {
		var err error
		largeDir, err = os.MkdirTemp("", "ngxlint-lint-bench-")
		if err != nil {
			b.Fatal(err)
		}
		root, st, err := config.GenerateTree(largeDir, config.GenOptions{TrickyLua: true})
		if err != nil {
			b.Fatal(err)
		}
		largeRoot, largeLines, largeBytes = root, st.Lines, st.Bytes
	})
	b.Cleanup(func() {})
	benchLint(b, largeRoot, largeLines, largeBytes)
}

// BenchmarkLintTypical is the pre-commit case: a ~300-line repository
// config (fixtures/typical). Target: well under 50 ms, process start
// included (scripts/bench-lint.sh measures the binary).
func BenchmarkLintTypical(b *testing.B) {
	root := "../fixtures/typical/nginx.conf"
	tree, _ := config.Load(context.Background(), root, config.Options{})
	lines, size := 0, int64(0)
	for _, f := range tree.Files {
		lines += strings.Count(f.Src, "\n")
		size += int64(len(f.Src))
	}
	benchLint(b, root, lines, size)
}

func benchLint(b *testing.B, root string, lines int, size int64) {
	b.ReportAllocs()
	b.SetBytes(size)
	ctx := context.Background()
	for i := 0; i < b.N; i++ {
		tree, diags := config.Load(ctx, root, config.Options{})
		if config.HasErrors(diags) {
			b.Fatalf("%v", diags[0])
		}
		res := lint.Run(tree, lint.Options{})
		_ = res
	}
	b.ReportMetric(float64(lines)*float64(b.N)/b.Elapsed().Seconds(), "lines/s")
}

func TestMain(m *testing.M) {
	code := m.Run()
	if largeDir != "" {
		os.RemoveAll(largeDir)
	}
	os.Exit(code)
}
