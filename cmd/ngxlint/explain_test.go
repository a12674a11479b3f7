package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	explainConf  = "fixtures/explain/nginx.conf"
	explainLines = "fixtures/explain/lines.txt"
)

type explainGroup struct {
	Class, Level, First, Last, Server, Upstream, Cause, Fix, Sample string
	Count                                                           int
	Location, Directive                                             *struct {
		File string
		Line int
	}
	Rules          []string
	RulesFired     bool     `json:"rules_fired"`
	CandidateRules []string `json:"candidate_rules"`
}

type explainDoc struct {
	Lines, Matched, Unclassified int
	Groups                       []explainGroup
}

func decodeExplain(t *testing.T, out string) explainDoc {
	t.Helper()
	var d explainDoc
	require.NoError(t, json.Unmarshal([]byte(out), &d), out)
	return d
}

func findGroup(d explainDoc, class string, line int, upstream string) *explainGroup {
	for i, g := range d.Groups {
		if g.Class == class && (line == 0 || g.Location != nil && g.Location.Line == line) && (upstream == "" || g.Upstream == upstream) {
			return &d.Groups[i]
		}
	}
	return nil
}

// TestExplainJSONContract pins the public JSON shape of explain.
func TestExplainJSONContract(t *testing.T) {
	chdir(t, repoRoot(t))
	out, errOut, code := cli(t, "", "explain", "--format", "json", "--config", explainConf, explainLines)
	require.Equal(t, 1, code, "groups found exit 1; stderr:\n%s", errOut)

	var raw map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &raw))
	for _, k := range []string{"lines", "matched", "unclassified", "groups"} {
		require.Contains(t, raw, k)
	}
	groups := raw["groups"].([]any)
	require.NotEmpty(t, groups)
	for _, g := range groups {
		g := g.(map[string]any)
		for _, k := range []string{"class", "level", "count", "first", "last", "server", "upstream", "location", "directive", "rules", "cause", "fix", "sample", "candidate_rules", "rules_fired"} {
			require.Contains(t, g, k)
		}
		for _, k := range []string{"location", "directive"} {
			if v := g[k]; v != nil {
				m := v.(map[string]any)
				assert.Contains(t, m, "file")
				assert.Contains(t, m, "line")
			}
		}
		assert.NotNil(t, g["rules"], "rules is a list, never null")
	}

	d := decodeExplain(t, out)
	assert.Equal(t, d.Matched+d.Unclassified, sum(d))
	g := findGroup(d, "ssl-alert-40-handshake-failure", 27, "https://127.0.0.1:38443")
	require.NotNil(t, g)
	assert.Equal(t, "fixtures/explain/nginx.conf", g.Location.File)
	assert.Equal(t, 28, g.Directive.Line)
	assert.Equal(t, []string{"NGX101"}, g.Rules)
	assert.True(t, g.RulesFired)
	assert.Equal(t, "error", g.Level)
	assert.Equal(t, "2026/11/26 01:07:03", g.First)
	assert.NotEmpty(t, g.Cause)
	assert.NotEmpty(t, g.Fix)
	assert.Contains(t, g.Sample, "case=b")

	// None of its rules fires: the candidates are listed, and it says so.
	g = findGroup(d, "ssl-alert-40-handshake-failure", 37, "")
	require.NotNil(t, g)
	assert.False(t, g.RulesFired)
	assert.Equal(t, g.CandidateRules, g.Rules)
	assert.Contains(t, g.Rules, "NGX101")

	// Unmapped lines keep null positions; unclassified lines are groups.
	g = findGroup(d, "ssl-verify-no-trusted-certificate", 0, "")
	require.NotNil(t, g)
	assert.Nil(t, g.Location)
	assert.Nil(t, g.Directive)
	assert.NotNil(t, findGroup(d, "unclassified", 41, ""))
	assert.Equal(t, 2, d.Unclassified)
}

func sum(d explainDoc) int {
	n := 0
	for _, g := range d.Groups {
		n += g.Count
	}
	return n
}

func TestExplainWithoutConfig(t *testing.T) {
	chdir(t, repoRoot(t))
	out, _, code := cli(t, "", "explain", "--format", "json", explainLines)
	require.Equal(t, 1, code)
	d := decodeExplain(t, out)
	require.NotEmpty(t, d.Groups)
	for _, g := range d.Groups {
		assert.Nil(t, g.Location)
		assert.Nil(t, g.Directive)
		assert.False(t, g.RulesFired)
		assert.Equal(t, g.CandidateRules, g.Rules)
		assert.NotEmpty(t, g.Cause, g.Class)
	}
	// Without a config, groups are (class, server, upstream).
	assert.Less(t, len(d.Groups), 54)
}

func TestExplainText(t *testing.T) {
	chdir(t, repoRoot(t))
	out, _, code := cli(t, "", "explain", "--config", explainConf, explainLines)
	require.Equal(t, 1, code)
	assert.Contains(t, out, "213 lines read, 54 lines of upstream failures in")
	assert.Regexp(t, `(?m)^#\s+COUNT\s+CLASS\s+SERVER\s+LOCATION\s+UPSTREAM\s+RULES$`, out)
	assert.Regexp(t, `(?m)^1\s+2\s+ssl-verify-error\s+example\.com\s+location / \(fixtures/explain/nginx.conf:27\)`, out, "ranked by count")
	assert.Contains(t, out, "cause: ")
	assert.Contains(t, out, "fix: ")
	assert.NotContains(t, out, "Lines per hour", "no histogram off a terminal")

	// A log without upstream failures: exit 0.
	noise := filepath.Join(t.TempDir(), "noise.log")
	require.NoError(t, os.WriteFile(noise, []byte("2026/11/26 01:15:05 [notice] 88#88: signal process started\n"), 0o644))
	out, _, code = cli(t, "", "explain", noise)
	assert.Equal(t, 0, code, out)
	assert.Contains(t, out, "1 line read, 0 lines of upstream failures in 0 groups")
}

func TestExplainSinceGzipStdin(t *testing.T) {
	chdir(t, repoRoot(t))
	src, err := os.ReadFile(explainLines)
	require.NoError(t, err)
	all := decodeExplain(t, must(cli(t, "", "explain", "--format", "json", explainLines)))

	out, _, code := cli(t, "", "explain", "--format", "json", "--since", "2026/11/26 01:13:00", explainLines)
	require.Equal(t, 1, code)
	since := decodeExplain(t, out)
	assert.Less(t, since.Matched, all.Matched)
	for _, g := range since.Groups {
		assert.GreaterOrEqual(t, g.First, "2026/11/26 01:13:00")
	}
	out, _, code = cli(t, "", "explain", "--format", "json", "--since", "2026-11-26T01:13:00", explainLines)
	require.Equal(t, 1, code)
	assert.Equal(t, since.Matched, decodeExplain(t, out).Matched, "ISO form")
	_, errOut, code := cli(t, "", "explain", "--since", "yesterday-ish", explainLines)
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "--since")

	// .gz, named .gz or not, and stdin give the same result.
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	_, _ = zw.Write(src)
	require.NoError(t, zw.Close())
	dir := t.TempDir()
	for _, name := range []string{"error.log.2.gz", "error.log.1"} {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, z.Bytes(), 0o644))
		gzDoc := decodeExplain(t, must(cli(t, "", "explain", "--format", "json", p)))
		assert.Equal(t, all, gzDoc, name)
	}
	assert.Equal(t, all, decodeExplain(t, must(cli(t, string(src), "explain", "--format", "json", "-"))), "stdin")
	assert.Equal(t, all, decodeExplain(t, must(cli(t, z.String(), "explain", "--format", "json", "-"))), "gzip on stdin")
}

func must(out, _ string, _ int) string { return out }

func TestExplainErrors(t *testing.T) {
	chdir(t, repoRoot(t))
	bad := filepath.Join(t.TempDir(), "bad.conf")
	require.NoError(t, os.WriteFile(bad, []byte("http { server { location / { return 200 } }\n"), 0o644))
	for _, tc := range []struct {
		name string
		args []string
		code int
	}{
		{"no log", []string{"explain"}, 2},
		{"missing log", []string{"explain", "nope.log"}, 2},
		{"bad format", []string{"explain", "--format", "sarif", explainLines}, 2},
		{"config and log both stdin", []string{"explain", "--config", "-", "-"}, 2},
		{"broken config", []string{"explain", "--config", bad, explainLines}, 3},
		{"missing config", []string{"explain", "--config", "nope.conf", explainLines}, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, code := cli(t, "", tc.args...)
			assert.Equal(t, tc.code, code, "stdout:\n%s\nstderr:\n%s", out, errOut)
		})
	}
}

// TestExplainTerminal: on a terminal, a progress bar on stderr for large
// (or unsized) input and per-hour bars of the top groups on stdout.
func TestExplainTerminal(t *testing.T) {
	chdir(t, repoRoot(t))
	old := terminal
	terminal = func(io.Writer) bool { return true }
	t.Cleanup(func() { terminal = old })
	src, err := os.ReadFile(explainLines)
	require.NoError(t, err)

	out, errOut, code := cli(t, string(src), "explain", "--config", explainConf, "-")
	require.Equal(t, 1, code)
	assert.Contains(t, out, "Lines per hour, top 3 groups:")
	assert.Regexp(t, `(?m)^  2026/11/26 01:00\s+█+\s+2$`, out)
	assert.Contains(t, errOut, "reading error log", "stdin has no size: progress bar")

	_, errOut, _ = cli(t, "", "explain", "--config", explainConf, explainLines)
	assert.NotContains(t, errOut, "reading error log", "small file: no progress bar")
	_, errOut, _ = cli(t, string(src), "explain", "--no-progress", "-")
	assert.NotContains(t, errOut, "reading error log")
}

type lintDoc struct {
	Findings []struct {
		Rule, File, Message string
		Line                int
		Severity            string
		Evidence            *struct {
			Count         int
			First, Last   string
			Class, Sample string
		}
	}
}

// TestLintErrorLog: findings whose location has matching log lines carry
// evidence; log groups no finding explains become NGX900.
func TestLintErrorLog(t *testing.T) {
	chdir(t, repoRoot(t))
	out, errOut, code := cli(t, "", "lint", "--format", "json", "--error-log", explainLines, explainConf)
	require.Equal(t, 1, code, errOut)
	var d lintDoc
	require.NoError(t, json.Unmarshal([]byte(out), &d), out)
	var ngx101at28, ngx900at38, unmapped bool
	ngx900 := 0
	for _, f := range d.Findings {
		switch {
		case f.Rule == "NGX101" && f.Line == 28:
			ngx101at28 = true
			require.NotNil(t, f.Evidence, "NGX101 at location / is in the log")
			// alert 40 ×2 (MOCKPORT, 38443), peer closed, reset, timeout,
			// and the two "/" lines of other classes that list NGX101.
			assert.GreaterOrEqual(t, f.Evidence.Count, 5)
			assert.Equal(t, "2026/11/26 01:06:59", f.Evidence.First)
			assert.NotEmpty(t, f.Evidence.Class)
			assert.NotEmpty(t, f.Evidence.Sample)
		case f.Rule == "NGX900":
			ngx900++
			assert.Equal(t, "warning", f.Severity)
			require.NotNil(t, f.Evidence)
			if f.Line == 38 && f.Evidence.Class == "ssl-alert-40-handshake-failure" {
				ngx900at38 = true
				assert.Contains(t, f.Message, "none of the rules for it")
			}
			if f.Line == 1 && strings.Contains(f.Message, "no server or location of the configuration matches it") {
				unmapped = true
			}
		case f.Rule == "NGX101" && f.Line == 119:
			assert.NotNil(t, f.Evidence, "stream server's finding has the stream line")
		}
	}
	assert.True(t, ngx101at28)
	assert.True(t, ngx900at38, "alert 40 at /api/, where SNI is set: nothing predicts it")
	assert.True(t, unmapped, "groups that map nowhere are still reported")
	assert.Greater(t, ngx900, 10)

	// Text shows the evidence line.
	out, _, _ = cli(t, "", "lint", "--error-log", explainLines, explainConf)
	assert.Contains(t, out, "evidence: ")
	assert.Contains(t, out, "[NGX900 unexplained-upstream-error]")

	// NGX900 follows rule selection and severity like any rule.
	out, _, _ = cli(t, "", "lint", "--format", "json", "--disable", "NGX900", "--error-log", explainLines, explainConf)
	assert.NotContains(t, out, `"NGX900"`)
	assert.Contains(t, out, `"evidence"`)

	// Without --error-log nothing changes.
	out, _, _ = cli(t, "", "lint", "--format", "json", explainConf)
	assert.NotContains(t, out, `"evidence"`)
	assert.NotContains(t, out, `"NGX900"`)

	// The blog's broken config and its outage: the finding has the proof.
	logLine := "2026/11/26 01:06:59 [error] 3573#3573: *2 SSL_do_handshake() failed (SSL: error:0A000410:SSL routines::sslv3 alert handshake failure:SSL alert number 40) while SSL handshaking to upstream, client: 127.0.0.1, server: example.com, request: \"GET / HTTP/1.1\", upstream: \"https://13.224.0.10:443/\", host: \"example.com\"\n"
	out, _, code = cli(t, logLine, "lint", "--format", "json", "--error-log", "-", "fixtures/blog/broken.conf")
	assert.Equal(t, 1, code)
	d = lintDoc{}
	require.NoError(t, json.Unmarshal([]byte(out), &d))
	// NGX101 first (the info-level NGX105, NGX108, NGX201 share its line)
	require.NotEmpty(t, d.Findings, out)
	assert.Equal(t, "NGX101", d.Findings[0].Rule)
	require.NotNil(t, d.Findings[0].Evidence)
	assert.Equal(t, 1, d.Findings[0].Evidence.Count)
	assert.Equal(t, "ssl-alert-40-handshake-failure", d.Findings[0].Evidence.Class)

	_, _, code = cli(t, "", "lint", "--error-log", "nope.log", explainConf)
	assert.Equal(t, 2, code, "unreadable log is a usage error")
}

// TestLintErrorLogSuppression: NGX900 can be suppressed in source like any
// finding, and the comment is not reported as unused.
func TestLintErrorLogSuppression(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "nginx.conf")
	require.NoError(t, os.WriteFile(conf, []byte(`events {}
http {
    server {
        server_name example.com;
        location / {
            # ngxlint:ignore NGX900 the edge is flaky during its maintenance window
            proxy_pass https://d1234567890.cloudfront.net;
            proxy_ssl_server_name on;
            proxy_ssl_name example.com;
        }
    }
}
`), 0o644))
	logf := filepath.Join(dir, "error.log")
	require.NoError(t, os.WriteFile(logf, []byte("2026/11/26 01:06:59 [error] 3573#3573: *2 SSL_do_handshake() failed (SSL: error:0A000410:SSL routines::sslv3 alert handshake failure:SSL alert number 40) while SSL handshaking to upstream, client: 127.0.0.1, server: example.com, request: \"GET / HTTP/1.1\", upstream: \"https://13.224.0.10:443/\", host: \"example.com\"\n"), 0o644))
	out, _, code := cli(t, "", "lint", "--format", "json", "--error-log", logf, conf)
	assert.Equal(t, 0, code, out)
	assert.Contains(t, out, `"rule": "NGX900"`)
	assert.Contains(t, out, `"suppressed": true`)
	assert.NotContains(t, out, `"NGX002"`)
}

// TestLintErrorLogTwoRoots: one log, two roots linted together. The log
// is read once (so standard input works); a group that maps in one root
// is not reported as unmapped for the other, and a group that maps
// nowhere is reported once.
func TestLintErrorLogTwoRoots(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "a.conf")
	b := filepath.Join(dir, "b.conf")
	require.NoError(t, os.WriteFile(a, []byte("events {}\nhttp { server { server_name example.com; location / { proxy_pass https://cdn.example.net; } } }\n"), 0o644))
	require.NoError(t, os.WriteFile(b, []byte("events {}\nstream { server { listen 9000; proxy_pass 10.0.0.1:443; proxy_ssl on; } }\n"), 0o644))
	alert := `2026/11/26 01:06:59 [error] 1#1: *2 SSL_do_handshake() failed (SSL: error:0A000410:SSL routines::sslv3 alert handshake failure:SSL alert number 40) while SSL handshaking to upstream, client: 127.0.0.1, server: example.com, request: "GET / HTTP/1.1", upstream: "https://10.0.0.1:443/", host: "example.com"`
	stray := `2026/11/26 01:00:00 [error] 1#1: *3 connect() failed (111: Connection refused) while connecting to upstream, client: 1.2.3.4, server: 0.0.0.0:7000, upstream: "10.0.0.9:443", bytes from/to client:0/0, bytes from/to upstream:0/0`
	out, errOut, code := cli(t, alert+"\n"+stray+"\n", "lint", "--format", "json", "--error-log", "-", a, b)
	require.Equal(t, 1, code, errOut)
	var d lintDoc
	require.NoError(t, json.Unmarshal([]byte(out), &d), out)
	var unmapped []string
	evidence := false
	for _, f := range d.Findings {
		if f.Rule == "NGX900" && strings.Contains(f.Message, "no server or location of the configuration matches it") {
			unmapped = append(unmapped, f.File+": "+f.Message)
		}
		if f.Rule == "NGX101" && f.File == a && f.Evidence != nil {
			evidence = true
		}
	}
	require.Len(t, unmapped, 1, "%v", unmapped)
	assert.Contains(t, unmapped[0], "upstream-connect-failed")
	assert.True(t, strings.HasPrefix(unmapped[0], a), "reported at the first root")
	assert.True(t, evidence, "the alert maps to a.conf's location and is its NGX101's evidence")
}
