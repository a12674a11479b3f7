package lint_test

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ngxlint/ngxlint/lint"
	"github.com/ngxlint/ngxlint/lint/explain"
	"github.com/ngxlint/ngxlint/lint/fix"
	"github.com/ngxlint/ngxlint/lint/report"
	"github.com/ngxlint/ngxlint/nginx"
	"github.com/ngxlint/ngxlint/nginx/config"
	"github.com/ngxlint/ngxlint/nginx/model"
	_ "github.com/ngxlint/ngxlint/rules"
	"github.com/ngxlint/ngxlint/rules/rule"
)

// maxGrowth is the most the work of a rule, or of a stage of the run, may
// grow when the tree doubles. Linear work doubles; n log n work on these
// sizes grows by ~2.2; a scan of the model per finding or per scope
// grows by ~4.
const maxGrowth = 2.3

// scaleServers is the smaller tree's size: every variant of
// GenerateLintTree, the ignore comments and the cases nginx refuses
// appear at least twice.
const scaleServers = 200

// work is what a measured step cost: heap allocations (count and bytes)
// and model visits (model.CountVisits).
type work struct {
	allocs, bytes, visits int64
}

// floor: below these a step does next to nothing, and a ratio of tiny
// numbers says nothing.
var floor = work{allocs: 50, bytes: 16 << 10, visits: 100}

func measure(f func()) work {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	v := model.CountVisits(f)
	runtime.ReadMemStats(&after)
	return work{allocs: int64(after.Mallocs - before.Mallocs), bytes: int64(after.TotalAlloc - before.TotalAlloc), visits: v}
}

// scaleTree is one generated tree with what the steps need.
type scaleTree struct {
	servers int
	root    string
	log     string // an error.log whose lines map to the tree
}

func newScaleTree(t *testing.T, servers int) *scaleTree {
	dir := t.TempDir()
	root, _, err := config.GenerateLintTree(filepath.Join(dir, "tree"), config.LintGenOptions{Servers: servers, NginxRejects: true})
	require.NoError(t, err)
	// per server: a handshake failure on the CDN location (explained by
	// NGX101 on a tenth of them) and a time-out no rule explains (NGX900)
	var b strings.Builder
	for s := 0; s < servers; s++ {
		host := fmt.Sprintf("s%05d.example.com", s)
		fmt.Fprintf(&b, `2026/11/26 01:06:59 [error] 1#1: *%d SSL_do_handshake() failed (SSL: error:0A000410:SSL routines::sslv3 alert handshake failure:SSL alert number 40) while SSL handshaking to upstream, client: 127.0.0.1, server: %s, request: "GET /cdn/x HTTP/1.1", upstream: "https://10.9.9.9:443/cdn/x", host: "%s"`+"\n", s, host, host)
		fmt.Fprintf(&b, `2026/11/26 01:07:00 [error] 1#1: *%d upstream timed out (110: Connection timed out) while reading response header from upstream, client: 127.0.0.1, server: %s, request: "GET /api/v1 HTTP/1.1", upstream: "http://10.1.1.1:8080/api/v1", host: "%s"`+"\n", s, host, host)
	}
	return &scaleTree{servers: servers, root: root, log: b.String()}
}

func (st *scaleTree) load(t *testing.T) *config.Tree {
	tree, diags := config.Load(context.Background(), st.root, config.Options{})
	require.False(t, config.HasErrors(diags), "%v", diags)
	return tree
}

// logs maps the tree's error.log to a model, as lint --error-log does.
func (st *scaleTree) logs(t *testing.T, m *model.Model) []*rule.LogGroup {
	agg := explain.NewAggregator(explain.NewIndex(m), explain.Options{})
	require.NoError(t, agg.ReadLog(strings.NewReader(st.log)))
	return agg.Report().LogGroups()
}

// TestWorkScales guards against work that grows faster than the tree: it
// runs each rule (fix planning included), each stage of a lint run and
// the json and sarif writers on a generated tree of 200 servers and on one
// of 400, and fails when allocations, allocated bytes or model visits
// grow by more than maxGrowth. It counts work rather than time, so it is
// deterministic on a busy machine. It cannot see a loop that neither
// allocates nor asks the model (a plain scan of a slice per finding); the
// benchmarks (scripts/bench-lint.sh) time that.
func TestWorkScales(t *testing.T) {
	if testing.Short() {
		t.Skip("generates two trees")
	}
	small, large := newScaleTree(t, scaleServers), newScaleTree(t, 2*scaleServers)
	trees := []*scaleTree{small, large}
	// one-time costs (regex caches, lazily built tables) out of the way
	for _, st := range trees {
		m := model.Build(st.load(t))
		lint.Run(m.Tree, lint.Options{Model: m, Logs: st.logs(t, m)})
	}

	type step struct {
		name string
		// prepare builds what the step needs (not measured); run is
		// measured
		prepare func(t *testing.T, st *scaleTree) (run func())
	}
	var steps []step
	for _, r := range rule.All() {
		if r.Run == nil {
			continue // the driver's meta rules: counted in lint.Run
		}
		steps = append(steps, step{r.ID, func(t *testing.T, st *scaleTree) func() {
			m := model.Build(st.load(t))
			var logs []*rule.LogGroup
			if r.LogDriven {
				// as the driver runs them: after the ordinary rules,
				// with each group knowing the findings that explain it
				logs = st.logs(t, m)
				lint.Run(m.Tree, lint.Options{Model: m, Logs: logs})
			}
			return func() { rule.Run(m, []*rule.Rule{r}, nginx.Latest, rule.Settings{}, logs) }
		}})
	}
	var findings = map[*scaleTree][]rule.Finding{}
	steps = append(steps,
		step{"config.Load", func(t *testing.T, st *scaleTree) func() {
			return func() { st.load(t) }
		}},
		step{"model.Build", func(t *testing.T, st *scaleTree) func() {
			tree := st.load(t)
			return func() { model.Build(tree) }
		}},
		step{"explain (--error-log mapping)", func(t *testing.T, st *scaleTree) func() {
			m := model.Build(st.load(t))
			return func() { st.logs(t, m) }
		}},
		step{"lint.Run (every rule, suppressions, evidence, sort)", func(t *testing.T, st *scaleTree) func() {
			m := model.Build(st.load(t))
			logs := st.logs(t, m)
			return func() { findings[st] = lint.Run(m.Tree, lint.Options{Model: m, Logs: logs}).Findings }
		}},
	)
	for _, format := range []string{"json", "sarif"} {
		steps = append(steps, step{"report " + format, func(t *testing.T, st *scaleTree) func() {
			fs := findings[st]
			require.NotEmpty(t, fs)
			return func() { require.NoError(t, report.Write(io.Discard, format, report.Input{Findings: fs})) }
		}})
	}
	steps = append(steps, step{"fix.Converge (every round)", func(t *testing.T, st *scaleTree) func() {
		return func() {
			_, err := fix.Tree(context.Background(), st.root, config.Options{}, lint.Options{}, rule.Info)
			require.NoError(t, err)
		}
	}})

	var table []string
	for _, s := range steps {
		var w [2]work
		for i, st := range trees {
			w[i] = measure(s.prepare(t, st))
		}
		line, bad := growth(s.name, w[0], w[1])
		table = append(table, line)
		if bad != "" {
			t.Errorf("%s: %s grow%s more than %.1fx from %d to %d servers: work that scans the model (or allocates) per finding or per scope; build an index once per run (model.Cached) and look things up in it\n%s",
				s.name, bad, map[bool]string{true: "s", false: ""}[!strings.Contains(bad, " and ")], maxGrowth, small.servers, large.servers, line)
		}
	}
	sort.Strings(table)
	t.Logf("growth from %d to %d servers (allocations, bytes, model visits; - below the floor):\n%s", small.servers, large.servers, strings.Join(table, "\n"))
}

// growth formats a step's ratios and names the measures over maxGrowth.
func growth(name string, a, b work) (line, bad string) {
	var parts, over []string
	for _, m := range []struct {
		what      string
		a, b, min int64
	}{
		{"allocations", a.allocs, b.allocs, floor.allocs},
		{"bytes", a.bytes, b.bytes, floor.bytes},
		{"model visits", a.visits, b.visits, floor.visits},
	} {
		if m.a < m.min && m.b < 2*m.min {
			parts = append(parts, fmt.Sprintf("%12s %8s", m.what, "-"))
			continue
		}
		r := float64(m.b) / float64(max(m.a, 1))
		parts = append(parts, fmt.Sprintf("%12s %6.2fx", m.what, r))
		if r > maxGrowth {
			over = append(over, fmt.Sprintf("%s (%d → %d, %.2fx)", m.what, m.a, m.b, r))
		}
	}
	return fmt.Sprintf("%-52s %s", name, strings.Join(parts, "  ")), strings.Join(over, " and ")
}
