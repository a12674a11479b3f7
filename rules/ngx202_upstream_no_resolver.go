package rules

import (
	"fmt"
	"strings"

	"github.com/ngxlint/ngxlint/nginx/errlog"
	"github.com/ngxlint/ngxlint/nginx/model"
	"github.com/ngxlint/ngxlint/rules/rule"
)

// NGX202 catches a variable proxy target that needs DNS at request time
// with no resolver to ask: every request through it gets 502.
var NGX202 = rule.Register(&rule.Rule{
	ID:         "NGX202",
	Slug:       "upstream-no-resolver",
	Severity:   rule.Error,
	Summary:    "Variable proxy_pass host that is not an upstream{} name, with no resolver in scope: 502 at request time",
	LogClasses: []string{errlog.SlugNoResolver, errlog.SlugResolveNoResolver},
	Doc: rule.Doc{
		Problem: "`set $origin api.example.net; proxy_pass https://$origin;` (or a `map`, a whole URL in a variable, " +
			"grpc, uwsgi, stream) where the host a variable holds is neither an `upstream{}` block's name nor an IP " +
			"literal, and no `resolver` is in effect at that proxy.",
		Why: "A variable target is resolved per request, with nginx's own resolver, not the system's. Without a " +
			"`resolver`, `nginx -t` passes and every request fails: `no resolver defined to resolve api.example.net` " +
			"and 502. No automatic fix: only you know which DNS server nginx can reach (127.0.0.53 with " +
			"systemd-resolved, 127.0.0.11 in Docker, 169.254.169.253 in an AWS VPC, the cluster DNS in Kubernetes). " +
			"A target whose values are unknown (a header, a computed value) is an error when the config has no " +
			"upstream{} block it could name, and a warning otherwise.",
		Bad: `server {
    listen 80;
    server_name example.com;
    location / {
        set $origin api.example.net;
        proxy_pass https://$origin;  # want NGX202
    }
}`,
		Good: `server {
    listen 80;
    server_name example.com;
    location / {
        resolver 127.0.0.53 valid=30s;
        set $origin api.example.net;
        proxy_pass https://$origin;
    }
}`,
		Context:  "http",
		Versions: "All versions.",
		LogLine:  `[error] … no resolver defined to resolve api.example.net, client: 10.0.0.4, server: example.com, request: "GET / HTTP/1.1", host: "example.com"`,
	},
	Run: runNGX202,
})

func runNGX202(pass *rule.Pass) {
	m := pass.Model
	for _, p := range m.Proxies {
		if p.HostKind != model.HostVariable || p.Scope.Effective("resolver") != nil {
			continue
		}
		var names, unknown []string
		for _, v := range p.AllValues {
			switch v.Kind {
			case model.HostName:
				if !containsFold(names, v.Host) {
					names = append(names, v.Host)
				}
			case model.HostVariable:
				unknown = append(unknown, v.Host)
			}
		}
		ups := m.Upstreams
		if p.Module == "stream" {
			ups = m.StreamUpstreams
		}
		switch {
		case len(names) > 0:
			pass.Report(p.Directive, fmt.Sprintf("%s: the target can be %s, which is not an upstream{} name, and no resolver is in effect here: every such request fails with \"no resolver defined to resolve %s\" and 502; add `resolver <DNS server nginx can reach> valid=30s;`",
				target(p), strings.Join(names, ", "), names[0]), nil)
		case len(p.AllValues) == 0 || len(unknown) > 0:
			what := "whatever the variable holds at run time"
			if len(unknown) > 0 {
				what = fmt.Sprintf("whatever %s holds at run time", strings.Join(unknown, ", "))
			}
			if len(ups) == 0 {
				pass.Report(p.Directive, fmt.Sprintf("%s: the host is %s, the configuration has no upstream{} block it could name, and no resolver is in effect here: a host name fails with \"no resolver defined to resolve …\" and 502; add `resolver <DNS server nginx can reach> valid=30s;`",
					target(p), what), nil)
				continue
			}
			pass.ReportAs(rule.Warning, p.Directive, fmt.Sprintf("%s: the host is %s and no resolver is in effect here: unless every value is an upstream{} name or an IP, requests fail with \"no resolver defined to resolve …\" and 502; add `resolver <DNS server nginx can reach> valid=30s;`",
				target(p), what), nil)
		}
	}
}
