package errlog

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	alert40 = `2026/11/26 01:06:59 [error] 3573#3573: *2 SSL_do_handshake() failed (SSL: error:0A000410:SSL routines::sslv3 alert handshake failure:SSL alert number 40) while SSL handshaking to upstream, client: 127.0.0.1, server: localhost, request: "GET /probe?case=a HTTP/1.1", upstream: "https://127.0.0.1:38443/probe?case=a", host: "example.com"`
	noise   = `2026/11/26 01:15:06 [error] 88#88: *54 open() "/usr/share/nginx/html/favicon.ico" failed (2: No such file or directory), client: 10.0.0.4, server: localhost, request: "GET /favicon.ico HTTP/1.1", host: "example.com"`
	unclass = `2026/11/26 01:14:00 [error] 88#88: *40 upstream timed out (110: Connection timed out) while reading response header from upstream, client: 10.0.0.4, server: localhost, request: "GET /slow HTTP/1.1", upstream: "http://10.0.0.9:8080/slow", host: "example.com"`
)

type scanResult struct {
	records []Record
	stats   Stats
	err     error
}

func scanAll(r io.Reader) scanResult {
	s := NewScanner(r)
	var res scanResult
	for s.Scan() {
		res.records = append(res.records, s.Record())
	}
	res.stats, res.err = s.Stats(), s.Err()
	return res
}

// reference is the Scanner's contract written the slow, obvious way: split
// on newlines, parse and diagnose every line. The Scanner must agree with
// it on any input; only its speed may differ.
func reference(data []byte) scanResult {
	var res scanResult
	res.stats.ByClass = map[string]int64{}
	lines := bytes.Split(data, []byte("\n"))
	if len(lines[len(lines)-1]) == 0 {
		lines = lines[:len(lines)-1]
	}
	for i, l := range lines {
		res.stats.Lines++
		res.stats.Bytes += int64(len(l)) + 1
		if len(l) > MaxLineBytes {
			res.stats.Oversized++
			continue
		}
		e, ok := Parse(l)
		if !ok {
			continue
		}
		d, matched := Diagnose(e)
		if !matched && (e.Level < LevelWarn || !bytes.Contains(l, []byte("upstream")) || strings.HasPrefix(e.Msg, benign[0])) {
			continue
		}
		res.records = append(res.records, Record{LineNo: int64(i + 1), Entry: e, Matched: matched, Diagnosis: d})
		if matched {
			res.stats.Matched++
			res.stats.ByClass[d.Class.Slug]++
		} else {
			res.stats.Unclassified++
		}
	}
	if len(data) > 0 && data[len(data)-1] != '\n' {
		res.stats.Bytes--
	}
	res.stats.Noise = res.stats.Lines - res.stats.Matched - res.stats.Unclassified
	return res
}

func requireSameResult(t *testing.T, want, got scanResult) {
	t.Helper()
	require.NoError(t, got.err)
	require.Equal(t, len(want.records), len(got.records), "record count")
	for i := range want.records {
		w, g := want.records[i], got.records[i]
		require.Equal(t, w.LineNo, g.LineNo, "record %d", i)
		require.Equal(t, w.Entry, g.Entry, "record %d (line %d)", i, w.LineNo)
		require.Equal(t, w.Matched, g.Matched, "record %d (line %d)", i, w.LineNo)
		require.Equal(t, w.Diagnosis, g.Diagnosis, "record %d (line %d)", i, w.LineNo)
	}
	require.Equal(t, want.stats, got.stats)
}

// mixedLog is everything the Scanner has to survive in one input: the
// generated log, all fixtures, binary garbage, CRLF lines, lines around
// and over MaxLineBytes, and a last line without a newline.
func mixedLog(t *testing.T) []byte {
	var b bytes.Buffer
	require.NoError(t, GenerateLog(&b, 1<<20, 0.05, 7))
	for _, f := range loadFixtures(t) {
		b.WriteString(f.line)
		b.WriteString("\r\n")
	}
	garbage, err := os.ReadFile(filepath.Join(fixtureDir, "garbage.bin"))
	require.NoError(t, err)
	b.Write(garbage)
	b.WriteByte('\n')
	b.WriteString(paddedLine(t, MaxLineBytes))
	b.WriteByte('\n')
	b.WriteString(paddedLine(t, MaxLineBytes+1))
	b.WriteByte('\n')
	b.WriteString(strings.Repeat("upstream ", (1<<20)/9+100)) // > 1 MB
	b.WriteByte('\n')
	b.WriteString(alert40)
	return b.Bytes()
}

// paddedLine is alert40 padded through its referrer to exactly n bytes.
func paddedLine(t *testing.T, n int) string {
	head := alert40 + `, referrer: "https://example.com/`
	pad := n - len(head) - 1
	require.Positive(t, pad)
	return head + strings.Repeat("a", pad) + `"`
}

func TestScannerMatchesReference(t *testing.T) {
	data := mixedLog(t)
	want := reference(data)
	require.Positive(t, want.stats.Matched)
	require.Positive(t, want.stats.Unclassified)
	require.Positive(t, want.stats.Oversized)

	readers := map[string]func() io.Reader{
		"whole":    func() io.Reader { return bytes.NewReader(data) },
		"onebyte":  func() io.Reader { return iotest.OneByteReader(bytes.NewReader(data)) },
		"half":     func() io.Reader { return iotest.HalfReader(bytes.NewReader(data)) },
		"dataerr":  func() io.Reader { return iotest.DataErrReader(bytes.NewReader(data)) },
		"prime":    func() io.Reader { return &chunkReader{r: bytes.NewReader(data), n: 4099} },
		"boundary": func() io.Reader { return &chunkReader{r: bytes.NewReader(data), n: MaxLineBytes} },
	}
	for name, mk := range readers {
		t.Run(name, func(t *testing.T) {
			requireSameResult(t, want, scanAll(mk()))
		})
	}
}

// chunkReader returns at most n bytes per Read, to put buffer refills at
// awkward places.
type chunkReader struct {
	r io.Reader
	n int
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if len(p) > c.n {
		p = p[:c.n]
	}
	return c.r.Read(p)
}

func TestScannerEdgeCases(t *testing.T) {
	cases := []struct {
		name                                   string
		in                                     string
		lines, matched, unclassified, oversize int64
		lastRaw                                string
		lastNo                                 int64 // LineNo of the last record; defaults to lines
	}{
		{name: "empty", in: ""},
		{name: "blank line", in: "\n", lines: 1},
		{name: "no trailing newline", in: noise + "\n" + alert40, lines: 2, matched: 1, lastRaw: alert40},
		{name: "crlf", in: alert40 + "\r\n" + noise + "\r\n", lines: 2, matched: 1, lastRaw: alert40, lastNo: 1},
		{name: "crlf last line", in: noise + "\r\n" + alert40 + "\r", lines: 2, matched: 1, lastRaw: alert40},
		{name: "unclassified", in: unclass + "\n", lines: 1, unclassified: 1, lastRaw: unclass},
		{name: "exactly max", in: paddedLine(t, MaxLineBytes) + "\n", lines: 1, matched: 1, lastRaw: paddedLine(t, MaxLineBytes)},
		{name: "max+1", in: paddedLine(t, MaxLineBytes+1) + "\n" + alert40 + "\n", lines: 2, matched: 1, oversize: 1, lastRaw: alert40},
		{name: "oversized at eof", in: alert40 + "\n" + strings.Repeat("x", 3<<20), lines: 2, matched: 1, oversize: 1, lastRaw: alert40, lastNo: 1},
		{name: "oversized upstream", in: strings.Repeat("upstream ", 200000) + "\n" + alert40, lines: 2, matched: 1, oversize: 1, lastRaw: alert40},
		{name: "nul bytes", in: "\x00\x00upstream\x00\n\xff[emerg]\xfe\n" + alert40, lines: 3, matched: 1, lastRaw: alert40},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := scanAll(strings.NewReader(tc.in))
			require.NoError(t, res.err)
			st := res.stats
			assert.Equal(t, tc.lines, st.Lines, "lines")
			assert.Equal(t, tc.matched, st.Matched, "matched")
			assert.Equal(t, tc.unclassified, st.Unclassified, "unclassified")
			assert.Equal(t, tc.oversize, st.Oversized, "oversized")
			assert.Equal(t, st.Lines-st.Matched-st.Unclassified, st.Noise)
			assert.Equal(t, int64(len(tc.in)), st.Bytes)
			if tc.lastRaw != "" {
				require.NotEmpty(t, res.records)
				assert.Equal(t, tc.lastRaw, res.records[len(res.records)-1].Entry.Raw)
				lastNo := tc.lastNo
				if lastNo == 0 {
					lastNo = tc.lines
				}
				assert.Equal(t, lastNo, res.records[len(res.records)-1].LineNo)
			} else {
				assert.Empty(t, res.records)
			}
		})
	}
}

func TestScannerGarbage(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(fixtureDir, "garbage.bin"))
	require.NoError(t, err)
	res := scanAll(bytes.NewReader(data))
	require.NoError(t, res.err)
	assert.Equal(t, int64(bytes.Count(data, []byte("\n"))+1), res.stats.Lines)
	requireSameResult(t, reference(data), res)
	// The file ends in an upstream handshake line that nginx cut short;
	// it is still recognisably one.
	require.NotEmpty(t, res.records)
	last := res.records[len(res.records)-1]
	assert.Equal(t, SlugHandshakeFailed, last.Diagnosis.Class.Slug)
	assert.Equal(t, LevelCrit, last.Entry.Level)
}

// An arbitrarily long line must not be read into memory.
func TestScannerMemoryIsBounded(t *testing.T) {
	const lineLen = 256 << 20
	r := io.MultiReader(
		&repeatReader{b: 'u', n: lineLen},
		strings.NewReader("\n"+alert40+"\n"),
	)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	res := scanAll(r)
	runtime.ReadMemStats(&after)
	require.NoError(t, res.err)
	assert.Equal(t, int64(2), res.stats.Lines)
	assert.Equal(t, int64(1), res.stats.Oversized)
	assert.Equal(t, int64(1), res.stats.Matched)
	assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(4<<20), "allocated while skipping a %d-byte line", lineLen)
}

type repeatReader struct {
	b byte
	n int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, io.EOF
	}
	p = p[:min(len(p), r.n)]
	for i := range p {
		p[i] = r.b
	}
	r.n -= len(p)
	return len(p), nil
}

func TestScannerNoisePathDoesNotAllocate(t *testing.T) {
	// Noise that hits the keyword prefilter and is then rejected, plus
	// noise that never reaches it.
	lines := []string{
		noise,
		`2026/11/26 01:15:02 [warn] 88#88: *52 an upstream response is buffered to a temporary file /var/cache/nginx/proxy_temp/4/21/0000000214 while reading upstream, client: 10.0.0.4, server: localhost, request: "GET /big.js HTTP/1.1", upstream: "http://10.0.0.9:8080/big.js", host: "example.com"`,
		`2026/11/26 01:15:04 [debug] 88#88: *53 upstream SSL server name: "d1234567890.cloudfront.net"`,
		`2026/11/26 01:15:07 [emerg] 88#88: bind() to 0.0.0.0:443 failed (98: Address already in use)`,
		`2026/11/26 01:15:00 [crit] 88#88: *50 SSL_do_handshake() failed (SSL: error:0A00006C:SSL routines::bad key share) while SSL handshaking, client: 198.51.100.23, server: 0.0.0.0:443`,
		`10.0.0.4 - - [26/Nov/2026:01:15:09 +0000] "GET / HTTP/1.1" 200 612 "-" "Mozilla/5.0" upstream=10.0.0.9:8080 resolver=1`,
	}
	mk := func(n int) []byte {
		var b bytes.Buffer
		for i := range n {
			b.WriteString(lines[i%len(lines)])
			b.WriteByte('\n')
		}
		return b.Bytes()
	}
	small, large := mk(len(lines)), mk(len(lines)*2000)
	count := func(data []byte) float64 {
		return testing.AllocsPerRun(5, func() {
			s := NewScanner(bytes.NewReader(data))
			for s.Scan() {
				t.Fatalf("noise reported: %q", s.Record().Entry.Raw)
			}
		})
	}
	assert.Equal(t, count(small), count(large), "allocations grow with noise lines")
}

func TestScannerReadError(t *testing.T) {
	boom := errors.New("boom")
	r := io.MultiReader(strings.NewReader(alert40+"\n"+noise+"\n"+alert40), iotest.ErrReader(boom))
	res := scanAll(r)
	assert.ErrorIs(t, res.err, boom)
	// What was read before the error is still reported, including the
	// unterminated last line.
	assert.Len(t, res.records, 2)
	assert.Equal(t, int64(3), res.stats.Lines)
}

func TestScannerStallingReader(t *testing.T) {
	res := scanAll(stallReader{})
	assert.ErrorIs(t, res.err, io.ErrNoProgress)
}

type stallReader struct{}

func (stallReader) Read([]byte) (int, error) { return 0, nil }

func TestScannerStatsByClass(t *testing.T) {
	in := strings.Repeat(alert40+"\n", 3) + unclass + "\n" + noise + "\n"
	s := NewScanner(strings.NewReader(in))
	for s.Scan() {
	}
	st := s.Stats()
	assert.Equal(t, map[string]int64{SlugAlertHandshakeFailure: 3}, st.ByClass)
	st.ByClass[SlugAlertHandshakeFailure] = 99
	assert.Equal(t, int64(3), s.Stats().ByClass[SlugAlertHandshakeFailure], "Stats must return a copy")
}

func gzipped(t *testing.T, data []byte) []byte {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	_, err := zw.Write(data)
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return b.Bytes()
}

func TestOpen(t *testing.T) {
	dir := t.TempDir()
	plain := []byte(alert40 + "\n" + noise + "\n")
	files := map[string][]byte{
		"error.log":       plain,
		"error.log.1":     gzipped(t, plain), // compressed, no .gz suffix
		"error.log.2.gz":  gzipped(t, plain),
		"mislabelled.gz":  plain, // .gz suffix, plain content
		"empty.log":       {},
		"one-byte.log":    {0x1f},
		"concatenated.gz": append(gzipped(t, []byte(alert40+"\n")), gzipped(t, []byte(noise+"\n"))...),
	}
	for name, content := range files {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), content, 0o644))
	}
	for name, content := range files {
		t.Run(name, func(t *testing.T) {
			rc, err := Open(filepath.Join(dir, name))
			require.NoError(t, err)
			got, err := io.ReadAll(rc)
			require.NoError(t, err)
			require.NoError(t, rc.Close())
			want := content
			if len(content) >= 2 && content[0] == 0x1f && content[1] == 0x8b {
				want = plain
			}
			assert.Equal(t, string(want), string(got))
		})
	}

	_, err := Open(filepath.Join(dir, "missing.log"))
	assert.ErrorIs(t, err, os.ErrNotExist)

	// gzip magic but a broken header.
	require.NoError(t, os.WriteFile(filepath.Join(dir, "bad.gz"), []byte{0x1f, 0x8b, 0, 0}, 0o644))
	_, err = Open(filepath.Join(dir, "bad.gz"))
	assert.Error(t, err)
}

func TestOpenStdin(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "stdin")
	require.NoError(t, os.WriteFile(p, gzipped(t, []byte(alert40+"\n")), 0o644))
	f, err := os.Open(p)
	require.NoError(t, err)
	defer f.Close()
	old := os.Stdin
	os.Stdin = f
	defer func() { os.Stdin = old }()

	rc, err := Open("-")
	require.NoError(t, err)
	res := scanAll(rc)
	require.NoError(t, rc.Close())
	require.NoError(t, res.err)
	require.Len(t, res.records, 1)
	assert.Equal(t, SlugAlertHandshakeFailure, res.records[0].Diagnosis.Class.Slug)
	// Closing what Open returned must leave stdin open.
	_, err = f.Seek(0, io.SeekStart)
	assert.NoError(t, err)
}

func TestTruncatedGzip(t *testing.T) {
	var plain bytes.Buffer
	require.NoError(t, GenerateLog(&plain, 256<<10, 0.2, 3))
	z := gzipped(t, plain.Bytes())
	p := filepath.Join(t.TempDir(), "cut.gz")
	require.NoError(t, os.WriteFile(p, z[:len(z)/2], 0o644))
	rc, err := Open(p)
	require.NoError(t, err)
	defer rc.Close()
	res := scanAll(rc)
	assert.ErrorIs(t, res.err, io.ErrUnexpectedEOF)
	assert.NotEmpty(t, res.records, "lines before the cut are still reported")
}

// FuzzScanner checks the Scanner against reference on arbitrary input, so
// the keyword prefilter can never hide a line Diagnose would classify.
func FuzzScanner(f *testing.F) {
	for _, fx := range loadFixtures(f) {
		f.Add([]byte(fx.line + "\n" + noise + "\r\n" + fx.line))
	}
	f.Add([]byte("\n\n\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		want := reference(data)
		got := scanAll(bytes.NewReader(data))
		requireSameResult(t, want, got)
	})
}
