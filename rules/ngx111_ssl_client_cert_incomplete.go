package rules

import (
	"fmt"

	"github.com/ngxlint/ngxlint/nginx/errlog"
	"github.com/ngxlint/ngxlint/rules/rule"
)

// NGX111 catches half of a client certificate pair: nginx refuses a
// certificate without its key, and silently sends nothing for a key
// without its certificate.
var NGX111 = rule.Register(&rule.Rule{
	ID:         "NGX111",
	Slug:       "ssl-client-cert-incomplete",
	Severity:   rule.Error,
	Summary:    "*_ssl_certificate without *_ssl_certificate_key, or the key without the certificate (effective values)",
	LogClasses: []string{errlog.SlugAlertHandshakeFailure, errlog.SlugAlertClientCert, errlog.SlugClientCertNoKey},
	Doc: rule.Doc{
		Problem: "For an upstream TLS connection, the effective `proxy_ssl_certificate` has no effective " +
			"`proxy_ssl_certificate_key`, or the key has no certificate. Each inherits on its own, so the pair can be " +
			"split across levels and still be complete; this rule looks at what is in effect at each proxy.",
		Why: "A certificate without a key stops nginx: `nginx -t`, start and reload fail with `no " +
			"\"proxy_ssl_certificate_key\" is defined for certificate \"…\"` (for every location where nginx " +
			"prepares upstream TLS, including http:// targets with variables). A key without a certificate is " +
			"accepted and ignored: nginx presents no client certificate, and an upstream that requires one refuses " +
			"the handshake (`tlsv13 alert certificate required`, alert 116, or a 400/403). No automatic fix: the " +
			"missing path is yours to name.",
		Bad: `server {
    listen 80;
    server_name example.com;
    location / {
        proxy_pass https://api.example.net;  # want NGX111
        proxy_ssl_certificate /etc/nginx/client.pem;
    }
}`,
		Good: `server {
    listen 80;
    server_name example.com;
    location / {
        proxy_pass https://api.example.net;
        proxy_ssl_certificate /etc/nginx/client.pem;
        proxy_ssl_certificate_key /etc/nginx/client.key;
    }
}`,
		Context:  "http",
		Versions: "All versions (proxy_ssl_certificate 1.7.8; variables in the paths from 1.21.0).",
		LogLine:  `nginx: [emerg] no "proxy_ssl_certificate_key" is defined for certificate "/etc/nginx/client.pem"`,
	},
	Run: runNGX111,
})

func runNGX111(pass *rule.Pass) {
	for _, p := range pass.Model.Proxies {
		if !sslPrepared(p) {
			continue
		}
		pre := p.Prefix()
		cert, key := p.Setting("ssl_certificate"), p.Setting("ssl_certificate_key")
		if cert != nil && cert.Arg(0) == "" {
			cert = nil
		}
		if key != nil && key.Arg(0) == "" {
			key = nil
		}
		switch {
		case cert != nil && key == nil:
			pass.Report(p.Directive, fmt.Sprintf("%s: %sssl_certificate %s (%s) has no %sssl_certificate_key in effect here: nginx refuses to start with \"no \\\"%sssl_certificate_key\\\" is defined for certificate \\\"%s\\\"\"; add the key next to it",
				target(p), pre, cert.Arg(0), at(cert), pre, pre, cert.Arg(0)), nil)
		case key != nil && cert == nil && p.TLS:
			pass.Report(p.Directive, fmt.Sprintf("%s: %sssl_certificate_key %s (%s) has no %sssl_certificate in effect here: nginx ignores the key and presents no client certificate, so an upstream that requires one refuses the handshake (alert 116) or answers 400/403; add the certificate next to it",
				target(p), pre, key.Arg(0), at(key), pre), nil)
		}
	}
}
