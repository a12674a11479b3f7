package rules

import (
	"fmt"
	"strconv"

	"github.com/ngxlint/ngxlint/nginx/errlog"
	"github.com/ngxlint/ngxlint/rules/rule"
)

// NGX107 catches verification whose chain depth is nginx's default of 1:
// a certificate with two intermediates fails with an error that reads
// like a wrong CA.
var NGX107 = rule.Register(&rule.Rule{
	ID:         "NGX107",
	Slug:       "ssl-verify-depth-low",
	Severity:   rule.Info,
	Summary:    "*_ssl_verify on with *_ssl_verify_depth 1 (the default): chains with two intermediates fail with verify error 20",
	LogClasses: []string{errlog.SlugVerifyError},
	Doc: rule.Doc{
		Problem: "Upstream verification is on and the effective `proxy_ssl_verify_depth` is 1, nginx's default (or 0). " +
			"Depth 1 accepts the leaf, one intermediate and the trusted root; a chain with two intermediates " +
			"(leaf ← intermediate 2 ← intermediate 1 ← root) is rejected.",
		Why: "The rejection is logged as `upstream SSL certificate verify error: (20:unable to get local issuer " +
			"certificate)` — not error 22 (chain too long) — so it looks like a missing CA, and people swap bundles " +
			"instead of raising the depth. Every request gets 502. It bites when an upstream renews with a CA whose " +
			"hierarchy is one level deeper (cross-signed roots, enterprise PKIs). `proxy_ssl_verify_depth 2;` costs " +
			"nothing. Info: most public chains have one intermediate, so nothing is broken yet. The fix raises the " +
			"depth where it is set, or adds it next to the `proxy_ssl_verify on;` that turned verification on.",
		Bad: `server {
    listen 80;
    server_name example.com;
    location / {
        proxy_pass https://origin.example.net;  # want NGX107
        proxy_ssl_server_name on;
        proxy_ssl_verify on;
        proxy_ssl_trusted_certificate /etc/ssl/certs/ca-certificates.crt;
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
		Versions: "All versions: *_ssl_verify_depth defaults to 1 from its introduction to the newest release.",
		LogLine:  `[error] … upstream SSL certificate verify error: (20:unable to get local issuer certificate) while SSL handshaking to upstream`,
	},
	Run: runNGX107,
})

func runNGX107(pass *rule.Pass) {
	for _, p := range tlsProxies(pass.Model) {
		on, set := p.Flag("ssl_verify", false)
		if !on {
			continue
		}
		pre := p.Prefix()
		depth, dd := 1, p.Setting("ssl_verify_depth")
		if dd != nil {
			n, err := strconv.Atoi(dd.Arg(0))
			if err != nil {
				continue // nginx rejects it; not ours
			}
			depth = n
		}
		if depth > 1 {
			continue
		}
		src := "the default"
		if dd != nil {
			src = "set at " + at(dd)
		}
		msg := fmt.Sprintf("%s verifies the upstream (%s) with %sssl_verify_depth %d (%s): a certificate chain with two intermediates fails with \"verify error: (20:unable to get local issuer certificate)\", which reads like a wrong CA",
			target(p), at(set), pre, depth, src)
		var fix *rule.Fix
		desc := fmt.Sprintf("accept chains with two intermediates (%sssl_verify_depth 2)", pre)
		switch {
		case dd != nil:
			fix = &rule.Fix{Description: desc, Edits: []rule.Edit{replaceArgs(dd, "2")}}
		case sharedFile(pass.Model, set.File):
			var reason string
			fix, reason = planFix(pass.Model, p, desc, false, setting{"ssl_verify_depth", "2"})
			if fix == nil {
				msg += fmt.Sprintf(" (no automatic fix: %s)", reason)
			}
		default:
			fix = &rule.Fix{Description: desc, Edits: []rule.Edit{insertAt(set, false, []string{pre + "ssl_verify_depth 2;"})}}
		}
		pass.Report(p.Directive, msg, fix)
	}
}
