package rules

import (
	"fmt"
	"strings"

	"github.com/ngxlint/ngxlint/nginx/errlog"
	"github.com/ngxlint/ngxlint/nginx/model"
	"github.com/ngxlint/ngxlint/rules/rule"
)

// NGX101 catches the outage that motivated ngxlint: a TLS upstream reached
// by name while nginx sends no SNI, which SNI-only edges refuse.
var NGX101 = rule.Register(&rule.Rule{
	ID:         "NGX101",
	Slug:       "ssl-server-name-off",
	Severity:   rule.Error,
	Summary:    "TLS upstream addressed by name, but *_ssl_server_name is off: nginx sends no SNI",
	LogClasses: []string{errlog.SlugAlertHandshakeFailure, errlog.SlugPeerClosed, errlog.SlugPeerReset, errlog.SlugHandshakeTimeout},
	Doc: rule.Doc{
		Problem: "`proxy_pass https://…` (or `grpc_pass grpcs://…`, `uwsgi_pass suwsgi://…`, stream `proxy_ssl on`) " +
			"targets a host name, an `upstream{}` block or a variable, and the effective `proxy_ssl_server_name` is off. " +
			"That is nginx's default: without `proxy_ssl_server_name on;` the ClientHello carries no SNI at all.",
		Why: "CDNs (CloudFront, Fastly, Akamai, Azure Front Door), cloud load balancers and S3 serve many names on one address " +
			"and pick the certificate from SNI. Without SNI they abort the handshake (alert 40 or 112), drop or reset it, " +
			"and every request through this location fails with 502 — typically only after a migration, at request time, " +
			"never at `nginx -t`.",
		Bad: `server {
    listen 80;
    server_name example.com;
    location / {
        proxy_pass https://d1234567890.cloudfront.net;  # want NGX101
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
		Versions: "All versions: proxy_ssl_server_name exists since 1.7.0 and is off by default up to the newest release.",
		LogLine:  `[error] … SSL_do_handshake() failed (SSL: error:0A000410:SSL routines::sslv3 alert handshake failure:SSL alert number 40) while SSL handshaking to upstream`,
	},
	Run: runNGX101,
})

func runNGX101(pass *rule.Pass) {
	for _, p := range tlsProxies(pass.Model) {
		switch p.HostKind {
		case model.HostName, model.HostUpstream:
		case model.HostVariable:
			if allIPs(p) {
				continue // every value is an IP literal: NGX103's business
			}
		default:
			continue // IP literals never get SNI: NGX103's business
		}
		on, set := p.Flag("ssl_server_name", false)
		if on {
			continue
		}
		pre := p.Prefix()
		why := "off by default"
		if set != nil {
			why = fmt.Sprintf("turned off at %s:%d", set.File.Path, set.Pos().Line)
		}
		msg := fmt.Sprintf("%s: nginx sends no SNI because %sssl_server_name is %s; an SNI-only edge (CDN, load balancer, S3) refuses the handshake and clients get 502",
			target(p), pre, why)

		settings := []setting{{"ssl_server_name", "on"}}
		desc := "enable SNI"
		fixable := true
		if sslName(p) == nil {
			val, _ := p.HostHeader()
			sent, known := p.SentName()
			host, hwhy, ok := p.ReceivedHost()
			switch {
			case p.Module == "stream" || p.Module == "uwsgi":
				// no Host header: the proxy_pass host is the only name around
			case model.IsProxyHost(val):
				// Host is $proxy_host: SNI will carry the same name, even
				// for a variable target whose value is only known at run time
			case ok && (!known || !strings.EqualFold(host, sent)) && !model.IsIP(host):
				settings = append(settings, setting{"ssl_name", quoteIfNeeded(host)})
				desc = fmt.Sprintf("enable SNI and send %s (%s)", host, hwhy)
			case ok:
				// the Host the upstream receives is the name nginx sends
			default:
				fixable = false
				msg += fmt.Sprintf("; which name to send is ambiguous (%s): add %sssl_server_name on; and %sssl_name <name on the upstream's certificate>;", hwhy, pre, pre)
			}
		}
		var fix *rule.Fix
		if fixable {
			var reason string
			fix, reason = planFix(pass.Model, p, desc, len(settings) > 1, settings...)
			switch {
			case fix == nil && len(settings) > 1:
				msg += fmt.Sprintf("; the SNI name should be %s, but %s, so no automatic edit", strings.Trim(settings[1].value, `"`), reason)
			case fix == nil:
				msg += fmt.Sprintf(" (no automatic fix: %s)", reason)
			}
		}
		pass.Report(p.Directive, msg, fix)
	}
}

// allIPs reports whether every value a variable target can take is an IP
// literal, for which nginx never sends SNI.
func allIPs(p *model.Proxy) bool {
	if !p.KnownValues() {
		return false
	}
	for _, v := range p.Values {
		if v.Kind != model.HostIPv4 && v.Kind != model.HostIPv6 {
			return false
		}
	}
	return true
}
