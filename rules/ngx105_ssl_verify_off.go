package rules

import (
	"fmt"
	"strings"

	"github.com/ngxlint/ngxlint/nginx/model"
	"github.com/ngxlint/ngxlint/rules/rule"
)

// NGX105 catches TLS upstreams whose certificate nginx never checks: the
// default, and the reason an impostor on the path gets every request.
var NGX105 = rule.Register(&rule.Rule{
	ID:       "NGX105",
	Slug:     "ssl-verify-off",
	Severity: rule.Info,
	Summary:  "TLS upstream whose certificate is not verified: *_ssl_verify is off (the default)",
	Doc: rule.Doc{
		Problem: "`proxy_pass https://…` (or `grpcs://`, `suwsgi://`, stream `proxy_ssl on`) while the effective " +
			"`proxy_ssl_verify` is off, which is nginx's default. nginx encrypts the connection but accepts whatever " +
			"certificate the other end presents: expired, issued for another name, or self-signed.",
		Why: "Anyone who can redirect the connection (DNS, BGP, a compromised hop, a stale address now owned by someone " +
			"else) receives the requests with their cookies and credentials, and nothing is logged. Turn verification on " +
			"with a CA bundle: `proxy_ssl_verify on; proxy_ssl_trusted_certificate /etc/ssl/certs/ca-certificates.crt;` " +
			"(nginx has no default CA store). The fix proposes exactly that, with the bundle from `--trusted-ca` or " +
			"`trusted-ca:` in .ngxlint.yaml, and only where verification is off by default (an explicit " +
			"`proxy_ssl_verify off;` is left alone: it usually marks an upstream whose certificate does not verify) and " +
			"the name nginx verifies is a host name: with an IP literal or an upstream{} label as the name, set " +
			"`proxy_ssl_name` first (NGX102, NGX103). Verification also needs a deep " +
			"enough chain check (NGX107). Info, not warning: it is the default almost everywhere and breaks nothing today, " +
			"and turning it on can break a working upstream whose chain or name is wrong; raise it with " +
			"`rules: {ssl-verify-off: {severity: warning}}` once your upstreams verify.",
		Bad: `server {
    listen 80;
    server_name example.com;
    location / {
        proxy_pass https://origin.example.net;  # want NGX105
        proxy_ssl_server_name on;
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
		Context: "http",
		Versions: "All versions: *_ssl_verify is off by default from its introduction (proxy 1.7.0, stream 1.9.0, " +
			"uwsgi 1.7.7, grpc 1.13.10) to the newest release, and nginx has no default trusted CA.",
	},
	Run: runNGX105,
})

func runNGX105(pass *rule.Pass) {
	for _, p := range tlsProxies(pass.Model) {
		on, set := p.Flag("ssl_verify", false)
		if on {
			continue
		}
		pre := p.Prefix()
		why := "off by default"
		if set != nil {
			why = "turned off at " + at(set)
		}
		name, sane, nameWhy := verifyName(pass.Model, p)
		subject := "the upstream"
		if name != "" && !strings.Contains(name, "$") {
			subject = name
		}
		msg := fmt.Sprintf("%s: the upstream's certificate is not verified (%sssl_verify is %s): whoever answers for %s — even with a self-signed certificate — gets the requests",
			target(p), pre, why, subject)
		switch {
		case set != nil:
			// an explicit off is usually deliberate (a self-signed internal
			// upstream): flipping it could break a working upstream
			msg += fmt.Sprintf(" (no automatic fix: verification was turned off explicitly at %s; turn it on once the upstream's certificate verifies)", at(set))
			pass.Report(p.Directive, msg, nil)
			continue
		case !sane:
			msg += fmt.Sprintf(" (no automatic fix: verification would check %s; set %sssl_name to the upstream's host name first)", nameWhy, pre)
			pass.Report(p.Directive, msg, nil)
			continue
		}
		settings := []setting{{"ssl_verify", "on"}}
		desc := "verify the upstream's certificate"
		if ca := p.Setting("ssl_trusted_certificate"); ca == nil || ca.Arg(0) == "" {
			settings = append(settings, setting{"ssl_trusted_certificate", quoteIfNeeded(pass.Settings.CA())})
			desc += " against " + pass.Settings.CA()
		} else {
			desc += fmt.Sprintf(" against %s (set at %s)", ca.Arg(0), at(ca))
		}
		fix, reason := planFix(pass.Model, p, desc, false, settings...)
		if fix == nil {
			msg += fmt.Sprintf(" (no automatic fix: %s)", reason)
		}
		pass.Report(p.Directive, msg, fix)
	}
}

// verifyName returns the name nginx checks an upstream's certificate
// against (*_ssl_name, else the target host or upstream{} name) and
// whether a certificate can plausibly carry it. When it cannot, why says
// what the name is: an IP literal, an internal upstream{} label, or a
// variable target whose values are unknown.
func verifyName(m *model.Model, p *model.Proxy) (name string, sane bool, why string) {
	if d := sslName(p); d != nil {
		return d.Arg(0), true, ""
	}
	n, kind, known := p.SentTarget()
	if !known {
		return "", false, fmt.Sprintf("whatever host %s holds at run time", p.URL)
	}
	switch kind {
	case model.HostIPv4, model.HostIPv6:
		return n, false, fmt.Sprintf("the IP literal %s as a name (NGX103)", n)
	case model.HostUpstream:
		ups := m.Upstreams
		if p.Module == "stream" {
			ups = m.StreamUpstreams
		}
		if u := ups[strings.ToLower(n)]; u != nil && labelLike(u) {
			return n, false, fmt.Sprintf("the upstream{} block's name %q (NGX102)", n)
		}
	}
	return n, true, ""
}
