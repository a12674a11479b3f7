package rules

import (
	"fmt"
	"strings"

	"github.com/ngxlint/ngxlint/nginx/errlog"
	"github.com/ngxlint/ngxlint/nginx/model"
	"github.com/ngxlint/ngxlint/rules/rule"
)

// NGX112 catches a port on a proxy target that names an upstream{} block:
// nginx refuses the configuration.
var NGX112 = rule.Register(&rule.Rule{
	ID:         "NGX112",
	Slug:       "upstream-block-with-port",
	Severity:   rule.Error,
	Summary:    "proxy_pass https://NAME:PORT where NAME is an upstream{} block: nginx refuses to start",
	LogClasses: []string{errlog.SlugUpstreamPort},
	Doc: rule.Doc{
		Problem: "`proxy_pass https://backend:8443;` (or grpc_pass, uwsgi_pass, stream proxy_pass) names an " +
			"`upstream backend {}` block together with a port. The ports belong on the block's `server` lines.",
		Why: "nginx matches the name against the upstream{} blocks and refuses the pair: `upstream \"backend\" may " +
			"not have port 8443`, whichever of the two comes first in the file. `nginx -t`, start and reload fail. " +
			"The fix removes the port from the proxy target when every server of the block already names that same " +
			"port, so nothing else changes; otherwise move the port onto the server lines yourself.",
		Bad: `upstream backend {
    server origin-a.example.net:8443;
    server origin-b.example.net:8443;
}
server {
    listen 80;
    server_name example.com;
    location / {
        proxy_pass https://backend:8443;  # want NGX112
    }
}`,
		Good: `upstream backend {
    server origin-a.example.net:8443;
    server origin-b.example.net:8443;
}
server {
    listen 80;
    server_name example.com;
    location / {
        proxy_pass https://backend;
    }
}`,
		Context:  "http",
		Versions: "All versions.",
		LogLine:  `nginx: [emerg] upstream "backend" may not have port 8443 in /etc/nginx/nginx.conf:9`,
	},
	Run: runNGX112,
})

func runNGX112(pass *rule.Pass) {
	for _, p := range pass.Model.Proxies {
		if p.HostKind != model.HostUpstream || p.Port == "" {
			continue
		}
		u := p.Upstream
		msg := fmt.Sprintf("%s names upstream{} block %q (%s) with port %s: nginx refuses to start with \"upstream %q may not have port %s\"; the ports belong on the block's server lines",
			target(p), u.Name, at(u.Node), p.Port, u.Name, p.Port)
		same := len(u.Servers) > 0
		for _, s := range u.Servers {
			if port, explicit := model.ParseUpstreamServer(s).EffectivePort(); !explicit || port != p.Port {
				same = false
			}
		}
		var fix *rule.Fix
		if e, ok := dropPort(p); ok && same {
			fix = &rule.Fix{Description: fmt.Sprintf("drop :%s: every server of upstream %s already names port %s", p.Port, u.Name, p.Port), Edits: []rule.Edit{e}}
		} else {
			msg += " (no automatic fix: the block's servers do not all name that port)"
		}
		pass.Report(p.Directive, msg, fix)
	}
}

// dropPort is the edit that removes ":PORT" after the host in a proxy
// target as written.
func dropPort(p *model.Proxy) (rule.Edit, bool) {
	d := p.Directive
	if len(d.Args) == 0 {
		return rule.Edit{}, false
	}
	raw := d.RawArg(0)
	from := 0
	if i := strings.Index(raw, "://"); i >= 0 {
		from = i + 3
	}
	needle := p.Host + ":" + p.Port
	i := strings.Index(strings.ToLower(raw[from:]), strings.ToLower(needle))
	if i < 0 {
		return rule.Edit{}, false
	}
	start := d.Args[0].Start + int32(from+i+len(p.Host))
	return rule.Edit{File: d.File, Start: start, End: start + int32(1+len(p.Port))}, true
}
