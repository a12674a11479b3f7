package explain_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ngxlint/ngxlint/lint"
	"github.com/ngxlint/ngxlint/lint/explain"
	"github.com/ngxlint/ngxlint/nginx/config"
	"github.com/ngxlint/ngxlint/nginx/errlog"
	"github.com/ngxlint/ngxlint/nginx/model"
	_ "github.com/ngxlint/ngxlint/rules" // the checks whose findings explain log lines
	"github.com/ngxlint/ngxlint/rules/rule"
)

const alert40 = `2026/11/26 01:06:59 [error] 1#1: *2 SSL_do_handshake() failed (SSL: error:0A000410:SSL routines::sslv3 alert handshake failure:SSL alert number 40) while SSL handshaking to upstream, client: 127.0.0.1, server: example.com, request: "GET %s HTTP/1.1", upstream: "https://%s/x", host: "example.com"`

func parseSrc(t *testing.T, src string) *config.Tree {
	t.Helper()
	tree, diags := config.Parse(context.Background(), "nginx.conf", []byte(src), config.Options{})
	require.False(t, config.HasErrors(diags), "%v", diags)
	return tree
}

// lintWithLog is `ngxlint lint --error-log`: the log mapped to the tree's
// model and given to the run as evidence.
func lintWithLog(t *testing.T, tree *config.Tree, log string, o lint.Options) []rule.Finding {
	t.Helper()
	m := model.Build(tree)
	agg := explain.NewAggregator(explain.NewIndex(m), explain.Options{})
	require.NoError(t, agg.ReadLog(strings.NewReader(log)))
	o.Model, o.Logs = m, agg.Report().LogGroups()
	return lint.Run(tree, o).Findings
}

func line(uri, peer string) string {
	return strings.Replace(strings.Replace(alert40, "%s", uri, 1), "%s", peer, 1) + "\n"
}

func byRule(fs []rule.Finding, id string) []rule.Finding {
	var out []rule.Finding
	for _, f := range fs {
		if f.Rule.ID == id {
			out = append(out, f)
		}
	}
	return out
}

func TestLogEvidence(t *testing.T) {
	tree := parseSrc(t, `http {
  server {
    server_name example.com;
    location / {
      proxy_pass https://cdn.example.net;
    }
    location /ok/ {
      proxy_pass https://origin.example.net;
      proxy_ssl_server_name on;
      proxy_ssl_name origin.example.net;
    }
    location /quiet/ {
      # ngxlint:ignore NGX101 the edge accepts clients without SNI
      proxy_pass https://legacy.example.net;
    }
  }
}`)
	log := line("/a", "10.0.0.1:443") + line("/b", "10.0.0.1:443") + line("/c", "10.0.0.2:443") +
		line("/ok/x", "10.0.0.3:443") + line("/ok/y", "10.0.0.4:443") +
		line("/quiet/z", "10.0.0.5:443")
	fs := lintWithLog(t, tree, log, lint.Options{})

	ngx101 := byRule(fs, "NGX101")
	require.Len(t, ngx101, 2)
	ev := ngx101[0].Evidence
	require.NotNil(t, ev, "NGX101 at location / has the three lines")
	assert.Equal(t, 3, ev.Count)
	assert.Equal(t, "ssl-alert-40-handshake-failure", ev.Class)
	assert.Contains(t, ev.Sample, "GET /a ")
	assert.True(t, ngx101[1].Suppressed)
	assert.NotNil(t, ngx101[1].Evidence, "a suppressed finding still gets the evidence")

	ngx900 := byRule(fs, "NGX900")
	require.Len(t, ngx900, 2, "one per statement and class, peers merged")
	assert.Equal(t, 8, ngx900[0].Node.Pos().Line)
	assert.Equal(t, 2, ngx900[0].Evidence.Count)
	assert.Contains(t, ngx900[0].Message, "from 2 upstreams")
	assert.Contains(t, ngx900[0].Message, "none of the rules for it (NGX101, NGX102, NGX103, NGX108, NGX111) fires here")
	assert.Equal(t, 14, ngx900[1].Node.Pos().Line)
	assert.Contains(t, ngx900[1].Message, "NGX101 (suppressed: the edge accepts clients without SNI)")
	assert.Equal(t, rule.Warning, ngx900[1].Severity)

	// NGX900 off: evidence only.
	var others []*rule.Rule
	for _, r := range rule.All() {
		if r.ID != "NGX900" {
			others = append(others, r)
		}
	}
	fs = lintWithLog(t, tree, log, lint.Options{Rules: others})
	assert.Empty(t, byRule(fs, "NGX900"))
	assert.NotNil(t, byRule(fs, "NGX101")[0].Evidence)
}

func TestParseSince(t *testing.T) {
	now, _ := timeParse("2026/11/26 12:00:00")
	for in, want := range map[string]string{
		"2026/11/26 01:02:03":  "2026/11/26 01:02:03",
		"2026/11/26 01:02":     "2026/11/26 01:02:00",
		"2026/11/26":           "2026/11/26 00:00:00",
		"2026-11-26":           "2026/11/26 00:00:00",
		"2026-11-26T01:02:03":  "2026/11/26 01:02:03",
		"2026-11-26T01:02:03Z": "2026/11/26 01:02:03",
		"2026-11-26 01:02":     "2026/11/26 01:02:00",
		"90m":                  "2026/11/26 10:30:00",
		"2d":                   "2026/11/24 12:00:00",
		"":                     "",
	} {
		got, err := explain.ParseSince(in, now)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	for _, bad := range []string{"yesterday", "-2h", "2026/13/01", "xd"} {
		_, err := explain.ParseSince(bad, now)
		assert.Error(t, err, bad)
	}
}

func timeParse(s string) (time.Time, error) { return time.Parse(errlog.TimeLayout, s) }
