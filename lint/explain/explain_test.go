package explain_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ngxlint/ngxlint/internal/wantline"
	"github.com/ngxlint/ngxlint/lint"
	"github.com/ngxlint/ngxlint/lint/explain"
	"github.com/ngxlint/ngxlint/nginx/config"
	"github.com/ngxlint/ngxlint/nginx/model"
)

var fixtureDir = filepath.Join("..", "..", "fixtures", "explain")

// loadFixture lints fixtures/explain/nginx.conf and indexes the result.
func loadFixture(t testing.TB) *explain.Index {
	t.Helper()
	tree, diags := config.Load(context.Background(), filepath.Join(fixtureDir, "nginx.conf"), config.Options{})
	require.NotNil(t, tree)
	require.False(t, config.HasErrors(diags), "%v", diags)
	return explain.NewIndex(model.Build(tree))
}

// withFindings runs lint on the index's configuration with the report's
// groups as its log evidence, as the CLI does, so that each group knows
// the findings that explain it.
func withFindings(ix *explain.Index, rep *explain.Report) *explain.Report {
	if m := ix.Model(); m != nil {
		lint.Run(m.Tree, lint.Options{Model: m, Logs: rep.LogGroups()})
	}
	return rep
}

type fixture struct {
	lineNo int
	line   string
	want   map[string]string
}

func loadLines(t *testing.T) []fixture {
	t.Helper()
	fh, err := os.Open(filepath.Join(fixtureDir, "lines.txt"))
	require.NoError(t, err)
	defer fh.Close()
	var out []fixture
	sc := bufio.NewScanner(fh)
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
			}
		case strings.HasPrefix(text, "#"):
		default:
			out = append(out, fixture{lineNo: n, line: text, want: map[string]string{}})
		}
	}
	require.NoError(t, sc.Err())
	for _, f := range out {
		require.Contains(t, f.want, "class", "lines.txt:%d: every line needs class=", f.lineNo)
	}
	return out
}

// at renders a directive as FILE:LINE relative to the fixture directory.
func at(t *testing.T, d *config.Directive) string {
	if d == nil {
		return "none"
	}
	base, err := filepath.Abs(fixtureDir)
	require.NoError(t, err)
	rel, err := filepath.Rel(base, d.File.Path)
	require.NoError(t, err)
	return fmt.Sprintf("%s:%d", filepath.ToSlash(rel), d.Pos().Line)
}

func scopeAt(t *testing.T, s *model.Scope) string {
	if s == nil {
		return "none"
	}
	return at(t, s.Node)
}

// TestFixtureLines maps every line of fixtures/explain/lines.txt through
// the same path the CLI takes (Scanner → Aggregator → Report) and checks
// its class, server, location, directive, upstream and rules.
func TestFixtureLines(t *testing.T) {
	ix := loadFixture(t)
	lines := loadLines(t)
	require.GreaterOrEqual(t, len(lines), 50)
	classes := map[string]bool{}
	for _, f := range lines {
		t.Run(fmt.Sprintf("lines.txt:%d", f.lineNo), func(t *testing.T) {
			agg := explain.NewAggregator(ix, explain.Options{})
			require.NoError(t, agg.ReadLog(strings.NewReader(f.line+"\n")))
			rep := withFindings(ix, agg.Report())
			assert.EqualValues(t, 1, rep.Lines)
			if f.want["class"] == "none" {
				assert.Empty(t, rep.Groups, "noise line grouped")
				return
			}
			require.Len(t, rep.Groups, 1)
			g := rep.Groups[0]
			classes[g.Class.Slug] = true
			for k, want := range f.want {
				switch k {
				case "class":
					assert.Equal(t, want, g.Class.Slug, k)
				case "server":
					assert.Equal(t, want, scopeAt(t, g.Mapping.Server), k)
				case "location":
					assert.Equal(t, want, scopeAt(t, g.Mapping.Location), k)
				case "directive":
					assert.Equal(t, want, at(t, g.Mapping.Directive), k)
				case "upstream":
					assert.Equal(t, want, g.Upstream, k)
				case "rules":
					for _, id := range strings.Split(want, ",") {
						assert.Contains(t, g.RulesFired(), id, "rule %s fires and explains the line", id)
					}
				case "explained":
					assert.Equal(t, want == "true", g.Explained(), k)
				default:
					t.Fatalf("unknown want key %q", k)
				}
			}
			// Every group names its cause and fix, mapped or not.
			assert.NotEmpty(t, g.Class.Cause)
			assert.NotEmpty(t, g.Class.Fix)
			assert.Equal(t, f.line, g.Sample)
		})
	}
	assert.GreaterOrEqual(t, len(classes), 15, "the fixture covers most classes")
}

// TestFixtureWithoutConfig: without a config every line is still
// classified and explained, and nothing maps.
func TestFixtureWithoutConfig(t *testing.T) {
	for _, f := range loadLines(t) {
		agg := explain.NewAggregator(nil, explain.Options{})
		require.NoError(t, agg.ReadLog(strings.NewReader(f.line+"\n")))
		rep := agg.Report()
		if f.want["class"] == "none" {
			assert.Empty(t, rep.Groups)
			continue
		}
		require.Len(t, rep.Groups, 1, "lines.txt:%d", f.lineNo)
		g := rep.Groups[0]
		assert.Equal(t, f.want["class"], g.Class.Slug, "lines.txt:%d", f.lineNo)
		assert.Equal(t, explain.Mapping{}, g.Mapping)
		assert.Empty(t, g.RulesFired())
	}
}

// TestGrouping: a whole log, lines grouped by (class, server, location,
// upstream); per-request paths do not split a group; out-of-order
// timestamps give min/max.
func TestGrouping(t *testing.T) {
	ix := loadFixture(t)
	const tmpl = `%s [error] 1#1: *%d SSL_do_handshake() failed (SSL: error:0A000410:SSL routines::sslv3 alert handshake failure:SSL alert number 40) while SSL handshaking to upstream, client: 10.0.0.4, server: example.com, request: "GET %s HTTP/1.1", upstream: "https://203.0.113.10:443%s", host: "example.com"`
	var b strings.Builder
	times := []string{"2026/11/26 03:00:00", "2026/11/26 01:00:00", "2026/11/27 00:00:01", "2026/11/26 02:00:00"}
	for i, ts := range times {
		p := fmt.Sprintf("/page/%d?x=%d", i, i)
		fmt.Fprintf(&b, tmpl+"\n", ts, i, p, p)
		fmt.Fprintf(&b, "%s [error] 1#1: *%d open() \"/x\" failed (2: No such file or directory), client: 10.0.0.4, server: example.com, request: \"GET /x HTTP/1.1\", host: \"example.com\"\n", ts, i)
	}
	// Another location, and another upstream at the same location.
	fmt.Fprintf(&b, tmpl+"\n", "2026/11/26 01:30:00", 9, "/health", "/health")
	fmt.Fprintf(&b, strings.Replace(tmpl, "203.0.113.10:443", "203.0.113.11:443", 1)+"\n", "2026/11/26 01:30:00", 10, "/", "/")

	agg := explain.NewAggregator(ix, explain.Options{Hourly: true})
	require.NoError(t, agg.ReadLog(strings.NewReader(b.String())))
	rep := withFindings(ix, agg.Report())
	assert.EqualValues(t, 10, rep.Lines)
	assert.EqualValues(t, 6, rep.Matched)
	require.Len(t, rep.Groups, 3)
	g := rep.Groups[0]
	assert.EqualValues(t, 4, g.Count)
	assert.Equal(t, "2026/11/26 01:00:00", g.First)
	assert.Equal(t, "2026/11/27 00:00:01", g.Last)
	assert.Equal(t, "https://203.0.113.10:443", g.Upstream)
	assert.Equal(t, "nginx.conf:27", scopeAt(t, g.Mapping.Location))
	assert.Contains(t, g.Sample, "/page/0?x=0", "the sample is the first line read")
	assert.Equal(t, map[string]int64{"2026/11/26 01": 1, "2026/11/26 02": 1, "2026/11/26 03": 1, "2026/11/27 00": 1}, g.Hours)
	assert.Equal(t, []string{"NGX101"}, g.RulesFired())

	// --since drops earlier lines, by the log's own clock.
	agg = explain.NewAggregator(ix, explain.Options{Since: "2026/11/26 02:00:00"})
	require.NoError(t, agg.ReadLog(strings.NewReader(b.String())))
	rep = withFindings(ix, agg.Report())
	require.Len(t, rep.Groups, 1)
	assert.EqualValues(t, 3, rep.Groups[0].Count)
	assert.Equal(t, "2026/11/26 02:00:00", rep.Groups[0].First)
	assert.EqualValues(t, 3, rep.Skipped)
}

func TestUpstreamKey(t *testing.T) {
	for in, want := range map[string]string{
		"https://127.0.0.1:38443/probe?case=a": "https://127.0.0.1:38443",
		"https://backend/":                     "https://backend",
		"http://[2001:db8::9]:8080/x":          "http://[2001:db8::9]:8080",
		"127.0.0.1:38443":                      "127.0.0.1:38443",
		"grpcs://10.1.1.1:443":                 "grpcs://10.1.1.1:443",
		"http://unix:/run/app.sock:/a/b":       "http://unix:/run/app.sock",
		"HTTPS://Example.com:443?x":            "https://Example.com:443",
		"":                                     "",
	} {
		assert.Equal(t, want, explain.UpstreamKey(in), in)
	}
}

func TestServerNameVar(t *testing.T) {
	ix := loadFixture(t)
	var got []string
	for _, s := range ix.Model().Servers {
		got = append(got, s.ServerNameVariable())
	}
	assert.Equal(t, []string{"_", "example.com", "*.example.org", "shop.*", `~^(?<tenant>[a-z]+)\.tenants\.example\.net$`, "example.info", "api.example.com"}, got)
}
