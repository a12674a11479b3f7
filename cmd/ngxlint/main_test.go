package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// cli runs the command in-process and returns stdout, stderr and the exit
// status, exactly as main would.
func cli(t *testing.T, stdin string, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, strings.NewReader(stdin), &out, &errb)
	return out.String(), errb.String(), code
}

func repoRoot(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	require.NoError(t, err)
	return filepath.Join(wd, "..", "..")
}

func chdir(t *testing.T, dir string) {
	t.Helper()
	old, err := os.Getwd()
	require.NoError(t, err)
	require.NoError(t, os.Chdir(dir))
	t.Cleanup(func() { _ = os.Chdir(old) })
}

func TestLintExitCodes(t *testing.T) {
	root := repoRoot(t)
	chdir(t, root)
	tmp := t.TempDir()
	bad := filepath.Join(tmp, "bad.conf")
	require.NoError(t, os.WriteFile(bad, []byte("events {}\nhttp {\n  server {\n    location / { return 200 }\n  }\n}\n"), 0o644))
	missing := filepath.Join(tmp, "missing.conf")
	require.NoError(t, os.WriteFile(missing, []byte("events {}\nhttp { include nope.conf; }\n"), 0o644))
	badYAML := filepath.Join(tmp, "bad.yaml")
	require.NoError(t, os.WriteFile(badYAML, []byte("fail-on: warning\nunknown-key: 1\n"), 0o644))

	for _, tc := range []struct {
		name string
		args []string
		code int
		out  string
	}{
		{"broken blog fails", []string{"lint", "fixtures/blog/broken.conf"}, 1, "NGX101 ssl-server-name-off"},
		{"fixed blog passes", []string{"lint", "fixtures/blog/fixed.conf"}, 0, ""},
		{"fail-on error still fails on NGX101", []string{"lint", "--fail-on", "error", "fixtures/blog/broken.conf"}, 1, "NGX101"},
		{"disabled rule passes", []string{"lint", "--disable", "ssl-server-name-off", "fixtures/blog/broken.conf"}, 0, ""},
		{"syntax error is exit 3", []string{"lint", bad}, 3, `unexpected "}"`},
		{"missing include is exit 3", []string{"lint", missing}, 3, "No such file or directory"},
		{"unknown format is usage", []string{"lint", "--format", "xml", "fixtures/blog/broken.conf"}, 2, ""},
		{"unknown flag is usage", []string{"lint", "--nope"}, 2, ""},
		{"unknown rule is usage", []string{"lint", "--disable", "NGX999", "fixtures/blog/broken.conf"}, 2, ""},
		{"bad version is usage", []string{"lint", "--nginx-version", "one", "fixtures/blog/broken.conf"}, 2, ""},
		{"bad config file is usage", []string{"lint", "--config", badYAML, "fixtures/blog/broken.conf"}, 2, ""},
		{"bad context is usage", []string{"lint", "--context", "nope", "fixtures/blog/broken.conf"}, 2, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, code := cli(t, "", tc.args...)
			assert.Equal(t, tc.code, code, "stdout:\n%s\nstderr:\n%s", out, errOut)
			if tc.out != "" {
				assert.Contains(t, out, tc.out)
			}
		})
	}
}

func TestLintStdinAndDump(t *testing.T) {
	chdir(t, repoRoot(t))
	src, err := os.ReadFile("fixtures/blog/broken.conf")
	require.NoError(t, err)
	out, _, code := cli(t, string(src), "lint", "--format", "json", "-")
	assert.Equal(t, 1, code)
	assert.Contains(t, out, `"rule": "NGX101"`)

	// nginx -T output: the finding lands in the file the dump names.
	dump := "nginx: the configuration file /etc/nginx/nginx.conf syntax is ok\n" +
		"# configuration file /etc/nginx/nginx.conf:\nevents {}\nhttp { include /etc/nginx/conf.d/*.conf; }\n\n" +
		"# configuration file /etc/nginx/conf.d/site.conf:\nserver {\n    server_name example.com;\n    location / {\n        proxy_pass https://d1234567890.cloudfront.net;\n    }\n}\n\n"
	out, _, code = cli(t, dump, "lint", "--format", "json", "-")
	assert.Equal(t, 1, code, out)
	var res struct {
		Findings []struct {
			Rule, File   string
			Line         int
			IncludedFrom []struct {
				File string
				Line int
			} `json:"included_from"`
		}
	}
	require.NoError(t, json.Unmarshal([]byte(out), &res))
	// the SNI error, plus the info-level NGX105 and NGX201 on the same line
	require.NotEmpty(t, res.Findings)
	assert.Equal(t, "NGX101", res.Findings[0].Rule)
	assert.Equal(t, "/etc/nginx/conf.d/site.conf", res.Findings[0].File)
	assert.Equal(t, 4, res.Findings[0].Line)
	require.Len(t, res.Findings[0].IncludedFrom, 1)
	assert.Equal(t, "/etc/nginx/nginx.conf", res.Findings[0].IncludedFrom[0].File)
}

// TestJSONContract pins the public JSON shape.
func TestJSONContract(t *testing.T) {
	chdir(t, repoRoot(t))
	out, _, code := cli(t, "", "lint", "--format", "json", "fixtures/blog/broken.conf")
	require.Equal(t, 1, code)
	var doc map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &doc))
	require.Contains(t, doc, "findings")
	require.Contains(t, doc, "errors")
	fs := doc["findings"].([]any)
	// NGX101 first: at the same position, findings sort by rule ID, and
	// the other rules' findings on the blog's config are info level
	require.NotEmpty(t, fs)
	f := fs[0].(map[string]any)
	for _, k := range []string{"rule", "name", "severity", "file", "line", "column", "end_line", "end_column", "message", "included_from", "suppressed", "fix"} {
		assert.Contains(t, f, k)
	}
	assert.Equal(t, "NGX101", f["rule"])
	assert.Equal(t, "ssl-server-name-off", f["name"])
	assert.Equal(t, "error", f["severity"])
	assert.Equal(t, "fixtures/blog/broken.conf", f["file"])
	assert.EqualValues(t, 11, f["line"])
	assert.EqualValues(t, 13, f["column"])
	assert.EqualValues(t, 11, f["end_line"])
	fix := f["fix"].(map[string]any)
	edits := fix["edits"].([]any)
	require.Len(t, edits, 1)
	e := edits[0].(map[string]any)
	for _, k := range []string{"file", "start", "end", "new_text"} {
		assert.Contains(t, e, k)
	}
	assert.Contains(t, e["new_text"], "proxy_ssl_server_name on;")
	assert.Contains(t, e["new_text"], "proxy_ssl_name example.com;")
}

func TestSARIFValidates(t *testing.T) {
	chdir(t, repoRoot(t))
	out, _, code := cli(t, "", "lint", "--format", "sarif", "fixtures/blog/broken.conf")
	require.Equal(t, 1, code)
	rep, err := sarif.FromString(out)
	require.NoError(t, err)
	require.NoError(t, rep.Validate())
	require.Len(t, rep.Runs, 1)
	run := rep.Runs[0]
	ids := map[string]bool{}
	for _, r := range run.Tool.Driver.Rules {
		ids[*r.ID] = true
		require.NotNil(t, r.Help, *r.ID)
	}
	assert.True(t, ids["NGX101"] && ids["NGX104"], "every rule is declared")
	require.NotEmpty(t, run.Results)
	assert.Equal(t, "NGX101", *run.Results[0].RuleID)
	for _, r := range run.Results[1:] {
		assert.Equal(t, "note", r.Level, "%s: only NGX101 is above info on the blog's config", *r.RuleID)
	}
}

func TestSuppressionInOutputs(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "nginx.conf")
	require.NoError(t, os.WriteFile(conf, []byte(`events {}
http {
    server {
        server_name example.com;
        location / {
            # ngxlint:ignore NGX101 the origin accepts clients without SNI
            proxy_pass https://d1234567890.cloudfront.net;
        }
    }
}
`), 0o644))
	out, _, code := cli(t, "", "lint", conf)
	assert.Equal(t, 0, code, out)
	assert.NotContains(t, out, "NGX101")

	out, _, code = cli(t, "", "lint", "--format", "json", conf)
	assert.Equal(t, 0, code)
	assert.Contains(t, out, `"suppressed": true`)
	assert.Contains(t, out, `"suppression_reason": "the origin accepts clients without SNI"`)

	out, _, _ = cli(t, "", "lint", "--format", "sarif", conf)
	assert.Contains(t, out, `"kind": "inSource"`)
}

func TestOtherFormats(t *testing.T) {
	chdir(t, repoRoot(t))
	out, _, code := cli(t, "", "lint", "--format", "github", "fixtures/blog/broken.conf")
	assert.Equal(t, 1, code)
	assert.Contains(t, out, "::error file=fixtures/blog/broken.conf,line=11,col=13,")
	out, _, code = cli(t, "", "lint", "--format", "checkstyle", "fixtures/blog/broken.conf")
	assert.Equal(t, 1, code)
	assert.Contains(t, out, `<file name="fixtures/blog/broken.conf">`)
	assert.Contains(t, out, `source="ngxlint.NGX101.ssl-server-name-off"`)
}

func TestRulesCommand(t *testing.T) {
	out, _, code := cli(t, "", "rules")
	assert.Equal(t, 0, code)
	for _, id := range []string{"NGX101", "NGX102", "NGX103", "NGX104"} {
		assert.Contains(t, out, id)
	}
	out, _, code = cli(t, "", "rules", "ssl-server-name-off")
	assert.Equal(t, 0, code)
	for _, s := range []string{"# NGX101 ssl-server-name-off", "## Problem", "## Bad", "## Good", "## nginx versions", "alert number 40"} {
		assert.Contains(t, out, s)
	}
	_, _, code = cli(t, "", "rules", "NGX999")
	assert.Equal(t, 2, code)
}

// TestReadmeRuleTable keeps the README's rule table generated from the
// rules themselves.
func TestReadmeRuleTable(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join(repoRoot(t), "README.md"))
	require.NoError(t, err)
	assert.Contains(t, string(readme), RuleTable(), "README rule table is stale: paste `ngxlint rules --markdown`")
}

func TestConfigSchema(t *testing.T) {
	out, _, code := cli(t, "", "config", "schema")
	require.Equal(t, 0, code)
	var s map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &s))
	props := s["properties"].(map[string]any)
	for _, k := range []string{"roots", "prefix", "map", "context", "nginx-version", "fail-on", "enable", "disable", "rules"} {
		assert.Contains(t, props, k)
	}
}

func TestConfigFileDrivesLint(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "nginx", "conf.d"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "nginx", "nginx.conf"), []byte("events {}\nhttp { include /etc/nginx/conf.d/*.conf; }\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "nginx", "conf.d", "site.conf"), []byte("server {\n    server_name example.com;\n    location / {\n        proxy_pass https://d1234567890.cloudfront.net;\n        proxy_ssl_server_name on;\n        proxy_set_header Host $host;\n    }\n}\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, ".ngxlint.yaml"), []byte("roots: [nginx/nginx.conf]\nmap: [\"/etc/nginx=nginx\"]\nrules:\n  NGX104: {severity: error}\nfail-on: error\n"), 0o644))
	chdir(t, dir)
	out, _, code := cli(t, "", "lint", "--format", "json")
	assert.Equal(t, 1, code, out)
	assert.Contains(t, out, `"rule": "NGX104"`)
	assert.Contains(t, out, `"severity": "error"`)
	assert.Contains(t, out, `"file": "nginx/conf.d/site.conf"`)

	// a changed snippet is linted in its root's context
	out, _, code = cli(t, "", "lint", "nginx/conf.d/site.conf")
	assert.Equal(t, 1, code, out)
	assert.Contains(t, out, "nginx/conf.d/site.conf:4:9")
}

func TestFixWriteIsAtomicAndIdempotent(t *testing.T) {
	dir := t.TempDir()
	src, err := os.ReadFile(filepath.Join(repoRoot(t), "fixtures", "blog", "broken.conf"))
	require.NoError(t, err)
	conf := filepath.Join(dir, "nginx.conf")
	require.NoError(t, os.WriteFile(conf, src, 0o640))

	out, _, code := cli(t, "", "fix", conf)
	require.Equal(t, 0, code)
	assert.Contains(t, out, "+            proxy_ssl_server_name on;")
	after, _ := os.ReadFile(conf)
	assert.Equal(t, string(src), string(after), "fix without --write must not touch the file")

	_, _, code = cli(t, "", "fix", "--write", conf)
	require.Equal(t, 0, code)
	st, err := os.Stat(conf)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o640), st.Mode().Perm(), "mode kept")
	fixed, _ := os.ReadFile(conf)
	assert.Contains(t, string(fixed), "proxy_ssl_name example.com;")

	_, _, code = cli(t, "", "lint", conf)
	assert.Equal(t, 0, code, "fixed config lints clean")
	out, errOut, code := cli(t, "", "fix", "--write", conf)
	assert.Equal(t, 0, code)
	assert.Empty(t, out)
	assert.Contains(t, errOut, "nothing to fix")
	again, _ := os.ReadFile(conf)
	assert.Equal(t, string(fixed), string(again), "second run changes nothing")
	ents, _ := os.ReadDir(dir)
	assert.Len(t, ents, 1, "no temporary files left behind")

	bad := filepath.Join(dir, "bad.conf")
	require.NoError(t, os.WriteFile(bad, []byte("http { server { location / { proxy_pass https://x.example.com; }\n"), 0o644))
	_, _, code = cli(t, "", "fix", "--write", bad)
	assert.Equal(t, 3, code, "refuses a tree with syntax errors")
}

// TestFixSeverity: by default only warning-and-above fixes are applied;
// informational fixes that change behaviour (verification on) are opt-in.
func TestFixSeverity(t *testing.T) {
	chdir(t, repoRoot(t))
	out, _, code := cli(t, "", "fix", "fixtures/blog/broken.conf")
	require.Equal(t, 0, code)
	assert.Contains(t, out, "+            proxy_ssl_server_name on;")
	assert.NotContains(t, out, "proxy_ssl_verify on;")
	out, _, code = cli(t, "", "fix", "--severity", "info", "fixtures/blog/broken.conf")
	require.Equal(t, 0, code)
	assert.Contains(t, out, "proxy_ssl_verify on;")
	assert.Contains(t, out, "proxy_ssl_trusted_certificate /etc/ssl/certs/ca-certificates.crt;")
	_, _, code = cli(t, "", "fix", "--severity", "loud", "fixtures/blog/broken.conf")
	assert.Equal(t, 2, code)
}
