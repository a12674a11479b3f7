package errlog

import (
	"bytes"
	"sync"
	"testing"
)

// benchLogSize is large enough that per-fill and per-iteration costs are
// negligible next to the per-byte cost being measured.
const benchLogSize = 64 << 20

var benchLog = sync.OnceValue(func() []byte {
	var b bytes.Buffer
	b.Grow(benchLogSize)
	if err := GenerateLog(&b, benchLogSize, 0.01, 1); err != nil {
		panic(err)
	}
	return b.Bytes()
})

// BenchmarkScan measures the Scanner over a log where ~1% of lines are
// upstream failures; MB/s is the figure the CLI's throughput depends on.
func BenchmarkScan(b *testing.B) {
	data := benchLog()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	var st Stats
	for b.Loop() {
		s := NewScanner(bytes.NewReader(data))
		for s.Scan() {
		}
		if err := s.Err(); err != nil {
			b.Fatal(err)
		}
		st = s.Stats()
	}
	b.ReportMetric(float64(st.Lines), "lines/op")
	b.ReportMetric(float64(st.Matched), "matched/op")
	b.ReportMetric(float64(st.Unclassified), "unclassified/op")
}
