package rules

import (
	"fmt"

	"github.com/ngxlint/ngxlint/nginx/errlog"
	"github.com/ngxlint/ngxlint/rules/rule"
)

// NGX106 catches verification switched on without a CA bundle: nginx
// refuses to start and its message names no file or line.
var NGX106 = rule.Register(&rule.Rule{
	ID:         "NGX106",
	Slug:       "ssl-verify-without-ca",
	Severity:   rule.Error,
	Summary:    "*_ssl_verify on without *_ssl_trusted_certificate: nginx refuses to start, and says not where",
	LogClasses: []string{errlog.SlugNoTrustedCertificate},
	Doc: rule.Doc{
		Problem: "The effective `proxy_ssl_verify` is on where nginx prepares an upstream TLS context (an `https://` " +
			"target, `grpcs://`, `suwsgi://`, stream `proxy_ssl on`, or any http proxy target with variables), and no " +
			"`proxy_ssl_trusted_certificate` is in effect there.",
		Why: "nginx has no default CA store for upstreams. `nginx -t`, a start or a reload fails with " +
			"`no proxy_ssl_trusted_certificate for proxy_ssl_verify` — without the file and line, so in a large tree " +
			"it is a hunt. ngxlint reports the proxy it fails for and where verification was turned on. The fix adds " +
			"`proxy_ssl_trusted_certificate` (the bundle from `--trusted-ca`, default " +
			"/etc/ssl/certs/ca-certificates.crt) right after the `proxy_ssl_verify on;` that turned verification on, so " +
			"one edit covers every location inheriting it.",
		Bad: `server {
    listen 80;
    server_name example.com;
    location / {
        proxy_pass https://origin.example.net;  # want NGX106
        proxy_ssl_server_name on;
        proxy_ssl_verify on;
    }
}`,
		Good: `server {
    listen 80;
    server_name example.com;
    location / {
        proxy_pass https://origin.example.net;
        proxy_ssl_server_name on;
        proxy_ssl_verify on;
        proxy_ssl_trusted_certificate /etc/ssl/certs/ca-certificates.crt;
        proxy_ssl_verify_depth 2;
    }
}`,
		Context:  "http",
		Versions: "All versions. The check runs for every location with an upstream TLS context; a variable proxy_pass gets one even for http://.",
		LogLine:  `nginx: [emerg] no proxy_ssl_trusted_certificate for proxy_ssl_verify`,
	},
	Run: runNGX106,
})

func runNGX106(pass *rule.Pass) {
	for _, p := range pass.Model.Proxies {
		if !sslPrepared(p) {
			continue
		}
		on, set := p.Flag("ssl_verify", false)
		if !on {
			continue
		}
		pre := p.Prefix()
		ca := p.Setting("ssl_trusted_certificate")
		if ca != nil && ca.Arg(0) != "" {
			continue
		}
		lead := target(p)
		if !p.TLS {
			lead += " (a target with variables: nginx prepares TLS for it whatever the scheme)"
		}
		msg := fmt.Sprintf("%s: %sssl_verify is on (%s) but no %sssl_trusted_certificate is in effect: nginx refuses to start with \"no %sssl_trusted_certificate for %sssl_verify\", which names no file or line",
			lead, pre, at(set), pre, pre, pre)
		var fix *rule.Fix
		bundle := quoteIfNeeded(pass.Settings.CA())
		switch {
		case ca != nil:
			// an explicit empty value: fill it in where it is
			fix = &rule.Fix{Description: "trust " + pass.Settings.CA(), Edits: []rule.Edit{replaceArgs(ca, bundle)}}
		case sharedFile(pass.Model, set.File):
			// the file is included elsewhere too, where a bundle may be
			// set already: a second one there is a duplicate
			var reason string
			fix, reason = planFix(pass.Model, p, "trust "+pass.Settings.CA(), false, setting{"ssl_trusted_certificate", bundle})
			if fix == nil {
				msg += fmt.Sprintf(" (no automatic fix: %s)", reason)
			}
		default:
			fix = &rule.Fix{
				Description: fmt.Sprintf("trust %s next to the %sssl_verify on at %s", pass.Settings.CA(), pre, at(set)),
				Edits:       []rule.Edit{insertAt(set, false, []string{pre + "ssl_trusted_certificate " + bundle + ";"})},
			}
		}
		pass.Report(p.Directive, msg, fix)
	}
}
