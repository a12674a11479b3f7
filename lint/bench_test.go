package lint_test

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/ngxlint/ngxlint/lint"
	"github.com/ngxlint/ngxlint/lint/report"
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

// BenchmarkLintFindings is `ngxlint lint --format json` and `--format
// sarif` end to end on GenerateLintTree's tree, where every rule fires (3-4
// findings a server, most with a fix): NGXLINT_BENCH_SERVERS servers
// (default 5,000, 209k lines). Growth per doubling is what counts
// (scripts/bench-lint.sh).
func BenchmarkLintFindings(b *testing.B) {
	n := 5000
	if s := os.Getenv("NGXLINT_BENCH_SERVERS"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil {
			b.Fatal(err)
		}
	}
	dir := b.TempDir()
	root, st, err := config.GenerateLintTree(filepath.Join(dir, "tree"), config.LintGenOptions{Servers: n})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(st.Bytes)
	ctx := context.Background()
	findings := 0
	for i := 0; i < b.N; i++ {
		tree, diags := config.Load(ctx, root, config.Options{})
		if config.HasErrors(diags) {
			b.Fatalf("%v", diags[0])
		}
		res := lint.Run(tree, lint.Options{})
		findings = len(res.Findings)
		for _, format := range []string{"json", "sarif"} {
			if err := report.Write(io.Discard, format, report.Input{Findings: res.Findings}); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(findings), "findings")
	b.ReportMetric(float64(st.Lines)*float64(b.N)/b.Elapsed().Seconds(), "lines/s")
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
