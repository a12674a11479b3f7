// Package actiontest runs the GitHub Action (action.yml at the repository
// root) on this machine the way a runner does: it reads action.yml, skips
// the actions/setup-go step (Go is already here), evaluates the
// `${{ … }}` expressions of the other steps' env, runs each `run:` with
// `bash --noprofile --norc -eo pipefail` and the variables GitHub sets
// (GITHUB_WORKSPACE, GITHUB_ACTION_PATH, GITHUB_OUTPUT, GITHUB_PATH,
// GITHUB_STEP_SUMMARY, RUNNER_TEMP), carries GITHUB_PATH into the next
// step's PATH and step outputs into the action's outputs.
package actiontest

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type actionFile struct {
	Inputs map[string]struct {
		Default string `yaml:"default"`
	} `yaml:"inputs"`
	Outputs map[string]struct {
		Value string `yaml:"value"`
	} `yaml:"outputs"`
	Runs struct {
		Using string `yaml:"using"`
		Steps []struct {
			Name  string            `yaml:"name"`
			ID    string            `yaml:"id"`
			If    string            `yaml:"if"`
			Uses  string            `yaml:"uses"`
			Shell string            `yaml:"shell"`
			Run   string            `yaml:"run"`
			Env   map[string]string `yaml:"env"`
		} `yaml:"steps"`
	} `yaml:"runs"`
}

// result is one run of the action.
type result struct {
	failed     bool   // a step exited non-zero
	failedStep string // its name
	stdout     string // every step's output, as the job log shows it
	outputs    map[string]string
	summary    string
}

// runner is a job's state that outlives one use of the action: the temp
// directory (so ngxlint is built once) and PATH additions.
type runner struct {
	repo      string
	temp      string
	action    actionFile
	actionRef string
}

func repoRoot(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	require.NoError(t, err)
	return filepath.Clean(filepath.Join(wd, "..", ".."))
}

func newRunner(t *testing.T) *runner {
	t.Helper()
	repo := repoRoot(t)
	data, err := os.ReadFile(filepath.Join(repo, "action.yml"))
	require.NoError(t, err)
	var a actionFile
	require.NoError(t, yaml.Unmarshal(data, &a))
	require.Equal(t, "composite", a.Runs.Using)
	return &runner{repo: repo, temp: t.TempDir(), action: a, actionRef: "v0.9.9-test"}
}

var exprRE = regexp.MustCompile(`\$\{\{\s*(.*?)\s*\}\}`)

// eval replaces the expressions GitHub would; an expression this runner
// does not know fails the test rather than passing silently.
func eval(t *testing.T, s string, ctx map[string]string) string {
	t.Helper()
	return exprRE.ReplaceAllStringFunc(s, func(m string) string {
		key := exprRE.FindStringSubmatch(m)[1]
		v, ok := ctx[key]
		if !ok && strings.HasPrefix(key, "steps.") {
			return "" // an output the step did not set is empty
		}
		require.True(t, ok, "action.yml uses %s, which this test runner does not provide", m)
		return v
	})
}

// cleanEnv is the process environment without anything a real runner (or
// an outer GitHub job) would set for a step.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "GITHUB_") || strings.HasPrefix(k, "INPUT_") || strings.HasPrefix(k, "RUNNER_") || k == "PATH" {
			continue
		}
		env = append(env, kv)
	}
	return env
}

func readOutputs(t *testing.T, path string) map[string]string {
	t.Helper()
	out := map[string]string{}
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), "=")
		require.True(t, ok, "GITHUB_OUTPUT line %q: want name=value", sc.Text())
		out[k] = v
	}
	require.NoError(t, sc.Err())
	return out
}

// use runs the action once in workspace with the given inputs.
func (r *runner) use(t *testing.T, workspace string, inputs map[string]string) result {
	t.Helper()
	ctx := map[string]string{
		"github.action_path": r.repo,
		"github.action_ref":  r.actionRef,
	}
	for name, in := range r.action.Inputs {
		ctx["inputs."+name] = in.Default
	}
	for name, v := range inputs {
		_, ok := r.action.Inputs[name]
		require.True(t, ok, "action.yml has no input %q", name)
		ctx["inputs."+name] = v
	}
	path := os.Getenv("PATH")
	var res result
	var log strings.Builder
	for i, st := range r.action.Runs.Steps {
		if st.Uses != "" {
			// Go is on this machine already: the step a real runner would
			// run when the input setup-go is true.
			require.True(t, strings.HasPrefix(st.Uses, "actions/setup-go@"), "step %q uses %s", st.Name, st.Uses)
			require.Equal(t, "inputs.setup-go == 'true'", st.If)
			continue
		}
		require.Empty(t, st.If, "step %q: conditions are not simulated", st.Name)
		require.Equal(t, "bash", st.Shell)
		dir := filepath.Join(t.TempDir(), fmt.Sprint("step", i))
		require.NoError(t, os.MkdirAll(dir, 0o755))
		files := map[string]string{}
		for _, k := range []string{"GITHUB_OUTPUT", "GITHUB_PATH", "GITHUB_STEP_SUMMARY", "GITHUB_ENV"} {
			files[k] = filepath.Join(dir, strings.ToLower(k))
			require.NoError(t, os.WriteFile(files[k], nil, 0o644))
		}
		script := filepath.Join(dir, "step.sh")
		require.NoError(t, os.WriteFile(script, []byte(eval(t, st.Run, ctx)), 0o644))
		cmd := exec.Command("bash", "--noprofile", "--norc", "-eo", "pipefail", script)
		cmd.Dir = workspace
		cmd.Env = append(cleanEnv(),
			"PATH="+path,
			"CI=true",
			"GITHUB_ACTIONS=true",
			"GITHUB_WORKSPACE="+workspace,
			"GITHUB_ACTION_PATH="+r.repo,
			"GITHUB_ACTION_REF="+r.actionRef,
			"RUNNER_TEMP="+r.temp,
		)
		for k, f := range files {
			cmd.Env = append(cmd.Env, k+"="+f)
		}
		for k, v := range st.Env {
			cmd.Env = append(cmd.Env, k+"="+eval(t, v, ctx))
		}
		out, err := cmd.CombinedOutput()
		log.Write(out)
		if st.ID != "" {
			for k, v := range readOutputs(t, files["GITHUB_OUTPUT"]) {
				ctx["steps."+st.ID+".outputs."+k] = v
			}
		}
		summary, rerr := os.ReadFile(files["GITHUB_STEP_SUMMARY"])
		require.NoError(t, rerr)
		res.summary += string(summary)
		added, rerr := os.ReadFile(files["GITHUB_PATH"])
		require.NoError(t, rerr)
		for _, p := range strings.Split(strings.TrimSpace(string(added)), "\n") {
			if p != "" {
				path = p + string(os.PathListSeparator) + path
			}
		}
		if err != nil {
			var ee *exec.ExitError
			require.ErrorAs(t, err, &ee, "step %q", st.Name)
			res.failed, res.failedStep = true, st.Name
			break
		}
	}
	res.stdout = log.String()
	res.outputs = map[string]string{}
	for name, o := range r.action.Outputs {
		res.outputs[name] = eval(t, o.Value, ctx)
	}
	return res
}

// counts runs ngxlint itself (the binary the action installed) with
// --format json: the oracle for the action's counts.
func (r *runner) counts(t *testing.T, workspace string, args ...string) (errors, warnings, notices int) {
	t.Helper()
	cmd := exec.Command(filepath.Join(r.temp, "ngxlint-bin", "ngxlint"), append([]string{"lint", "--format", "json"}, args...)...)
	cmd.Dir = workspace
	out, _ := cmd.Output()
	var rep struct {
		Findings []struct {
			Severity   string `json:"severity"`
			Suppressed bool   `json:"suppressed"`
		} `json:"findings"`
		Errors []json.RawMessage `json:"errors"`
	}
	require.NoError(t, json.Unmarshal(out, &rep), string(out))
	errors = len(rep.Errors)
	for _, f := range rep.Findings {
		if f.Suppressed {
			continue
		}
		switch f.Severity {
		case "error":
			errors++
		case "warning":
			warnings++
		case "info":
			notices++
		default:
			t.Fatalf("unknown severity %q", f.Severity)
		}
	}
	return errors, warnings, notices
}

func workspace(t *testing.T, repo string, files map[string]string) string {
	t.Helper()
	ws := t.TempDir()
	for _, name := range []string{"broken.conf", "fixed.conf"} {
		data, err := os.ReadFile(filepath.Join(repo, "fixtures", "blog", name))
		require.NoError(t, err)
		require.NoError(t, os.MkdirAll(filepath.Join(ws, "blog"), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(ws, "blog", name), data, 0o644))
	}
	for name, data := range files {
		p := filepath.Join(ws, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		if strings.HasPrefix(data, "@") { // a copy of a fixture
			b, err := os.ReadFile(filepath.Join(repo, data[1:]))
			require.NoError(t, err)
			data = string(b)
		}
		require.NoError(t, os.WriteFile(p, []byte(data), 0o644))
	}
	return ws
}

// sarifResult is one result of the SARIF file: rule, level, uri, line.
type sarifResult struct {
	rule, level, uri string
	line             int
}

func readSARIF(t *testing.T, path string) []sarifResult {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	rep, err := sarif.FromBytes(data)
	require.NoError(t, err)
	require.NoError(t, rep.Validate(), "SARIF 2.1.0 schema")
	require.Len(t, rep.Runs, 1)
	var out []sarifResult
	for _, r := range rep.Runs[0].Results {
		s := sarifResult{level: r.Level}
		if r.RuleID != nil {
			s.rule = *r.RuleID
		}
		if len(r.Locations) > 0 && r.Locations[0].PhysicalLocation != nil {
			pl := r.Locations[0].PhysicalLocation
			if pl.ArtifactLocation != nil && pl.ArtifactLocation.URI != nil {
				s.uri = *pl.ArtifactLocation.URI
			}
			if pl.Region != nil && pl.Region.StartLine != nil {
				s.line = *pl.Region.StartLine
			}
		}
		out = append(out, s)
	}
	return out
}

func TestAction(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the action runs on Linux and macOS runners")
	}
	_, err := exec.LookPath("bash")
	require.NoError(t, err, "the action's steps are bash")
	r := newRunner(t)

	const ngx101 = "::error file=blog/broken.conf,line=11,col=13,endLine=11,endColumn=59,title=NGX101 ssl-server-name-off::proxy_pass https://d1234567890.cloudfront.net: nginx sends no SNI"
	for _, tc := range []struct {
		name   string
		files  map[string]string
		inputs map[string]string
		// countArgs: the `ngxlint lint` arguments whose JSON counts the
		// outputs must equal (run in the workspace).
		countArgs []string
		exit      int
		annots    []string // substrings of the log
		sarif     string   // where the SARIF must be ("" none)
		sarifHas  *sarifResult
		summary   []string
	}{
		{
			name:      "broken config fails with NGX101",
			inputs:    map[string]string{"paths": "blog/broken.conf"},
			countArgs: []string{"blog/broken.conf"},
			exit:      1,
			annots:    []string{ngx101},
			sarif:     "ngxlint.sarif",
			sarifHas:  &sarifResult{"NGX101", "error", "blog/broken.conf", 11},
			summary:   []string{"### ngxlint failed: findings at or above the configured severity", "| error | blog/broken.conf:11 | NGX101 ssl-server-name-off | proxy_pass https://d1234567890.cloudfront.net: nginx sends no SNI"},
		},
		{
			name:      "fixed config passes",
			inputs:    map[string]string{"paths": "blog/fixed.conf"},
			countArgs: []string{"blog/fixed.conf"},
			exit:      0,
			annots:    []string{"::notice file=blog/fixed.conf,"},
			sarif:     "ngxlint.sarif",
			summary:   []string{"### ngxlint passed"},
		},
		{
			name:      "fail-on info fails on the fixed config's notices",
			inputs:    map[string]string{"paths": "blog/fixed.conf", "fail-on": "info"},
			countArgs: []string{"blog/fixed.conf"},
			exit:      1,
			annots:    []string{"::notice file=blog/fixed.conf,"},
			sarif:     "ngxlint.sarif",
			summary:   []string{"### ngxlint failed: findings at or above info"},
		},
		{
			name:      "several paths, separated by a new line",
			inputs:    map[string]string{"paths": "blog/fixed.conf\nblog/broken.conf\n"},
			countArgs: []string{"blog/fixed.conf", "blog/broken.conf"},
			exit:      1,
			annots:    []string{ngx101, "::notice file=blog/fixed.conf,"},
			sarif:     "ngxlint.sarif",
			sarifHas:  &sarifResult{"NGX101", "error", "blog/broken.conf", 11},
		},
		{
			name:      "no paths: the roots of .ngxlint.yaml",
			files:     map[string]string{".ngxlint.yaml": "roots: [nginx/nginx.conf]\n", "nginx/nginx.conf": "@fixtures/blog/broken.conf"},
			countArgs: nil,
			exit:      1,
			annots:    []string{"::error file=nginx/nginx.conf,line=11,col=13,", "title=NGX101 ssl-server-name-off::"},
			sarif:     "ngxlint.sarif",
			sarifHas:  &sarifResult{"NGX101", "error", "nginx/nginx.conf", 11},
		},
		{
			name:      "config input: roots relative to that file, paths relative to the workspace",
			files:     map[string]string{"ci/lint.yaml": "roots: [../blog/fixed.conf]\nfail-on: info\n"},
			inputs:    map[string]string{"config": "ci/lint.yaml"},
			countArgs: []string{"--config", "ci/lint.yaml"},
			exit:      1,
			annots:    []string{"::notice file=blog/fixed.conf,"},
			sarif:     "ngxlint.sarif",
			summary:   []string{"### ngxlint failed"},
		},
		{
			name:      "sarif-file in a new directory",
			inputs:    map[string]string{"paths": "blog/broken.conf", "sarif-file": "reports/nginx/ngxlint.sarif"},
			countArgs: []string{"blog/broken.conf"},
			exit:      1,
			annots:    []string{ngx101},
			sarif:     "reports/nginx/ngxlint.sarif",
			sarifHas:  &sarifResult{"NGX101", "error", "blog/broken.conf", 11},
		},
		{
			name:      "no SARIF",
			inputs:    map[string]string{"paths": "blog/broken.conf", "sarif-file": ""},
			countArgs: []string{"blog/broken.conf"},
			exit:      1,
			annots:    []string{ngx101},
		},
		{
			name:      "nginx-version input reaches the rules",
			files:     map[string]string{"old.conf": "events {}\nhttp { server { location / { proxy_pass https://a.example.net; proxy_ssl_server_name on; } } }\n"},
			inputs:    map[string]string{"paths": "old.conf", "nginx-version": "1.22.1", "fail-on": "info"},
			countArgs: []string{"--nginx-version", "1.22.1", "old.conf"},
			exit:      1,
			annots:    []string{"title=NGX108 ssl-protocols-weak::", "nginx 1.22.1's default proxy_ssl_protocols"},
			sarif:     "ngxlint.sarif",
		},
		{
			name:      "a config that does not load: exit 3 with its error annotated",
			files:     map[string]string{"bad.conf": "events {}\nhttp {\n  server {\n    location / { return 200 }\n  }\n}\n"},
			inputs:    map[string]string{"paths": "bad.conf"},
			countArgs: []string{"bad.conf"},
			exit:      3,
			annots:    []string{"::error file=bad.conf,line=", "title=nginx config error::"},
			sarif:     "ngxlint.sarif",
			summary:   []string{"### ngxlint failed: the nginx configuration could not be loaded"},
		},
		{
			name:   "bad fail-on: exit 2, no report",
			inputs: map[string]string{"paths": "blog/broken.conf", "fail-on": "critical"},
			exit:   2,
			annots: []string{"--fail-on"},
		},
		{
			name:   "nothing to lint: exit 2",
			inputs: map[string]string{"paths": ""},
			exit:   2,
			annots: []string{"no configuration given"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ws := workspace(t, r.repo, tc.files)
			res := r.use(t, ws, tc.inputs)
			t.Log(res.stdout)

			require.Contains(t, res.stdout, "ngxlint "+r.actionRef+"\n", "the install step prints the version it built, the action's ref")
			assert.Equal(t, tc.exit != 0, res.failed, "the job fails")
			if tc.exit != 0 {
				assert.Equal(t, "ngxlint lint", res.failedStep)
			}
			assert.Equal(t, fmt.Sprint(tc.exit), res.outputs["exit-code"])
			for _, a := range tc.annots {
				assert.Contains(t, res.stdout, a)
			}
			counted := tc.countArgs != nil || tc.files[".ngxlint.yaml"] != ""
			var e, w, n int
			if counted {
				e, w, n = r.counts(t, ws, tc.countArgs...)
				assert.Equal(t, fmt.Sprint(e), res.outputs["errors"], "errors")
				assert.Equal(t, fmt.Sprint(w), res.outputs["warnings"], "warnings")
				assert.Equal(t, fmt.Sprint(n), res.outputs["notices"], "notices")
				assert.Equal(t, e+w+n, strings.Count(res.stdout, "\n::error ")+strings.Count(res.stdout, "\n::warning ")+strings.Count(res.stdout, "\n::notice "), "one annotation per finding")
			}

			assert.Equal(t, tc.sarif, res.outputs["sarif-file"])
			if tc.sarif != "" {
				results := readSARIF(t, filepath.Join(ws, tc.sarif))
				require.True(t, counted, "a case with SARIF names its countArgs")
				assert.Len(t, results, e+w+n-strings.Count(res.stdout, "title=nginx config error::"), "one SARIF result per finding")
				if tc.sarifHas != nil {
					assert.Contains(t, results, *tc.sarifHas)
				}
				for _, s := range results {
					assert.False(t, filepath.IsAbs(s.uri), "SARIF URIs are relative to the repository root: %s", s.uri)
				}
			} else {
				_, err := os.Stat(filepath.Join(ws, "ngxlint.sarif"))
				assert.True(t, os.IsNotExist(err), "no SARIF file")
			}
			for _, s := range tc.summary {
				assert.Contains(t, res.summary, s)
			}
		})
	}
}
