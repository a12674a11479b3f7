package rules

import (
	"fmt"
	"strings"

	"github.com/ngxlint/ngxlint/nginx"
	"github.com/ngxlint/ngxlint/nginx/errlog"
	"github.com/ngxlint/ngxlint/rules/rule"
)

// NGX108 catches upstream protocol sets that fail modern upstreams or keep
// deprecated versions on, including nginx's own defaults before 1.27.3.
var NGX108 = rule.Register(&rule.Rule{
	ID:         "NGX108",
	Slug:       "ssl-protocols-weak",
	Severity:   rule.Warning,
	Summary:    "*_ssl_protocols (explicit or nginx's default for the version) allows SSLv3/TLSv1/TLSv1.1 (warning), lacks TLSv1.3 (info), or both TLSv1.2 and TLSv1.3 (error)",
	LogClasses: []string{errlog.SlugAlertHandshakeFailure, errlog.SlugAlertProtocolVersion, errlog.SlugNoProtocols, errlog.SlugHandshakeFailed},
	Doc: rule.Doc{
		Problem: "The protocol versions nginx offers a TLS upstream — the effective `proxy_ssl_protocols`, or nginx's default " +
			"for the `--nginx-version` when none is set — enable SSLv2, SSLv3, TLSv1 or TLSv1.1, or leave out TLSv1.3, or " +
			"have neither TLSv1.2 nor TLSv1.3. The defaults moved twice: up to 1.23.3 `TLSv1 TLSv1.1 TLSv1.2` (no TLS 1.3), " +
			"1.23.4 to 1.27.2 `TLSv1 TLSv1.1 TLSv1.2 TLSv1.3`, from 1.27.3 `TLSv1.2 TLSv1.3`.",
		Why: "Without TLS 1.3 in the ClientHello (nginx 1.22's default, or a `TLSv1.2` pin like the blog's), a TLS 1.3-only " +
			"upstream refuses the handshake with alert 70 and every request gets 502. With only TLSv1/TLSv1.1 the same " +
			"happens against any upstream that follows RFC 8996. TLSv1 and TLSv1.1 are deprecated and off by default " +
			"from 1.27.3. Severity per case: error when neither TLSv1.2 nor TLSv1.3 is enabled (fails almost everywhere), " +
			"warning when a deprecated version is enabled (including the defaults before 1.27.3), info when only TLSv1.3 " +
			"is missing. The fix sets `proxy_ssl_protocols TLSv1.2 TLSv1.3;`: it rewrites the directive in effect, or adds " +
			"one to the location when the default applies.",
		Bad: `# ngxlint:nginx-version 1.22.1
server {
    listen 80;
    server_name example.com;
    location / {
        proxy_pass https://origin.example.net;  # want NGX108
        proxy_ssl_server_name on;
    }
}`,
		Good: `# ngxlint:nginx-version 1.22.1
server {
    listen 80;
    server_name example.com;
    location / {
        proxy_pass https://origin.example.net;
        proxy_ssl_server_name on;
        proxy_ssl_protocols TLSv1.2 TLSv1.3;
    }
}`,
		Context: "http",
		Versions: "Version-dependent when no *_ssl_protocols is set: it fires for nginx up to 1.27.2 (default with TLSv1 " +
			"and TLSv1.1; up to 1.23.3 also without TLSv1.3) and not from 1.27.3. An explicit directive is judged the same " +
			"on every version.",
		LogLine: `[error] … SSL_do_handshake() failed (SSL: error:0A00042E:SSL routines::tlsv1 alert protocol version:SSL alert number 70) while SSL handshaking to upstream`,
	},
	Run: runNGX108,
})

// protocolNames are the *_ssl_protocols values nginx knows, in order.
var protocolNames = []string{"SSLv2", "SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"}

// defaultProtocols is NGX_SSL_DEFAULT_PROTOCOLS for an nginx version.
func defaultProtocols(v nginx.Version) []string {
	switch {
	case v.Less(nginx.Version{Major: 1, Minor: 23, Patch: 4}):
		return []string{"TLSv1", "TLSv1.1", "TLSv1.2"}
	case v.Less(nginx.Version{Major: 1, Minor: 27, Patch: 3}):
		return []string{"TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"}
	}
	return []string{"TLSv1.2", "TLSv1.3"}
}

func runNGX108(pass *rule.Pass) {
	for _, p := range tlsProxies(pass.Model) {
		pre := p.Prefix()
		d := p.Setting("ssl_protocols")
		var set []string
		var where string
		if d != nil {
			// nginx compares the names case-insensitively
			for _, a := range d.Values() {
				for _, n := range protocolNames {
					if strings.EqualFold(a, n) {
						set = append(set, n)
					}
				}
			}
			where = fmt.Sprintf("%sssl_protocols %s (%s)", pre, strings.Join(d.Values(), " "), at(d))
		} else {
			set = defaultProtocols(pass.Version)
			where = fmt.Sprintf("nginx %s's default %sssl_protocols %s", pass.Version, pre, strings.Join(set, " "))
		}
		has := map[string]bool{}
		for _, n := range set {
			has[n] = true
		}
		var old []string
		for _, n := range []string{"SSLv2", "SSLv3", "TLSv1", "TLSv1.1"} {
			if has[n] {
				old = append(old, n)
			}
		}
		var problems []string
		sev := rule.Info
		switch {
		case !has["TLSv1.2"] && !has["TLSv1.3"]:
			sev = rule.Error
			problems = append(problems, "enables neither TLSv1.2 nor TLSv1.3, so any upstream that follows RFC 8996 refuses the handshake (alert 70) and every request gets 502")
		case !has["TLSv1.3"]:
			problems = append(problems, "leaves out TLSv1.3, so a TLS 1.3-only upstream refuses the handshake (alert 70)")
		}
		if len(old) > 0 {
			if sev == rule.Info {
				sev = rule.Warning
			}
			var rfcs []string
			if has["SSLv2"] || has["SSLv3"] {
				rfcs = append(rfcs, "RFC 6176, RFC 7568")
			}
			if has["TLSv1"] || has["TLSv1.1"] {
				rfcs = append(rfcs, "RFC 8996")
			}
			problems = append(problems, fmt.Sprintf("offers %s, deprecated (%s)", strings.Join(old, " and "), strings.Join(rfcs, ", ")))
		}
		if len(problems) == 0 {
			continue
		}
		msg := fmt.Sprintf("%s: %s %s", target(p), where, strings.Join(problems, ", and "))
		const want = "TLSv1.2 TLSv1.3"
		desc := fmt.Sprintf("offer TLS 1.2 and 1.3 only (%sssl_protocols %s)", pre, want)
		var fix *rule.Fix
		if d != nil {
			fix = &rule.Fix{Description: desc, Edits: []rule.Edit{replaceArgs(d, want)}}
		} else {
			var reason string
			fix, reason = planFix(pass.Model, p, desc, false, setting{"ssl_protocols", want})
			if fix == nil {
				msg += fmt.Sprintf(" (no automatic fix: %s)", reason)
			}
		}
		pass.ReportAs(sev, p.Directive, msg, fix)
	}
}
