package rules

import (
	"fmt"
	"strings"

	"github.com/ngxlint/ngxlint/nginx/errlog"
	"github.com/ngxlint/ngxlint/nginx/model"
	"github.com/ngxlint/ngxlint/rules/rule"
)

// NGX109 catches a scheme that does not match the port: TLS to a port
// that speaks plain HTTP, or plain HTTP to the TLS port.
var NGX109 = rule.Register(&rule.Rule{
	ID:         "NGX109",
	Slug:       "ssl-scheme-port-mismatch",
	Severity:   rule.Warning,
	Summary:    "https:// (or grpcs://, suwsgi://, proxy_ssl on) to port 80 or 8080, or http:// (grpc://) to port 443",
	LogClasses: []string{errlog.SlugWrongVersionNumber},
	Doc: rule.Doc{
		Problem: "The proxy target's scheme and port disagree: `proxy_pass https://origin.example.net:80;` or `:8080`, " +
			"`proxy_pass http://origin.example.net:443;`, the same through an `upstream{}` block's `server` lines " +
			"(a `server` without a port means port 80 there), a variable's values, grpc, uwsgi, or a stream " +
			"`proxy_ssl on` to port 80.",
		Why: "TLS to a plain-HTTP port: the upstream answers the ClientHello with HTTP, nginx logs `SSL_do_handshake() " +
			"failed (SSL: error:0A00010B:SSL routines::wrong version number)` and every request gets 502. Plain HTTP to " +
			"the TLS port: the upstream answers `400 The plain HTTP request was sent to HTTPS port` or closes, nginx " +
			"passes that on and logs nothing. No automatic fix: only you know whether the scheme or the port is wrong.",
		Bad: `upstream backend {
    server origin.example.net;
}
server {
    listen 80;
    server_name example.com;
    location / {
        proxy_pass https://backend;  # want NGX109
    }
}`,
		Good: `upstream backend {
    server origin.example.net:443;
}
server {
    listen 80;
    server_name example.com;
    location / {
        proxy_pass https://backend;
    }
}`,
		Context:  "http",
		Versions: "All versions.",
		LogLine:  `[error] … SSL_do_handshake() failed (SSL: error:0A00010B:SSL routines::wrong version number) while SSL handshaking to upstream`,
	},
	Run: runNGX109,
})

// plainPorts are the ports that conventionally speak plain HTTP.
var plainPorts = map[string]bool{"80": true, "8080": true}

func runNGX109(pass *rule.Pass) {
	for _, p := range pass.Model.Proxies {
		if p.HostKind == model.HostUnix {
			continue
		}
		tls, plainHTTP := p.TLS, p.Scheme == "http" || p.Scheme == "grpc" || p.Module == "grpc" && p.Scheme == ""
		var bad []string
		check := func(tls, plain bool, port string, what func() string) {
			switch {
			case tls && plainPorts[port]:
				bad = append(bad, fmt.Sprintf("%s is port %s, which usually speaks plain HTTP: the upstream answers the TLS handshake with HTTP, nginx logs \"wrong version number\" and clients get 502", what(), port))
			case plain && port == "443":
				bad = append(bad, fmt.Sprintf("%s is port 443, which usually speaks TLS: the upstream answers \"400 The plain HTTP request was sent to HTTPS port\" or closes, and nginx logs nothing", what()))
			}
		}
		switch {
		case p.HostKind == model.HostUpstream:
			if p.Port != "" {
				continue // NGX112: nginx refuses it
			}
			for _, s := range p.Upstream.Servers {
				port, explicit := model.ParseUpstreamServer(s).EffectivePort()
				check(tls, plainHTTP, port, func() string {
					if !explicit {
						return fmt.Sprintf("upstream %s's server %s (%s) names no port, so it", p.Upstream.Name, s.Arg(0), at(s))
					}
					return fmt.Sprintf("upstream %s's server %s (%s)", p.Upstream.Name, s.Arg(0), at(s))
				})
			}
		case p.Port != "":
			check(tls, plainHTTP, p.Port, func() string { return "the target's port" })
		case p.HostKind == model.HostVariable:
			for _, v := range p.AllValues {
				if v.Port == "" || v.Kind == model.HostVariable {
					continue
				}
				vtls, vplain := tls, plainHTTP
				if v.Scheme != "" {
					vtls = v.Scheme == "https" || v.Scheme == "grpcs" || v.Scheme == "suwsgi"
					vplain = v.Scheme == "http" || v.Scheme == "grpc"
				}
				check(vtls, vplain, v.Port, func() string {
					return fmt.Sprintf("the value %s (%s)", v.Source.Arg(len(v.Source.Args)-1), at(v.Source))
				})
			}
		}
		if len(bad) == 0 {
			continue
		}
		scheme := p.Scheme + "://"
		if p.Module == "stream" {
			scheme = "proxy_ssl on"
		}
		pass.Report(p.Directive, fmt.Sprintf("%s: the scheme is %s but %s; fix the scheme or the port (no automatic fix: which one is wrong is not in the config)",
			target(p), scheme, strings.Join(bad, "; ")), nil)
	}
}
