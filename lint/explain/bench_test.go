package explain_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/ngxlint/ngxlint/lint/explain"
	"github.com/ngxlint/ngxlint/nginx/errlog"
)

const benchLogSize = 64 << 20

var benchLog = sync.OnceValue(func() []byte {
	var b bytes.Buffer
	b.Grow(benchLogSize)
	if err := errlog.GenerateLog(&b, benchLogSize, 0.01, 1); err != nil {
		panic(err)
	}
	return b.Bytes()
})

// BenchmarkExplain is explain's per-byte cost on one core: scanning,
// classifying, mapping to fixtures/explain/nginx.conf and grouping a log
// where ~1% of lines are upstream failures.
func BenchmarkExplain(b *testing.B) {
	data := benchLog()
	ix := loadFixture(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	var rep *explain.Report
	for b.Loop() {
		agg := explain.NewAggregator(ix, explain.Options{})
		if err := agg.ReadLog(bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
		rep = agg.Report()
	}
	b.ReportMetric(float64(rep.Matched), "matched/op")
	b.ReportMetric(float64(len(rep.Groups)), "groups/op")
}

// BenchmarkExplainFile is what the CLI does with a file: sections scanned
// in parallel, read 1 MiB at a time.
func BenchmarkExplainFile(b *testing.B) {
	p := filepath.Join(b.TempDir(), "error.log")
	if err := os.WriteFile(p, benchLog(), 0o644); err != nil {
		b.Fatal(err)
	}
	ix := loadFixture(b)
	b.SetBytes(benchLogSize)
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := explain.Scan(context.Background(), []string{p}, ix, explain.Options{}, explain.ScanOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
