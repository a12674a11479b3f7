package explain

import (
	"bytes"
	"compress/gzip"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ngxlint/ngxlint/nginx/config"
	"github.com/ngxlint/ngxlint/nginx/errlog"
	"github.com/ngxlint/ngxlint/nginx/model"
)

const (
	lineA = `2026/11/26 01:06:59 [error] 3573#3573: *2 SSL_do_handshake() failed (SSL: error:0A000410:SSL routines::sslv3 alert handshake failure:SSL alert number 40) while SSL handshaking to upstream, client: 127.0.0.1, server: localhost, request: "GET /probe?case=a HTTP/1.1", upstream: "https://127.0.0.1:38443/probe?case=a", host: "example.com"`
	lineS = `2026/11/26 01:08:40 [error] 4101#4101: *2 peer closed connection in SSL handshake while SSL handshaking to upstream, client: 127.0.0.1, server: localhost, request: "GET /probe?case=s HTTP/1.1", upstream: "https://127.0.0.1:38443/probe?case=s", host: "example.com"`
	noise = `2026/11/26 01:15:06 [error] 88#88: *54 open() "/usr/share/nginx/html/favicon.ico" failed (2: No such file or directory), client: 10.0.0.4, server: localhost, request: "GET /favicon.ico HTTP/1.1", host: "example.com"`
)

func withTime(line, ts string) string { return ts + line[len("2026/11/26 01:06:59"):] }

func gz(t *testing.T, s string) []byte {
	t.Helper()
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	_, err := w.Write([]byte(s))
	require.NoError(t, err)
	require.NoError(t, w.Close())
	return b.Bytes()
}

func write(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(p, data, 0o644))
	return p
}

func classCount(rep *Report) map[string]int64 {
	m := map[string]int64{}
	for _, g := range rep.Groups {
		m[g.Class.Slug] += g.Count
	}
	return m
}

// TestRobustInput: binary garbage, lines over 1 MB, truncated lines,
// rotated logs concatenated (plain and gzip, gzip under any name, gzip
// members back to back), timestamps out of order, a truncated .gz.
func TestRobustInput(t *testing.T) {
	dir := t.TempDir()
	garbage, err := os.ReadFile(filepath.Join("..", "..", "fixtures", "errlog", "garbage.bin"))
	require.NoError(t, err)
	huge := strings.Repeat("upstream ", (1<<20)/9+10) // >1 MB, no newline inside

	// error.log.2.gz: older, one gzip member per rotation, back to back.
	older := append(gz(t, withTime(lineA, "2026/11/24 10:00:00")+"\n"), gz(t, withTime(lineS, "2026/11/24 11:00:00")+"\n")...)
	p2 := write(t, dir, "error.log.2.gz", older)
	// error.log.1: gzip without the suffix, as some rotations leave it.
	p1 := write(t, dir, "error.log.1", gz(t, withTime(lineA, "2026/11/25 09:00:00")+"\n"+noise+"\n"))
	// error.log: current, plain, with garbage, a huge line, a truncated
	// line and a last line without newline; timestamps out of order.
	var cur bytes.Buffer
	cur.WriteString(withTime(lineA, "2026/11/26 05:00:00") + "\n")
	cur.Write(garbage)
	cur.WriteString("\n" + lineA[:len(lineA)-1] + huge + "\n") // an upstream failure line over 1 MB
	cur.WriteString(withTime(lineA, "2026/11/26 01:00:00") + "\n")
	cur.WriteString(lineS[:150] + "\n") // cut before the context
	cur.WriteString(withTime(lineA, "2026/11/26 03:00:00"))
	p0 := write(t, dir, "error.log", cur.Bytes())

	// Rotated logs concatenated into one file: cat error.log.1 error.log
	// (gzip then plain would not decompress, so the plain halves).
	cat := write(t, dir, "all.log", append([]byte(withTime(lineS, "2026/11/27 00:00:00")+"\n"), cur.Bytes()...))

	rep, warns, err := Scan(context.Background(), []string{p2, p1, p0, cat}, nil, Options{}, ScanOptions{})
	require.NoError(t, err)
	assert.Empty(t, warns)
	// garbage.bin holds fragments of real lines; count what they give alone.
	want := map[string]int64{}
	gp := write(t, dir, "garbage", garbage)
	grep, _, err := Scan(context.Background(), []string{gp, gp}, nil, Options{}, ScanOptions{})
	require.NoError(t, err)
	for c, n := range classCount(grep) {
		want[c] += n
	}
	// p2: A, S; p1: A; p0: A ×3 + S (truncated) ; cat: S + p0 again.
	want[errlog.SlugAlertHandshakeFailure] += 1 + 1 + 3 + 3
	want[errlog.SlugPeerClosed] += 1 + 1 + 1 + 1
	assert.Equal(t, want, classCount(rep))
	for _, g := range rep.Groups {
		if g.Class.Slug == errlog.SlugAlertHandshakeFailure {
			assert.Equal(t, "2026/11/24 10:00:00", g.First)
			assert.Equal(t, "2026/11/26 05:00:00", g.Last)
		}
	}
	assert.GreaterOrEqual(t, rep.Oversized, int64(2), "the >1 MB lines are skipped, not held")

	// A truncated .gz keeps what was read and says so.
	full := gz(t, strings.Repeat(lineA+"\n", 2000))
	cut := write(t, dir, "cut.gz", full[:len(full)/2])
	rep, warns, err = Scan(context.Background(), []string{cut}, nil, Options{}, ScanOptions{})
	require.NoError(t, err)
	require.Len(t, warns, 1)
	assert.Contains(t, warns[0].Error(), "cut.gz")
	assert.Greater(t, rep.Matched, int64(100))

	// A missing file is an error.
	_, _, err = Scan(context.Background(), []string{filepath.Join(dir, "nope")}, nil, Options{}, ScanOptions{})
	assert.Error(t, err)
}

func TestStdin(t *testing.T) {
	in := strings.NewReader(lineA + "\n" + noise + "\n")
	rep, _, err := Scan(context.Background(), []string{"-"}, nil, Options{}, ScanOptions{Stdin: in})
	require.NoError(t, err)
	assert.EqualValues(t, 2, rep.Lines)
	assert.EqualValues(t, 1, rep.Matched)
	in = strings.NewReader(string(gz(t, lineS+"\n")))
	rep, _, err = Scan(context.Background(), []string{"-"}, nil, Options{}, ScanOptions{Stdin: in})
	require.NoError(t, err)
	assert.EqualValues(t, 1, rep.Matched, "gzip on stdin")
}

func TestSplitPoints(t *testing.T) {
	data := []byte("aa\nbbbbbbbbbbbbbbbbbbbb\ncc\n" + strings.Repeat("x", 200000) + "\nend")
	for n := 1; n <= 8; n++ {
		pts := splitPoints(bytes.NewReader(data), int64(len(data)), n)
		require.Equal(t, int64(0), pts[0])
		require.Equal(t, int64(len(data)), pts[len(pts)-1])
		for i := 1; i < len(pts)-1; i++ {
			assert.Greater(t, pts[i], pts[i-1])
			assert.Equal(t, byte('\n'), data[pts[i]-1], "section %d starts a line", i)
		}
	}
}

// TestParallelEqualsSequential: splitting a file between workers gives
// exactly the sequential result, and memory stays bounded by the groups.
func TestParallelEqualsSequential(t *testing.T) {
	if testing.Short() {
		t.Skip("generates a 40 MB log")
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "error.log")
	f, err := os.Create(p)
	require.NoError(t, err)
	require.NoError(t, errlog.GenerateLog(f, minSplit+8<<20, 0.01, 7))
	// The fixture lines (config-load errors, stream, every location kind)
	// spread over the sections, so the index is used concurrently.
	fixture, err := os.ReadFile(filepath.Join("..", "..", "fixtures", "explain", "lines.txt"))
	require.NoError(t, err)
	for range 64 {
		_, err = f.Write(fixture)
		require.NoError(t, err)
		require.NoError(t, errlog.GenerateLog(f, 256<<10, 0.01, 8))
	}
	require.NoError(t, f.Close())
	tree, diags := config.Load(context.Background(), filepath.Join("..", "..", "fixtures", "explain", "nginx.conf"), config.Options{})
	require.False(t, config.HasErrors(diags), "%v", diags)
	ix := NewIndex(model.Build(tree))

	seq, _, err := Scan(context.Background(), []string{p}, ix, Options{Hourly: true}, ScanOptions{Workers: 1})
	require.NoError(t, err)
	var read int64
	par, _, err := Scan(context.Background(), []string{p}, ix, Options{Hourly: true}, ScanOptions{Workers: 4, Progress: func(n int64) { atomic.AddInt64(&read, n) }})
	require.NoError(t, err)
	st, _ := os.Stat(p)
	assert.Equal(t, st.Size(), read, "progress sees every byte")
	assert.Equal(t, seq.Lines, par.Lines)
	assert.Equal(t, seq.Matched, par.Matched)
	assert.Equal(t, seq.Noise, par.Noise)
	require.Equal(t, len(seq.Groups), len(par.Groups))
	for i := range seq.Groups {
		a, b := seq.Groups[i], par.Groups[i]
		assert.Equal(t, a.Class.Slug, b.Class.Slug)
		assert.Equal(t, a.Count, b.Count)
		assert.Equal(t, a.First, b.First)
		assert.Equal(t, a.Last, b.Last)
		assert.Equal(t, a.Sample, b.Sample)
		assert.Equal(t, a.Hours, b.Hours)
		assert.Equal(t, a.Mapping, b.Mapping)
		assert.Equal(t, a.Explained(), b.Explained())
	}
	assert.Less(t, len(par.Groups), 200, "groups, not lines")

	// The report holds groups, not lines: what stays reachable is far
	// below the input size.
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	assert.Less(t, ms.HeapAlloc, uint64(24<<20), "heap after scanning %d MB", st.Size()>>20)
	runtime.KeepAlive(par)
	runtime.KeepAlive(seq)
}
