package rules

import "github.com/ngxlint/ngxlint/rules/rule"

// NGX900 is the log-driven rule: `ngxlint lint --error-log` reports it
// (lint/explain), so it has no Run. It makes sure a failure that
// production logs and no rule predicts is still a finding, at the place in
// the config that logged it.
var NGX900 = rule.Register(&rule.Rule{
	ID:       "NGX900",
	Slug:     "unexplained-upstream-error",
	Severity: rule.Warning,
	Summary:  "error.log shows upstream failures where no rule predicts them (lint --error-log)",
	Doc: rule.Doc{
		Problem: "`ngxlint lint --error-log` found error.log lines of an upstream failure — a TLS handshake, " +
			"certificate, DNS or connect error, or an upstream-looking line no class covers — that map to this " +
			"proxy directive (or its location or server), and none of the rules that explain that kind of line " +
			"reports anything here. The finding carries the count, the first and last time and a sample line.",
		Why: "Rules only catch the mistakes they know. A failure that production logs but no rule predicts is the " +
			"one most likely to be missed, so it is reported rather than dropped: the cause is on the upstream side " +
			"(it wants a client certificate, its certificate expired, it is down), in a setting ngxlint does not " +
			"check, or a suppression whose reason no longer holds. Read the sample line and the class's cause " +
			"(`ngxlint explain` prints both), fix the config or the upstream, then rotate the log. " +
			"Suppress one place with `# ngxlint:ignore NGX900 <reason>` on the proxy directive, or turn the rule " +
			"off with `--disable NGX900` or in .ngxlint.yaml.",
		Bad: `# the upstream requires a client certificate; nginx sends none
proxy_pass https://origin.example.com;  # want NGX900
proxy_ssl_server_name on;
proxy_ssl_name origin.example.com;`,
		Good: `proxy_pass https://origin.example.com;
proxy_ssl_server_name on;
proxy_ssl_name origin.example.com;
proxy_ssl_certificate /etc/nginx/client.pem;
proxy_ssl_certificate_key /etc/nginx/client.key;`,
		Context: "location",
		Versions: "Not version-specific. Reported only with `--error-log`: the bad example is linted with the " +
			"error.log line below, the good one (the fixed config, after which the line no longer appears) without.",
		LogLine: `2026/11/26 01:11:01 [error] 88#88: *4 SSL_do_handshake() failed (SSL: error:0A00045C:SSL routines::tlsv13 alert certificate required:SSL alert number 116) while SSL handshaking to upstream, client: 10.0.0.4, server: example.com, request: "GET / HTTP/1.1", upstream: "https://203.0.113.10:443/", host: "example.com"`,
	},
})
