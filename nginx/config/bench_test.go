package config

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestGenerateTree checks the generator on a small tree: it loads without
// diagnostics, matches gonginx (the fair variant), and the tricky-Lua
// variant loads here while gonginx fails on it.
func TestGenerateTree(t *testing.T) {
	dir := t.TempDir()
	root, stats, err := GenerateTree(dir, GenOptions{Files: 4, Servers: 10})
	require.NoError(t, err)
	assert.Equal(t, 7, stats.Files)
	assert.Equal(t, 10, stats.Servers)
	assert.Equal(t, 10, stats.Upstreams)
	tree, diags := Load(context.Background(), root, Options{})
	require.Empty(t, diagStrings(diags))
	assert.Len(t, tree.Files, stats.Files)
	lines, size := 0, int64(0)
	servers := 0
	for _, f := range tree.Files {
		size += int64(len(f.Src))
		for i := 0; i < len(f.Src); i++ {
			if f.Src[i] == '\n' {
				lines++
			}
		}
	}
	Walk(tree.Root.Top, func(d *Directive) bool {
		if d.Name == "server" && d.IsBlock() {
			servers++
		}
		return true
	})
	assert.Equal(t, stats.Lines, lines)
	assert.Equal(t, stats.Bytes, size)
	assert.Equal(t, stats.Servers, servers)
	checkTree(t, tree)

	cfg, err := gonginxParse(root)
	require.NoError(t, err)
	assert.Equal(t, ourTree(tree.Root.Top), gonginxTree(cfg.Block.Directives))

	dir = t.TempDir()
	root, _, err = GenerateTree(dir, GenOptions{Files: 2, Servers: 4, TrickyLua: true})
	require.NoError(t, err)
	_, diags = Load(context.Background(), root, Options{})
	require.Empty(t, diagStrings(diags))
	_, err = gonginxParse(root)
	assert.Error(t, err, "gonginx now parses braces in Lua strings")
}

// cpuTime is the process's user+system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

var (
	benchOnce  sync.Once
	benchRoot  string
	benchStats GenStats
	benchErr   error
	benchDir   string
)

// benchTree generates the default tree once per process (in
// $NGXLINT_BENCH_DIR if set, else a temporary directory removed by
// TestMain).
func benchTree(b *testing.B) (string, GenStats) {
	b.Helper()
	benchOnce.Do(func() {
		dir := os.Getenv("NGXLINT_BENCH_DIR")
		if dir == "" {
			dir, benchErr = os.MkdirTemp("", "ngxlint-bench-")
			if benchErr != nil {
				return
			}
			benchDir = dir
		}
		benchRoot, benchStats, benchErr = GenerateTree(filepath.Join(dir, "tree"), GenOptions{})
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchRoot, benchStats
}

func TestMain(m *testing.M) {
	code := m.Run()
	if benchDir != "" {
		os.RemoveAll(benchDir)
	}
	os.Exit(code)
}

// reportThroughput adds lines/s, allocated bytes per input byte and CPU
// time per op (user+system over all threads, GC included: steadier than
// wall time on a busy machine) to ns/op, MB/s (from SetBytes) and B/op.
func reportThroughput(b *testing.B, stats GenStats, before runtime.MemStats, cpuBefore time.Duration) {
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64((cpuTime()-cpuBefore).Microseconds())/1e3/float64(b.N), "cpu-ms/op")
	secs := b.Elapsed().Seconds()
	if secs > 0 {
		b.ReportMetric(float64(stats.Lines)*float64(b.N)/secs, "lines/s")
	}
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(b.N)/float64(stats.Bytes), "alloc/input")
}

// BenchmarkLoad loads the generated tree (503 files, 5,000 servers and
// upstreams, ~191k lines) with includes resolved from disk.
func BenchmarkLoad(b *testing.B) {
	root, stats := benchTree(b)
	b.SetBytes(stats.Bytes)
	b.ReportAllocs()
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	cpu := cpuTime()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		tree, diags := Load(context.Background(), root, Options{})
		if len(diags) > 0 || len(tree.Files) != stats.Files {
			b.Fatalf("%d files, %v", len(tree.Files), diags)
		}
	}
	b.StopTimer()
	reportThroughput(b, stats, before, cpu)
}

// BenchmarkGonginx parses the same tree with gonginx (WithIncludeParsing,
// WithSkipValidDirectivesErr). The tree's Lua bodies avoid braces in
// strings, which gonginx cannot parse.
func BenchmarkGonginx(b *testing.B) {
	root, stats := benchTree(b)
	gonginxUniform()
	b.SetBytes(stats.Bytes)
	b.ReportAllocs()
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	cpu := cpuTime()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := gonginxParse(root); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	reportThroughput(b, stats, before, cpu)
}
