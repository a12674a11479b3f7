package rules

import (
	"fmt"
	"strings"

	"github.com/ngxlint/ngxlint/nginx/errlog"
	"github.com/ngxlint/ngxlint/nginx/model"
	"github.com/ngxlint/ngxlint/rules/rule"
)

// NGX104 catches the blog's custom-domain-on-a-CDN case: SNI is on, but
// it carries the CDN host name while the edge serves the site's own name.
var NGX104 = rule.Register(&rule.Rule{
	ID:         "NGX104",
	Slug:       "ssl-name-host-mismatch",
	Severity:   rule.Warning,
	Summary:    "SNI is on but *_ssl_name is unset, and the Host sent upstream differs from the proxy_pass host",
	LogClasses: []string{errlog.SlugPrematureClose},
	Doc: rule.Doc{
		Problem: "`proxy_ssl_server_name on` without `proxy_ssl_name`: nginx sends the proxy_pass host " +
			"(`d1234567890.cloudfront.net`) as SNI, while `proxy_set_header Host` sends another name (`example.com`). " +
			"The TLS name and the HTTP name disagree.",
		Why: "A CDN distribution with a custom domain presents the certificate for that domain and routes on Host. With SNI " +
			"naming the CDN host, an edge that only serves the custom name refuses the handshake (alert 40/112), and with " +
			"`proxy_ssl_verify on` the certificate does not match. Send the name the upstream serves: `proxy_ssl_name example.com;`.",
		Bad: `server {
    listen 80;
    server_name example.com;
    location / {
        proxy_pass https://d1234567890.cloudfront.net;  # want NGX104
        proxy_ssl_server_name on;
        proxy_set_header Host $host;
    }
}`,
		Good: `server {
    listen 80;
    server_name example.com;
    location / {
        proxy_pass https://d1234567890.cloudfront.net;
        proxy_ssl_server_name on;
        proxy_ssl_name example.com;
        proxy_set_header Host $host;
    }
}`,
		Context:  "http",
		Versions: "All versions. From 1.31.4 an explicit Host is also carried in HTTP/2 :authority; the mismatch stays.",
		LogLine:  `[crit] … SSL_do_handshake() failed (SSL: error:0A000458:SSL routines::tlsv1 unrecognized name:SSL alert number 112) while SSL handshaking to upstream (or alert 40, or "upstream SSL certificate does not match")`,
	},
	Run: runNGX104,
})

func runNGX104(pass *rule.Pass) {
	for _, p := range tlsProxies(pass.Model) {
		if p.Module != "proxy" && p.Module != "grpc" {
			continue // uwsgi and stream send no Host header
		}
		// Only host-name targets: upstream blocks and IPs are NGX102's and
		// NGX103's. A variable counts when all its values give one name.
		sent, kind, known := p.SentTarget()
		if !known || kind != model.HostName {
			continue
		}
		if sni, _ := p.Flag("ssl_server_name", false); !sni || sslName(p) != nil {
			continue
		}
		val, explicit := p.HostHeader()
		if explicit == nil || model.IsProxyHost(val) || val == "" {
			// $proxy_host is the proxy_pass host: the same name as SNI. An
			// empty Host is not sent before 1.31.4 and is $proxy_host after.
			continue
		}
		host, why, ok := p.ReceivedHost()
		if ok && strings.EqualFold(host, sent) {
			continue
		}
		if !ok {
			// Only the client's Host on a server with several names is a
			// known mismatch: most of those names are not the proxy host.
			// A computed Host (a map, another header) or a server with no
			// name to go by is unknown.
			s := p.Scope.Server()
			if !model.IsClientHost(val) || s == nil {
				continue
			}
			if plain, patterns := model.PlainServerNames(s.ServerNames()); len(plain)+len(patterns) < 2 {
				continue
			}
		}
		pre := p.Prefix()
		var msg string
		if ok {
			msg = fmt.Sprintf("%s sends SNI %q but the upstream receives Host %q: an edge serving %s presents its certificate for that name, not for %s; set %sssl_name",
				target(p), sent, host, host, sent, pre)
		} else {
			msg = fmt.Sprintf("%s sends SNI %q but the upstream receives the client's Host (%s), which is not that name for most requests: an edge serving those names presents its certificate for them, not for %s; set %sssl_name",
				target(p), sent, val, sent, pre)
		}
		var fix *rule.Fix
		if ok && !model.IsIP(host) {
			fix, why = planFix(pass.Model, p, fmt.Sprintf("send %s as SNI (%s)", host, why), true, setting{"ssl_name", quoteIfNeeded(host)})
		} else if ok {
			why = "the Host header is an IP literal"
		}
		if fix == nil {
			msg += fmt.Sprintf(" (no automatic fix: %s)", why)
		}
		pass.Report(p.Directive, msg, fix)
	}
}
