package errlog

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ngxlint/ngxlint/internal/wantline"
)

var fixtureDir = filepath.Join("..", "..", "fixtures", "errlog")

// fixture is one log line of lines.txt and what is wanted of it.
type fixture struct {
	lineNo int // in lines.txt, for failure messages
	line   string
	want   map[string]string
	order  []string
}

func (f fixture) name() string { return fmt.Sprintf("lines.txt:%d", f.lineNo) }

func loadFixtures(t testing.TB) []fixture {
	t.Helper()
	fh, err := os.Open(filepath.Join(fixtureDir, "lines.txt"))
	require.NoError(t, err)
	defer fh.Close()

	var out []fixture
	sc := bufio.NewScanner(fh)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		text := sc.Text()
		switch {
		case strings.TrimSpace(text) == "":
		case strings.HasPrefix(text, "# want "):
			require.NotEmpty(t, out, "lines.txt:%d: want before any line", n)
			f := &out[len(out)-1]
			kvs, err := wantline.Parse(text[len("# want "):])
			require.NoError(t, err, "lines.txt:%d", n)
			for _, kv := range kvs {
				_, dup := f.want[kv[0]]
				require.False(t, dup, "lines.txt:%d: %s given twice", n, kv[0])
				f.want[kv[0]] = kv[1]
				f.order = append(f.order, kv[0])
			}
		case strings.HasPrefix(text, "#"):
		default:
			out = append(out, fixture{lineNo: n, line: text, want: map[string]string{}})
		}
	}
	require.NoError(t, sc.Err())
	for _, f := range out {
		require.Contains(t, f.want, "class", "%s: every line needs class=", f.name())
	}
	return out
}

// fieldGetters maps want keys to what they check, so a fixture can assert
// any parsed field without the test growing a case per field.
var fieldGetters = map[string]func(Entry, Diagnosis) string{
	"level":    func(e Entry, _ Diagnosis) string { return e.Level.String() },
	"rawtime":  func(e Entry, _ Diagnosis) string { return e.RawTime },
	"pid":      func(e Entry, _ Diagnosis) string { return strconv.Itoa(e.PID) },
	"tid":      func(e Entry, _ Diagnosis) string { return strconv.Itoa(e.TID) },
	"conn":     func(e Entry, _ Diagnosis) string { return strconv.FormatUint(e.Conn, 10) },
	"msg":      func(e Entry, _ Diagnosis) string { return e.Msg },
	"action":   func(e Entry, _ Diagnosis) string { return e.Action },
	"client":   func(e Entry, _ Diagnosis) string { return e.Client },
	"server":   func(e Entry, _ Diagnosis) string { return e.Server },
	"request":  func(e Entry, _ Diagnosis) string { return e.Request },
	"method":   func(e Entry, _ Diagnosis) string { return e.Method },
	"uri":      func(e Entry, _ Diagnosis) string { return e.URI },
	"upstream": func(e Entry, _ Diagnosis) string { return e.Upstream },
	"host":     func(e Entry, _ Diagnosis) string { return e.Host },
	"referrer": func(e Entry, _ Diagnosis) string { return e.Referrer },
	"stream":   func(e Entry, _ Diagnosis) string { return strconv.FormatBool(e.Stream) },
	"bfc":      func(e Entry, _ Diagnosis) string { return strconv.FormatInt(e.BytesFromClient, 10) },
	"btc":      func(e Entry, _ Diagnosis) string { return strconv.FormatInt(e.BytesToClient, 10) },
	"bfu":      func(e Entry, _ Diagnosis) string { return strconv.FormatInt(e.BytesFromUpstream, 10) },
	"btu":      func(e Entry, _ Diagnosis) string { return strconv.FormatInt(e.BytesToUpstream, 10) },
	"file":     func(e Entry, _ Diagnosis) string { return e.File },
	"line":     func(e Entry, _ Diagnosis) string { return strconv.Itoa(e.Line) },
	"alert":    func(_ Entry, d Diagnosis) string { return strconv.Itoa(d.Alert) },
	"reason":   func(_ Entry, d Diagnosis) string { return d.Reason },
	"code":     func(_ Entry, d Diagnosis) string { return strconv.Itoa(d.Code) },
	"text":     func(_ Entry, d Diagnosis) string { return d.Text },
	"name":     func(_ Entry, d Diagnosis) string { return d.Name },
	"port":     func(_ Entry, d Diagnosis) string { return strconv.Itoa(d.Port) },
}

func TestFixtures(t *testing.T) {
	fixtures := loadFixtures(t)
	require.NotEmpty(t, fixtures)
	for _, f := range fixtures {
		t.Run(f.name(), func(t *testing.T) {
			e, ok := Parse([]byte(f.line))
			if f.want["parse"] == "no" {
				require.False(t, ok, "line should not parse: %s", f.line)
				return
			}
			require.True(t, ok, "line should parse: %s", f.line)
			assert.Equal(t, f.line, e.Raw)

			d, matched := Diagnose(e)
			switch slug := f.want["class"]; slug {
			case "none", "unclassified":
				assert.False(t, matched, "unexpected class %s", d.Class.Slug)
			default:
				require.True(t, matched, "want class %s, got none; msg=%q", slug, e.Msg)
				assert.Equal(t, slug, d.Class.Slug)
				c, _ := Classify(e)
				assert.Equal(t, slug, c.Slug)
			}
			for _, key := range f.order {
				if key == "class" || key == "parse" {
					continue
				}
				get, ok := fieldGetters[key]
				require.True(t, ok, "unknown want key %q", key)
				assert.Equal(t, f.want[key], get(e, d), "field %s", key)
			}
		})
	}
}

// TestFixturesCoverCatalogue makes adding a class without a real line for
// it fail, since a class nobody has seen match is a guess.
func TestFixturesCoverCatalogue(t *testing.T) {
	seen := map[string]bool{}
	for _, f := range loadFixtures(t) {
		seen[f.want["class"]] = true
	}
	for _, c := range Classes() {
		assert.True(t, seen[c.Slug], "no fixture line for class %s", c.Slug)
	}
	for slug := range seen {
		if slug == "none" || slug == "unclassified" {
			continue
		}
		_, ok := Lookup(slug)
		assert.True(t, ok, "fixture names unknown class %s", slug)
	}
}

// TestScannerAgreesWithDiagnose runs the fixture lines through the
// Scanner, whose keyword prefilter must never hide a line Diagnose would
// classify, and must report exactly the "unclassified" ones.
func TestScannerAgreesWithDiagnose(t *testing.T) {
	fixtures := loadFixtures(t)
	var b strings.Builder
	for _, f := range fixtures {
		b.WriteString(f.line)
		b.WriteByte('\n')
	}
	s := NewScanner(strings.NewReader(b.String()))
	got := map[int64]Record{}
	for s.Scan() {
		r := s.Record()
		got[r.LineNo] = r
	}
	require.NoError(t, s.Err())

	var matched, unclassified int64
	for i, f := range fixtures {
		r, reported := got[int64(i+1)]
		switch slug := f.want["class"]; slug {
		case "none":
			assert.False(t, reported, "%s reported as %q: %s", f.name(), r.Diagnosis.Class.Slug, f.line)
		case "unclassified":
			unclassified++
			if assert.True(t, reported, "%s not reported: %s", f.name(), f.line) {
				assert.False(t, r.Matched, f.name())
				assert.Equal(t, f.line, r.Entry.Raw)
			}
		default:
			matched++
			if assert.True(t, reported, "%s not reported: %s", f.name(), f.line) {
				assert.True(t, r.Matched, f.name())
				assert.Equal(t, slug, r.Diagnosis.Class.Slug, f.name())
				assert.Equal(t, f.line, r.Entry.Raw)
			}
		}
	}
	st := s.Stats()
	assert.Equal(t, int64(len(fixtures)), st.Lines)
	assert.Equal(t, matched, st.Matched)
	assert.Equal(t, unclassified, st.Unclassified)
	assert.Equal(t, st.Lines-matched-unclassified, st.Noise)
}
