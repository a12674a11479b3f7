package rules

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/ngxlint/ngxlint/nginx/config"
	"github.com/ngxlint/ngxlint/nginx/errlog"
	"github.com/ngxlint/ngxlint/rules/rule"
)

// NGX900 is the log-driven rule: with `ngxlint lint --error-log` it runs
// after the others and makes sure a failure that production logs and no
// rule predicts is still a finding, at the place in the config that
// logged it.
var NGX900 = rule.Register(&rule.Rule{
	ID:        "NGX900",
	Slug:      "unexplained-upstream-error",
	Severity:  rule.Warning,
	LogDriven: true,
	Run:       unexplainedUpstreamError,
	Summary:   "error.log shows upstream failures where no rule predicts them (lint --error-log)",
	Doc: rule.Doc{
		Problem: "`ngxlint lint --error-log` found error.log lines of an upstream failure — a TLS handshake, " +
			"certificate, DNS or connect error, or an upstream-looking line no class covers — that map to this " +
			"proxy directive (or its location or server), and none of the rules that explain that kind of line " +
			"reports anything here. The finding carries the count, the first and last time and a sample line.",
		Why: "Rules only catch the mistakes they know. A failure that production logs but no rule predicts is the " +
			"one most likely to be missed, so it is reported rather than dropped: the cause is on the upstream side " +
			"(it wants a client certificate, its certificate expired, it is down), in a setting ngxlint does not " +
			"check, or a suppression whose reason no longer holds. Read the sample line and the class's cause " +
			"(`ngxlint explain` prints both), fix the config or the upstream, then rotate the log. " +
			"Suppress one place with `# ngxlint:ignore NGX900 <reason>` on the proxy directive, or turn the rule " +
			"off with `--disable NGX900` or in .ngxlint.yaml.",
		Bad: `# the upstream requires a client certificate; nginx sends none
proxy_pass https://origin.example.com;  # want NGX900
proxy_ssl_server_name on;
proxy_ssl_name origin.example.com;`,
		Good: `proxy_pass https://origin.example.com;
proxy_ssl_server_name on;
proxy_ssl_name origin.example.com;
proxy_ssl_certificate /etc/nginx/client.pem;
proxy_ssl_certificate_key /etc/nginx/client.key;`,
		Context: "location",
		Versions: "Not version-specific. Reported only with `--error-log`: the bad example is linted with the " +
			"error.log line below, the good one (the fixed config, after which the line no longer appears) without.",
		LogLine: `2026/11/26 01:11:01 [error] 88#88: *4 SSL_do_handshake() failed (SSL: error:0A00045C:SSL routines::tlsv13 alert certificate required:SSL alert number 116) while SSL handshaking to upstream, client: 10.0.0.4, server: example.com, request: "GET / HTTP/1.1", upstream: "https://203.0.113.10:443/", host: "example.com"`,
	},
})

// unexplainedUpstreamError reports the log groups no unsuppressed finding
// explains: one finding per statement and class at the proxy directive
// that logged them (else their location, else their server), peers
// merged; groups that map nowhere in the configuration at its root file.
func unexplainedUpstreamError(pass *rule.Pass) {
	type site struct {
		node   *config.Directive
		groups []*rule.LogGroup
	}
	sites := map[string]*site{}
	var order []string
	for _, g := range pass.Logs {
		if g.Explained() {
			continue
		}
		var node *config.Directive
		switch {
		case g.Directive != nil:
			node = g.Directive
		case g.Location != nil && g.Location.Node != nil:
			node = g.Location.Node
		case g.Server != nil && g.Server.Node != nil:
			node = g.Server.Node
		}
		key := "|root|" + g.Class + "|" + g.Message
		if node != nil {
			key = fmt.Sprintf("%s|%d|%s|%s", node.File.Path, node.Start, g.Class, g.Message)
		}
		s := sites[key]
		if s == nil {
			s = &site{node: node}
			sites[key] = s
			order = append(order, key)
		}
		s.groups = append(s.groups, g)
	}
	for _, k := range order {
		s := sites[k]
		msg, ev := unexplainedMessage(s.groups)
		if s.node != nil {
			pass.ReportEvidence(s.node, nil, msg, ev)
		} else if root := pass.Model.Tree.Root; root != nil {
			pass.ReportEvidence(nil, root, msg, ev)
		}
	}
}

// unexplainedMessage words the finding for groups of one class at one
// place.
func unexplainedMessage(gs []*rule.LogGroup) (string, *rule.Evidence) {
	g := gs[0]
	ev := rule.Summarize(gs)
	var b strings.Builder
	fmt.Fprintf(&b, "error.log: %s", countOf(ev.Count, "line", "lines"))
	if g.Class == errlog.SlugUnclassified {
		fmt.Fprintf(&b, " of an upstream failure no class explains (%q)", g.Message)
	} else {
		fmt.Fprintf(&b, " of %s", g.Class)
	}
	var ups []string
	for _, h := range gs {
		if h.Upstream != "" && !slices.Contains(ups, h.Upstream) {
			ups = append(ups, h.Upstream)
		}
	}
	switch len(ups) {
	case 0:
	case 1:
		fmt.Fprintf(&b, " from upstream %s", ups[0])
	default:
		fmt.Fprintf(&b, " from %d upstreams (%s, …)", len(ups), ups[0])
	}
	if ev.First != "" {
		fmt.Fprintf(&b, " (%s … %s)", ev.First, ev.Last)
	}
	var suppressed []string
	for _, h := range gs {
		for _, f := range h.Findings {
			reason := f.SuppressReason
			if reason == "" {
				reason = "-"
			}
			s := fmt.Sprintf("%s (suppressed: %s)", f.Rule.ID, reason)
			if f.Suppressed && !slices.Contains(suppressed, s) {
				suppressed = append(suppressed, s)
			}
		}
	}
	var ids []string
	for _, r := range rule.ForLogClass(g.Class) {
		ids = append(ids, r.ID)
	}
	switch {
	case len(suppressed) > 0:
		fmt.Fprintf(&b, ", which %s would explain: the suppression does not hold in production", strings.Join(suppressed, ", "))
	case len(ids) > 0 && (g.Server != nil || g.Directive != nil):
		fmt.Fprintf(&b, ", and none of the rules for it (%s) fires here: the cause is on the upstream side or one ngxlint does not check", strings.Join(ids, ", "))
	case len(ids) > 0:
		fmt.Fprintf(&b, ", and no server or location of the configuration matches it (rules for it: %s)", strings.Join(ids, ", "))
	default:
		b.WriteString(", a kind of failure no rule covers")
	}
	b.WriteString("; `ngxlint explain` gives the cause and fix")
	return b.String(), ev
}

// countOf formats a count with thousands separators and its noun.
func countOf(n int, one, many string) string {
	s := strconv.Itoa(n)
	if len(s) > 3 {
		var b strings.Builder
		pre := len(s) % 3
		b.WriteString(s[:pre])
		for i := pre; i < len(s); i += 3 {
			if b.Len() > 0 {
				b.WriteByte(',')
			}
			b.WriteString(s[i : i+3])
		}
		s = b.String()
	}
	if n == 1 {
		return s + " " + one
	}
	return s + " " + many
}
