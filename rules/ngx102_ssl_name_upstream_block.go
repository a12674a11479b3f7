package rules

import (
	"fmt"
	"strings"

	"github.com/ngxlint/ngxlint/nginx/errlog"
	"github.com/ngxlint/ngxlint/nginx/model"
	"github.com/ngxlint/ngxlint/rules/rule"
)

// NGX102 catches the ingress-nginx#3427 class: SNI switched on, but the
// name nginx sends is an upstream{} block's label.
var NGX102 = rule.Register(&rule.Rule{
	ID:         "NGX102",
	Slug:       "ssl-name-upstream-block",
	Severity:   rule.Error,
	Summary:    "TLS upstream is an upstream{} block and *_ssl_name is unset: nginx sends and verifies the block's name",
	LogClasses: []string{errlog.SlugAlertHandshakeFailure, errlog.SlugAlertUnrecognizedName, errlog.SlugPeerClosed, errlog.SlugPeerReset, errlog.SlugNameMismatch},
	Doc: rule.Doc{
		Problem: "SNI (`proxy_ssl_server_name on`) or verification (`proxy_ssl_verify on`) is active, `proxy_ssl_name` is unset, " +
			"and `proxy_pass https://NAME` names an `upstream NAME {}` block. nginx then uses the block's name as the SNI and " +
			"as the name the certificate must match: `backend`, `upstream_balancer`, `cdn`.",
		Why: "No CDN or load balancer serves a certificate for an internal label. The handshake fails with alert 40/112, or, with " +
			"verification on, with `upstream SSL certificate does not match \"backend\"`. The fix is an explicit " +
			"`proxy_ssl_name` with the real host name.",
		Bad: `upstream backend {
    server d1234567890.cloudfront.net:443;
}
server {
    listen 80;
    server_name example.com;
    location / {
        proxy_pass https://backend;  # want NGX102
        proxy_ssl_server_name on;
        proxy_set_header Host example.com;
    }
}`,
		Good: `upstream backend {
    server d1234567890.cloudfront.net:443;
}
server {
    listen 80;
    server_name example.com;
    location / {
        proxy_pass https://backend;
        proxy_ssl_server_name on;
        proxy_ssl_name example.com;
        proxy_set_header Host example.com;
    }
}`,
		Context:  "http",
		Versions: "All versions (ngx_http_upstream_ssl_name is unchanged from 1.7.0 to the newest release).",
		LogLine:  `[error] … SSL_do_handshake() failed (SSL: error:0A000410:SSL routines::sslv3 alert handshake failure:SSL alert number 40) while SSL handshaking to upstream (SNI "backend"); with verify on: upstream SSL certificate does not match "backend" while SSL handshaking to upstream`,
	},
	Run: runNGX102,
})

func runNGX102(pass *rule.Pass) {
	for _, p := range tlsProxies(pass.Model) {
		var u *model.Upstream
		switch {
		case p.HostKind == model.HostUpstream:
			u = p.Upstream
		case p.HostKind == model.HostVariable:
			for _, v := range p.Values {
				if v.Upstream != nil && labelLike(v.Upstream) {
					u = v.Upstream
					break
				}
			}
		}
		if u == nil || !labelLike(u) {
			continue
		}
		sni, verify, used := nameInUse(p)
		if !used || sslName(p) != nil {
			continue
		}
		pre := p.Prefix()
		what := "sends SNI"
		if !sni {
			what = "verifies the certificate against"
		} else if verify {
			what = "sends SNI and verifies the certificate against"
		}
		msg := fmt.Sprintf("%s names upstream{} block %q: nginx %s %q, an internal label no real certificate carries; set %sssl_name to the upstream's host name",
			target(p), u.Name, what, u.Name, pre)
		var fix *rule.Fix
		name, why := proposeForLabel(p, u)
		if name != "" {
			fix, why = planFix(pass.Model, p, fmt.Sprintf("send and verify %s (%s)", name, why), true, setting{"ssl_name", quoteIfNeeded(name)})
		}
		if fix == nil {
			msg += fmt.Sprintf(" (no automatic fix: %s)", why)
		}
		pass.Report(p.Directive, msg, fix)
	}
}

// proposeForLabel picks the real name for an upstream-block target: the
// Host the upstream receives when that is a real name, else the block's
// only host-name server.
func proposeForLabel(p *model.Proxy, u *model.Upstream) (string, string) {
	if h, why, ok := p.ReceivedHost(); ok && !strings.EqualFold(h, u.Name) && !model.IsIP(h) {
		return h, why
	}
	var hosts []string
	for _, s := range u.Servers {
		h, _, _ := strings.Cut(s.Arg(0), ":")
		if h == "" || model.IsIP(h) || strings.HasPrefix(s.Arg(0), "unix:") || strings.HasPrefix(s.Arg(0), "[") {
			continue
		}
		hosts = append(hosts, h)
	}
	if len(hosts) == 1 {
		return hosts[0], fmt.Sprintf("the only server host in upstream %s", u.Name)
	}
	_, why, _ := p.ReceivedHost()
	if len(hosts) > 1 {
		why = fmt.Sprintf("upstream %s has %d server hosts and the Host header does not tell which name the certificate carries", u.Name, len(hosts))
	}
	return "", why
}
