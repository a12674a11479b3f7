package harness_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	verifycorpus "github.com/ngxlint/ngxlint/fixtures/verify/real"
	"github.com/ngxlint/ngxlint/harness"
	"github.com/ngxlint/ngxlint/harness/harnesstest"
	"github.com/ngxlint/ngxlint/lint"
	"github.com/ngxlint/ngxlint/nginx"
	"github.com/ngxlint/ngxlint/nginx/config"
	"github.com/ngxlint/ngxlint/rules/rule"
)

// treeOptions turns a corpus tree's invocation into harness options, the
// way the CLI does for the flags the corpus uses.
func treeOptions(t *testing.T, tr verifycorpus.Tree) harness.Options {
	t.Helper()
	o := harness.Options{Root: tr.Expect.Invoke.Root, Fix: true, FixSeverity: rule.DefaultFixSeverity, Upstreams: map[string][]string{}}
	if o.Root != "-" {
		o.Root = filepath.Join(tr.Dir, o.Root)
	} else {
		b, err := os.ReadFile(filepath.Join(tr.Dir, tr.Expect.Invoke.Stdin))
		require.NoError(t, err)
		o.Load.Stdin = strings.NewReader(string(b))
	}
	args := tr.Expect.Invoke.Args
	for i := 0; i < len(args); i++ {
		switch args[i] {
		case "--map":
			i++
			from, to, _ := strings.Cut(args[i], "=")
			if !filepath.IsAbs(to) {
				to = filepath.Join(tr.Dir, to)
			}
			mp, err := config.ParseMapping(from + "=" + to)
			require.NoError(t, err)
			o.Load.PathMap = append(o.Load.PathMap, mp)
		case "--upstream":
			i++
			host, names, _ := strings.Cut(args[i], "=")
			o.Upstreams[strings.ToLower(host)] = strings.Split(strings.ToLower(names), ",")
		case "--nginx-version":
			i++
			v, err := nginx.ParseVersion(args[i])
			require.NoError(t, err)
			o.Lint.Version = v
		default:
			t.Fatalf("corpus flag %q is not understood by this test", args[i])
		}
	}
	return o
}

// corpusTable collects the rows the test prints at the end: expected and
// got per upstream, with lint's findings beside them.
var corpusTable struct {
	sync.Mutex
	rows []string
}

// TestRealTrees runs `verify --fix` on every tree of fixtures/verify/real
// against real containers and checks, per upstream, the verdict without
// the fix and with it, and the run's exit status, against the corpus's
// expectations (judged by nginx semantics). It also checks agreement with
// lint: an upstream lint reports an error for is never ok.
func TestRealTrees(t *testing.T) {
	harnesstest.RequireDocker(t)
	trees, err := verifycorpus.Load()
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(trees), 20)
	t.Cleanup(func() {
		corpusTable.Lock()
		defer corpusTable.Unlock()
		slices.Sort(corpusTable.rows)
		t.Logf("tree | upstream | lint | verify want/got | --fix want/got\n%s", strings.Join(corpusTable.rows, "\n"))
	})
	for _, tr := range trees {
		t.Run(tr.Name, func(t *testing.T) {
			t.Parallel()
			o := treeOptions(t, tr)
			// lint's errors per upstream site (before verify reads stdin)
			lintErrs := lintErrors(t, o)
			if tr.Expect.Invoke.Root == "-" {
				o = treeOptions(t, tr)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			defer cancel()
			rep, err := harness.Verify(ctx, o)
			require.NoError(t, err)
			t.Cleanup(func() {
				if t.Failed() {
					b, _ := json.MarshalIndent(rep, "", "  ")
					t.Logf("verify report:\n%s", b)
				}
			})
			ex := tr.Expect
			assert.Equal(t, ex.NothingToVerify, rep.NothingToVerify, "nothing to verify")
			if ex.NothingToVerify {
				assert.Empty(t, rep.Upstreams)
				assert.True(t, rep.Passed())
				return
			}
			byTarget := map[string]*harness.UpstreamReport{}
			for _, u := range rep.Upstreams {
				byTarget[fmt.Sprintf("%s:%d", u.Target, u.Port)] = u
			}
			for _, want := range ex.Upstreams {
				key := fmt.Sprintf("%s:%d", want.Host, want.Port)
				got := byTarget[key]
				if !assert.NotNil(t, got, "no verdict for %s", key) {
					continue
				}
				rules := lintAt(lintErrs, got.Locations)
				corpusTable.Lock()
				corpusTable.rows = append(corpusTable.rows, fmt.Sprintf("%s | %s | %s | %s/%s | %s/%s",
					tr.Name, key, strings.Join(rules, ","), want.Verify, got.VerdictWithoutFix, want.Fix, got.Verdict))
				corpusTable.Unlock()
				assert.Equal(t, want.Verify, got.VerdictWithoutFix, "%s without --fix: %s", key, got.Reason)
				assert.Equal(t, want.Fix, got.Verdict, "%s with --fix: %s", key, got.Reason)
				if want.Reason != "" {
					assert.Contains(t, got.Reason, want.Reason, key)
				}
				if len(rules) > 0 {
					assert.NotEqual(t, harness.VerdictOK, got.VerdictWithoutFix, "%s: lint reports %v here, verify must not say ok", key, rules)
				}
				for _, v := range []string{got.Verdict, got.VerdictWithoutFix} {
					if v == harness.VerdictOK || v == harness.VerdictFixed {
						assert.True(t, reachedEdge(got, v == harness.VerdictFixed), "%s: %s without a probe that completed at the edge", key, v)
					}
				}
			}
			assert.Equal(t, ex.Exit.Fix == 0, rep.Passed(), "exit status of verify --fix")
		})
	}
}

// reachedEdge reports whether some probe's outcome (after the fix, when
// after) completed a request at the upstream's edge.
func reachedEdge(u *harness.UpstreamReport, after bool) bool {
	for _, p := range u.Probes {
		o := p.Before
		if after {
			o = p.After
		}
		if o != nil && o.EdgeOutcome == "accepted" && o.Host != "" {
			return true
		}
	}
	return false
}

// lintErrors lints the tree as verify loads it (production-only includes
// stood in for) and returns its error findings by "file:line".
func lintErrors(t *testing.T, o harness.Options) map[string][]string {
	t.Helper()
	co := o.Load
	co.Missing = func(string) ([]byte, string, bool) { return []byte{}, "", true }
	tree, diags := config.Load(context.Background(), o.Root, co)
	require.False(t, tree == nil || config.HasErrors(diags), "%v", diags)
	res := lint.Run(tree, o.Lint)
	out := map[string][]string{}
	for _, f := range res.Findings {
		if f.Suppressed || f.Severity != rule.Error || f.Node == nil {
			continue
		}
		pos := f.Node.Pos()
		k := fmt.Sprintf("%s:%d", pos.Path, pos.Line)
		out[k] = append(out[k], f.Rule.ID)
	}
	return out
}

func lintAt(errs map[string][]string, sites []harness.Site) []string {
	var out []string
	for _, s := range sites {
		for _, id := range errs[fmt.Sprintf("%s:%d", s.File, s.Line)] {
			if !slices.Contains(out, id) {
				out = append(out, id)
			}
		}
	}
	return out
}
