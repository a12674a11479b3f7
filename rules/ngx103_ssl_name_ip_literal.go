package rules

import (
	"fmt"

	"github.com/ngxlint/ngxlint/nginx/errlog"
	"github.com/ngxlint/ngxlint/nginx/model"
	"github.com/ngxlint/ngxlint/rules/rule"
)

// NGX103 catches TLS upstreams addressed by IP, for which nginx can never
// send SNI and verification checks the IP as a DNS name.
var NGX103 = rule.Register(&rule.Rule{
	ID:         "NGX103",
	Slug:       "ssl-name-ip-literal",
	Severity:   rule.Error,
	Summary:    "TLS upstream is an IP literal and *_ssl_name is unset: no SNI is ever sent, and verification checks the IP",
	LogClasses: []string{errlog.SlugAlertHandshakeFailure, errlog.SlugAlertUnrecognizedName, errlog.SlugPeerClosed, errlog.SlugPeerReset, errlog.SlugNameMismatch},
	Doc: rule.Doc{
		Problem: "SNI or verification is on, `proxy_ssl_name` is unset, and the target is an IPv4 or IPv6 literal " +
			"(`proxy_pass https://10.0.0.5;`). As per RFC 6066 nginx never puts an IP in SNI, so `proxy_ssl_server_name on` " +
			"silently does nothing, and `proxy_ssl_verify on` checks the certificate against the IP.",
		Why: "An SNI-routed edge refuses the nameless handshake (alert 40, 502), and a certificate issued for a host name " +
			"fails verification (`upstream SSL certificate does not match \"10.0.0.5\"`). Name the host with `proxy_ssl_name`.",
		Bad: `server {
    listen 80;
    server_name example.com;
    location / {
        proxy_pass https://10.0.0.5;  # want NGX103
        proxy_ssl_server_name on;
        proxy_set_header Host example.com;
    }
}`,
		Good: `server {
    listen 80;
    server_name example.com;
    location / {
        proxy_pass https://10.0.0.5;
        proxy_ssl_server_name on;
        proxy_ssl_name example.com;
        proxy_set_header Host example.com;
    }
}`,
		Context:  "http",
		Versions: "All versions.",
		LogLine:  `[error] … SSL_do_handshake() failed (SSL: error:0A000410:SSL routines::sslv3 alert handshake failure:SSL alert number 40) while SSL handshaking to upstream; with verify on: upstream SSL certificate does not match "10.0.0.5"`,
	},
	Run: runNGX103,
})

func runNGX103(pass *rule.Pass) {
	for _, p := range tlsProxies(pass.Model) {
		ip := ""
		switch p.HostKind {
		case model.HostIPv4, model.HostIPv6:
			ip = p.Host
		case model.HostVariable:
			for _, v := range p.Values {
				if v.Kind == model.HostIPv4 || v.Kind == model.HostIPv6 {
					ip = v.Host
					break
				}
			}
		}
		if ip == "" {
			continue
		}
		_, verify, used := nameInUse(p)
		if !used || sslName(p) != nil {
			continue
		}
		pre := p.Prefix()
		msg := fmt.Sprintf("%s targets the IP literal %s: nginx never sends an IP as SNI (RFC 6066)", target(p), ip)
		if verify {
			msg += fmt.Sprintf(", and verification checks the certificate against %q", ip)
		}
		msg += fmt.Sprintf("; set %sssl_name to the host name on the upstream's certificate", pre)
		var fix *rule.Fix
		host, why, ok := p.ReceivedHost()
		switch {
		case ok && !model.IsIP(host):
			fix, why = planFix(pass.Model, p, fmt.Sprintf("send and verify %s (%s)", host, why), true, setting{"ssl_name", quoteIfNeeded(host)})
		case ok:
			why = "the Host header is an IP too"
		}
		if fix == nil {
			msg += fmt.Sprintf(" (no automatic fix: %s)", why)
		}
		pass.Report(p.Directive, msg, fix)
	}
}
