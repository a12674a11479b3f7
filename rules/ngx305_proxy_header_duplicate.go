package rules

import (
	"fmt"
	"strings"

	"github.com/ngxlint/ngxlint/nginx/config"
	"github.com/ngxlint/ngxlint/rules/rule"
)

// NGX305 catches a request header set twice at one level: nginx sends
// both lines, and a second Host header makes most servers answer 400.
// ngxlint verify found this on a repository layout where a shared
// proxy_params snippet sets Host and the location sets it again.
var NGX305 = rule.Register(&rule.Rule{
	ID:       "NGX305",
	Slug:     "proxy-header-duplicate",
	Severity: rule.Warning,
	Summary:  "The same request header is set twice at one level (often via an included snippet): nginx sends both",
	Doc: rule.Doc{
		Problem: "Two `proxy_set_header` (or `grpc_set_header`) lines at the same level name the same field, typically " +
			"`include proxy_params;` setting `Host $host` and the location setting `Host example.com` again. nginx does " +
			"not replace the first one: both go into the request.",
		Why: "Two Host headers are a malformed request (RFC 9112 §3.2): CDNs, load balancers and Go/Node servers answer " +
			"400 before routing, and nginx logs nothing. Other duplicated fields reach the upstream twice and are read " +
			"as a list or the first value wins, depending on the server. Keep one line per field. Error for Host, " +
			"warning otherwise.",
		Bad: `proxy_pass https://d1234567890.cloudfront.net;
proxy_ssl_server_name on;
proxy_ssl_name media.example.com;
proxy_set_header Host $host;
proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
proxy_set_header Host media.example.com;  # want NGX305`,
		Good: `proxy_pass https://d1234567890.cloudfront.net;
proxy_ssl_server_name on;
proxy_ssl_name media.example.com;
proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
proxy_set_header Host media.example.com;`,
		Context:  "location",
		Versions: "All versions.",
		LogLine:  "(nothing in error.log: the upstream answers 400, which nginx passes to the client)",
	},
	Run: runNGX305,
})

func runNGX305(pass *rule.Pass) {
	// the first line of each field at the current level, and whether its
	// duplicate was reported; levels hold a handful of these, so a reused
	// slice beats a map per level
	type seen struct {
		d        *config.Directive
		reported bool
	}
	var firsts []seen
	for _, s := range pass.Model.Scopes {
		firsts = firsts[:0]
	next:
		for _, d := range s.Dirs {
			if d.Name != "proxy_set_header" && d.Name != "grpc_set_header" || d.Arg(0) == "" {
				continue
			}
			for i := range firsts {
				f := &firsts[i]
				if f.d.Name != d.Name || !strings.EqualFold(f.d.Arg(0), d.Arg(0)) {
					continue
				}
				if !f.reported {
					f.reported = true
					report305(pass, f.d, d)
				}
				continue next
			}
			firsts = append(firsts, seen{d: d})
		}
	}
}

func report305(pass *rule.Pass, prev, d *config.Directive) {
	sev := rule.Warning
	what := "the upstream receives both values"
	if strings.EqualFold(d.Arg(0), "host") {
		sev = rule.Error
		what = "two Host headers are a malformed request: most upstreams answer 400 and nginx logs nothing"
	}
	p := prev.Pos()
	pass.ReportAs(sev, d, fmt.Sprintf("%s %s is already set at this level (%s:%d): nginx sends both lines; %s. Keep one",
		d.Name, d.Arg(0), p.Path, p.Line, what), nil)
}
