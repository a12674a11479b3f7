package ngxlint_test

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const module = "github.com/ngxlint/ngxlint"

// layers are ngxlint's packages from the bottom up; a package may import
// (directly or not) only packages of its own layer or the layers below.
// Test files are not counted: a test may exercise its package with parts
// from above (explain's tests run lint with the checks registered).
var layers = []struct {
	name string
	pkgs []string // path prefixes under the module
}{
	{"nginx knowledge", []string{"nginx"}},
	{"rule framework", []string{"rules/rule"}},
	{"checks", []string{"rules"}},
	{"driver", []string{"lint"}},
	{"harness", []string{"harness"}},
	{"cli", []string{"cmd"}},
}

func layerOf(pkg string) int {
	rel := strings.TrimPrefix(strings.TrimPrefix(pkg, module), "/")
	best, bestLen := -1, -1
	for i, l := range layers {
		for _, p := range l.pkgs {
			if (rel == p || strings.HasPrefix(rel, p+"/")) && len(p) > bestLen {
				best, bestLen = i, len(p)
			}
		}
	}
	return best
}

type goPkg struct {
	ImportPath string
	Deps       []string
	Imports    []string
}

func listPkgs(t *testing.T) []goPkg {
	t.Helper()
	out, err := exec.Command("go", "list", "-json", "./...").Output()
	require.NoError(t, err)
	dec := json.NewDecoder(strings.NewReader(string(out)))
	var pkgs []goPkg
	for dec.More() {
		var p goPkg
		require.NoError(t, dec.Decode(&p))
		pkgs = append(pkgs, p)
	}
	return pkgs
}

// TestLayers: imports only point down. `go list -deps` of every package
// holds no package of a higher layer.
func TestLayers(t *testing.T) {
	for _, p := range listPkgs(t) {
		from := layerOf(p.ImportPath)
		if from < 0 {
			continue // the module root and internal test helpers
		}
		for _, d := range p.Deps {
			if !strings.HasPrefix(d, module+"/") {
				continue
			}
			to := layerOf(d)
			assert.LessOrEqual(t, to, from, "%s (%s) depends on %s (%s)", p.ImportPath, layers[from].name, d, layers[max(to, 0)].name)
		}
	}
}

// TestDriverOnlyNeedsFramework: report, fix and explain, and the driver
// itself, see the rules through the framework only; the checks are linked
// in by the command (or the harness) that runs them.
func TestDriverOnlyNeedsFramework(t *testing.T) {
	checks := module + "/rules"
	for _, p := range listPkgs(t) {
		rel := strings.TrimPrefix(p.ImportPath, module+"/")
		if rel != "lint" && !strings.HasPrefix(rel, "lint/") {
			continue
		}
		assert.NotContains(t, p.Deps, checks, "%s depends on the checks", p.ImportPath)
	}
	for _, p := range listPkgs(t) {
		if layerOf(p.ImportPath) == 2 { // checks
			for _, d := range p.Deps {
				for _, above := range []string{"/lint", "/harness", "/cmd"} {
					assert.False(t, strings.HasPrefix(d, module+above), "check package %s depends on %s", p.ImportPath, d)
				}
			}
		}
	}
}

// TestStaticAnalysis runs staticcheck over the module and errcheck over
// the packages whose writes and closes can lose data (fix's atomic writes,
// report files), as scripts/setup.sh installs them. Without the tools it
// skips loudly, or fails when CI=true.
func TestStaticAnalysis(t *testing.T) {
	if testing.Short() {
		t.Skip("static analysis is not short")
	}
	gopath, err := exec.Command("go", "env", "GOPATH").Output()
	require.NoError(t, err)
	bin := strings.TrimSpace(string(gopath)) + "/bin/"
	for _, tc := range []struct {
		tool string
		args []string
	}{
		{"staticcheck", []string{"./..."}},
		{"errcheck", []string{"-ignoretests", "-exclude", ".ci/errcheck.exclude", "./lint/...", "./cmd/...", "./rules/...", "./nginx/..."}},
	} {
		t.Run(tc.tool, func(t *testing.T) {
			path := bin + tc.tool
			if _, err := exec.LookPath(path); err != nil {
				msg := fmt.Sprintf("SKIPPED: %s is not installed (run scripts/setup.sh): %v", tc.tool, err)
				if os.Getenv("CI") == "true" {
					t.Fatal(msg)
				}
				fmt.Fprintln(os.Stderr, "!!!!!!!! "+msg)
				t.Skip(msg)
			}
			out, err := exec.Command(path, tc.args...).CombinedOutput()
			assert.NoError(t, err, "%s reports:\n%s", tc.tool, out)
		})
	}
}

// TestLintLinksNoHarness: the ngxlint binary, run thousands of times a day
// by pre-commit hooks and editors, links neither the harness nor what it
// pulls in (testcontainers' bootstrap enumerates the host's processes at
// init, the Docker client, otel, distribution/reference's regexps):
// `verify` is the ngxlint-verify program.
func TestLintLinksNoHarness(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "./cmd/ngxlint").Output()
	require.NoError(t, err)
	deps := strings.Fields(string(out))
	require.Contains(t, deps, module+"/lint", "go list -deps lists the binary's packages")
	for _, d := range deps {
		for _, banned := range []string{"github.com/testcontainers/", "github.com/moby/", "github.com/docker/", "go.opentelemetry.io/", "github.com/distribution/", "github.com/shirou/gopsutil", module + "/harness"} {
			assert.False(t, strings.HasPrefix(d, banned), "cmd/ngxlint links %s (%s…)", d, banned)
		}
	}
	out, err = exec.Command("go", "list", "-deps", "./cmd/ngxlint-verify").Output()
	require.NoError(t, err)
	assert.Contains(t, strings.Fields(string(out)), module+"/harness", "ngxlint-verify links the harness")
}
