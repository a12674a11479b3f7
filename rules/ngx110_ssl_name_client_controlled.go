package rules

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/ngxlint/ngxlint/nginx/config"
	"github.com/ngxlint/ngxlint/nginx/errlog"
	"github.com/ngxlint/ngxlint/nginx/model"
	"github.com/ngxlint/ngxlint/rules/rule"
)

// NGX110 catches *_ssl_name values the client writes: then the client
// picks the SNI nginx sends and the name the certificate is checked
// against.
var NGX110 = rule.Register(&rule.Rule{
	ID:         "NGX110",
	Slug:       "ssl-name-client-controlled",
	Severity:   rule.Warning,
	Summary:    "*_ssl_name is built from client-controlled variables ($http_host, $http_*, $arg_*, $cookie_*, …; $host: info): the client picks the SNI and the verified name",
	LogClasses: []string{errlog.SlugAlertUnrecognizedName, errlog.SlugNameMismatch},
	Doc: rule.Doc{
		Problem: "The effective `proxy_ssl_name` (with SNI or verification on) contains a variable the client sets: " +
			"`$http_host` and any `$http_*` header, `$arg_*`, `$cookie_*`, `$request_uri`, `$uri`, `$args`, or a `map` " +
			"whose values are such variables; or `$host`, `$ssl_server_name`, `$ssl_preread_server_name`, which the " +
			"client sets within the names nginx routes on.",
		Why: "On a CDN or load balancer that serves many tenants by SNI, whoever sends the request chooses which " +
			"tenant nginx connects to, and with `proxy_ssl_verify on` the certificate is checked against that same " +
			"client-chosen name, so verification proves nothing about the intended upstream. `$http_host` also differs " +
			"from the host nginx routed by when the request line carries an absolute URI. Name the upstream: " +
			"`proxy_ssl_name origin.example.net;`. Warning for raw request data; info for `$host`, `$ssl_server_name` " +
			"and `$ssl_preread_server_name` (the client picks among the names that reach this server, which is often " +
			"deliberate in multi-tenant proxies). The fix, when the server has exactly one name, sends that name.",
		Bad: `server {
    listen 80;
    server_name example.com;
    location / {
        proxy_pass https://d1234567890.cloudfront.net;  # want NGX110
        proxy_ssl_server_name on;
        proxy_ssl_name $http_host;
    }
}`,
		Good: `server {
    listen 80;
    server_name example.com;
    location / {
        proxy_pass https://d1234567890.cloudfront.net;
        proxy_ssl_server_name on;
        proxy_ssl_name example.com;
    }
}`,
		Context:  "http",
		Versions: "All versions that have *_ssl_name (proxy 1.7.0, stream 1.9.0, uwsgi 1.7.7, grpc 1.13.10). nginx strips a port from the name (§1.2).",
	},
	Run: runNGX110,
})

var (
	// rawClientVar matches variables holding request data as the client
	// sent it.
	rawClientVar = regexp.MustCompile(`(?i)\$\{?(http_[a-z0-9_]+|arg_[a-z0-9_]+|cookie_[a-z0-9_]+|request_uri|uri|document_uri|args|query_string|request|request_body|remote_user|content_type)\}?\b`)
	// routedClientVar matches names the client picks among those that
	// reach the server.
	routedClientVar = regexp.MustCompile(`(?i)\$\{?(host|ssl_server_name|ssl_preread_server_name)\}?\b`)
)

// clientControlled returns the client-controlled variable a value uses
// ("" for none) and whether it is raw request data. A map variable counts
// when one of its values is, or is a capture from a client-controlled
// source.
func clientControlled(m *model.Model, val string) (v string, raw bool) {
	if x := rawClientVar.FindString(val); x != "" {
		return x, true
	}
	routed := routedClientVar.FindString(val)
	for _, ref := range variableRefs(val) {
		for _, key := range m.MapKeys(ref) {
			for _, md := range m.Maps[key] {
				through := fmt.Sprintf(" (through map %s at %s)", key, at(md))
				src := md.Arg(0)
				for d := range config.Children(md.Block) {
					if len(d.Args) == 0 || d.Name == "hostnames" || d.Name == "volatile" {
						continue
					}
					e := d.Arg(len(d.Args) - 1)
					if captureRE.MatchString(e) || strings.HasPrefix(d.Name, "~") && strings.Contains(e, "$") {
						e += " " + src // a capture is a piece of the source
					}
					if x := rawClientVar.FindString(e); x != "" {
						return x + through, true
					}
					if x := routedClientVar.FindString(e); x != "" && routed == "" {
						routed = x + through
					}
				}
			}
		}
	}
	return routed, false
}

var (
	varRefRE  = regexp.MustCompile(`\$\{?([A-Za-z0-9_]+)\}?`)
	captureRE = regexp.MustCompile(`\$\{?[0-9]`)
)

// variableRefs lists "$name" for every variable a value references.
func variableRefs(val string) []string {
	var out []string
	for _, m := range varRefRE.FindAllStringSubmatch(val, -1) {
		out = append(out, "$"+m[1])
	}
	return out
}

func runNGX110(pass *rule.Pass) {
	for _, p := range tlsProxies(pass.Model) {
		d := sslName(p)
		if d == nil {
			continue
		}
		sni, verify, used := nameInUse(p)
		if !used {
			continue // the name is computed but never used
		}
		v, raw := clientControlled(pass.Model, d.Arg(0))
		if v == "" {
			continue
		}
		pre := p.Prefix()
		uses := "as SNI"
		switch {
		case sni && verify:
			uses = "as SNI and as the name the certificate must match"
		case verify:
			uses = "as the name the certificate must match"
		}
		msg := fmt.Sprintf("%s: %sssl_name %s (%s) comes from %s, which the client controls: nginx uses it %s, so the client picks which upstream tenant answers and what is verified; name the upstream",
			target(p), pre, d.Arg(0), at(d), v, uses)
		sev := rule.Warning
		if !raw {
			sev = rule.Info
		}
		var fix *rule.Fix
		if name, why, ok := onlyServerName(p); ok && model.IsClientHost(d.Arg(0)) {
			var reason string
			fix, reason = planFix(pass.Model, p, fmt.Sprintf("send and verify %s (%s)", name, why), true, setting{"ssl_name", quoteIfNeeded(name)})
			if fix == nil {
				msg += fmt.Sprintf(" (no automatic fix: %s)", reason)
			}
		}
		pass.ReportAs(sev, p.Directive, msg, fix)
	}
}

// onlyServerName returns the server's single plain server_name.
func onlyServerName(p *model.Proxy) (string, string, bool) {
	s := p.Scope.Server()
	if s == nil || s.Kind != model.KindServer {
		return "", "", false
	}
	names, patterns := model.PlainServerNames(s.ServerNames())
	if len(names) == 1 && len(patterns) == 0 {
		return names[0], "the server's only server_name", true
	}
	return "", "", false
}
