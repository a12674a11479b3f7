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

// BenchmarkParseDiagnose is the cost of one reported line, which bounds
// throughput on logs that are mostly failures.
func BenchmarkParseDiagnose(b *testing.B) {
	line := []byte(`2026/11/26 01:06:59 [error] 3573#3573: *2 SSL_do_handshake() failed (SSL: error:0A000410:SSL routines::sslv3 alert handshake failure:SSL alert number 40) while SSL handshaking to upstream, client: 127.0.0.1, server: localhost, request: "GET /probe?case=a HTTP/1.1", upstream: "https://127.0.0.1:38443/probe?case=a", host: "example.com"`)
	b.SetBytes(int64(len(line)))
	b.ReportAllocs()
	for b.Loop() {
		e, ok := Parse(line)
		if !ok {
			b.Fatal("no parse")
		}
		if _, ok := Diagnose(e); !ok {
			b.Fatal("no class")
		}
	}
}
