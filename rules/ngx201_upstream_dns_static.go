package rules

import (
	"fmt"
	"strings"

	"github.com/ngxlint/ngxlint/nginx"
	"github.com/ngxlint/ngxlint/nginx/config"
	"github.com/ngxlint/ngxlint/nginx/errlog"
	"github.com/ngxlint/ngxlint/nginx/model"
	"github.com/ngxlint/ngxlint/rules/rule"
)

// NGX201 catches upstream host names nginx resolves once, at start or
// reload, and then keeps for good: fine for static hosts, an outage in
// waiting for cloud load balancers whose addresses are reassigned.
var NGX201 = rule.Register(&rule.Rule{
	ID:         "NGX201",
	Slug:       "upstream-dns-static",
	Severity:   rule.Info,
	Summary:    "Upstream host name resolved only at start: a literal host in proxy_pass, or an upstream{} server without resolve (warning for cloud load balancers)",
	LogClasses: []string{errlog.SlugHandshakeTimeout, errlog.SlugHostNotFound, errlog.SlugConnectFailed, errlog.SlugConnectTimeout},
	Doc: rule.Doc{
		Problem: "`proxy_pass https://api.example.net;` (any scheme, grpc, uwsgi, stream) or `server api.example.net:443;` " +
			"in an `upstream{}` block without `resolve`. nginx resolves such names with the system resolver when it " +
			"loads the configuration and uses those addresses until the next reload; a `resolver` directive does not " +
			"change that (NGX203).",
		Why: "When the name moves, nginx keeps connecting to the old addresses: `connect() failed (111: Connection " +
			"refused)` or `upstream timed out` and 502/504 until someone reloads. Cloud load balancers (AWS ELB/ALB/NLB, " +
			"API Gateway, Azure App Service and Traffic Manager, Heroku, Elastic Beanstalk) change and release their " +
			"addresses routinely, and a released address may later belong to someone else: those are warnings. CDN and " +
			"anycast front doors (CloudFront, S3, Azure Front Door, Fastly, Akamai, Google front ends) rotate addresses " +
			"too, but a stale one still reaches the provider, which routes by SNI and Host, so failures are rarer (a " +
			"retired edge, lost geo-steering): info, like any other host name (a Docker service name changes its " +
			"address when the container is recreated).\n\n" +
			"The cure depends on the version. Before 1.27.3: a variable target plus `resolver` (`resolver 127.0.0.53 " +
			"valid=30s; set $origin api.example.net; proxy_pass https://$origin;`) — no automatic edit, because with " +
			"variables a URI part in proxy_pass is passed as written instead of replacing the matched location " +
			"prefix, an upstream{} block's features (keepalive, several servers) are lost, and the resolver must be " +
			"one nginx can reach. From 1.27.3: `zone` plus `server … resolve` " +
			"in an upstream{} block, with a `resolver`; for a literal proxy_pass, name the block after the host " +
			"(`upstream api.example.net { zone api 64k; server api.example.net:443 resolve; }`) so SNI and Host stay " +
			"the same. The automatic edit adds `resolve` (and `zone`) to an upstream{} server line only on 1.27.3 or " +
			"later, only for a dotted host name, and only when a `resolver` is already in effect for the block.",
		Bad: `upstream api {
    server api-123.eu-west-1.elb.amazonaws.com:443;  # want NGX201
}
server {
    listen 80;
    server_name example.com;
    location / {
        proxy_pass https://api;
    }
}`,
		Good: `# ngxlint:nginx-version 1.27.3
resolver 169.254.169.253 valid=30s;
upstream api {
    zone api 64k;
    server api-123.eu-west-1.elb.amazonaws.com:443 resolve;
}
server {
    listen 80;
    server_name example.com;
    location / {
        proxy_pass https://api;
    }
}`,
		Context: "http",
		Versions: "All versions resolve literal names at load. `server … resolve` in open-source nginx from 1.27.3 " +
			"(NGINX Plus only before): the advice and the automatic edit switch on --nginx-version.",
		LogLine: `[error] … connect() failed (111: Connection refused) while connecting to upstream (a stale address; at load: [emerg] host not found in upstream "api.example.net")`,
	},
	Run: runNGX201,
})

// cloudHost classifies an upstream host name: the provider it belongs to
// ("" for none) and whether its addresses are reassigned (load balancers,
// PaaS, DNS failover) rather than anycast or CDN edges.
func cloudHost(host string) (provider string, reassigned bool) {
	h := strings.ToLower(strings.TrimSuffix(host, "."))
	has := func(suffix string) bool { return h == suffix || strings.HasSuffix(h, "."+suffix) }
	switch {
	case strings.Contains(h, ".elb.") && (strings.HasSuffix(h, ".amazonaws.com") || strings.HasSuffix(h, ".amazonaws.com.cn")):
		return "an AWS load balancer (ELB/ALB/NLB)", true
	case strings.Contains(h, ".execute-api.") && strings.HasSuffix(h, ".amazonaws.com"):
		return "AWS API Gateway", true
	case strings.Contains(h, ".lambda-url.") && has("on.aws"):
		return "an AWS Lambda function URL", true
	case has("elasticbeanstalk.com"):
		return "AWS Elastic Beanstalk", true
	case has("cloudapp.azure.com") || has("cloudapp.net"):
		return "an Azure cloud service", true
	case has("azurewebsites.net"):
		return "Azure App Service", true
	case has("trafficmanager.net"):
		return "Azure Traffic Manager (DNS failover)", true
	case has("herokuapp.com") || has("herokudns.com"):
		return "Heroku", true
	case has("cloudfront.net"):
		return "CloudFront", false
	case strings.HasSuffix(h, ".amazonaws.com") && (strings.HasPrefix(h, "s3") || strings.Contains(h, ".s3.") || strings.Contains(h, ".s3-")):
		return "S3", false
	case has("azurefd.net") || has("azureedge.net"):
		return "Azure Front Door", false
	case has("fastly.net") || has("fastlylb.net"):
		return "Fastly", false
	case has("akamai.net") || has("akamaiedge.net") || has("akamaized.net") || has("edgekey.net") || has("edgesuite.net") || has("akamaihd.net"):
		return "Akamai", false
	case has("googleapis.com") || has("run.app") || has("appspot.com") || has("cloudfunctions.net"):
		return "Google's front ends", false
	}
	return "", false
}

// staticName reports whether a host is a name nginx resolves at load
// (not an IP, not localhost).
func staticName(host string) bool {
	h := strings.ToLower(strings.TrimSuffix(host, "."))
	if h == "" || model.IsIP(h) || h == "localhost" || strings.HasSuffix(h, ".localhost") || strings.Contains(h, "$") {
		return false
	}
	return true
}

func runNGX201(pass *rule.Pass) {
	m := pass.Model
	for _, p := range m.Proxies {
		if p.HostKind != model.HostName || !staticName(p.Host) {
			continue
		}
		sev, what := dnsSeverity(p.Host)
		msg := fmt.Sprintf("%s: %s%s is resolved once, when nginx loads the configuration; when its addresses change, nginx keeps using the old ones until a reload", target(p), p.Host, what)
		if r := p.Scope.Effective("resolver"); r != nil {
			msg += fmt.Sprintf(" (the resolver at %s does not apply to a literal host)", at(r))
		}
		msg += "; " + dnsAdvice(pass.Version, true)
		if pass.Version.AtLeast(resolveVersion) {
			msg += " (no automatic fix: it takes a new upstream{} block and a resolver nginx can reach)"
		} else {
			msg += " (no automatic fix: a variable target changes how a URI part is passed and needs a resolver nginx can reach)"
		}
		pass.ReportAs(sev, p.Directive, msg, nil)
	}
	for _, u := range allUpstreams(m) {
		for _, s := range u.Servers {
			member := model.ParseUpstreamServer(s)
			host := member.Host
			if !staticName(host) || member.Resolve {
				continue
			}
			sev, what := dnsSeverity(host)
			msg := fmt.Sprintf("upstream %s: server %s%s is resolved once, when nginx loads the configuration; when its addresses change, nginx keeps using the old ones until a reload; %s",
				u.Name, host, what, dnsAdvice(pass.Version, false))
			var fix *rule.Fix
			if pass.Version.AtLeast(resolveVersion) {
				var reason string
				fix, reason = resolveFix(u, s, host)
				if fix == nil {
					msg += fmt.Sprintf(" (no automatic fix: %s)", reason)
				}
			}
			pass.ReportAs(sev, s, msg, fix)
		}
	}
}

func dnsSeverity(host string) (rule.Severity, string) {
	provider, reassigned := cloudHost(host)
	switch {
	case reassigned:
		return rule.Warning, fmt.Sprintf(" (%s, whose addresses change and are handed to other customers)", provider)
	case provider != "":
		return rule.Info, fmt.Sprintf(" (%s, whose edge addresses rotate)", provider)
	}
	return rule.Info, ""
}

func dnsAdvice(v nginx.Version, literal bool) string {
	if v.AtLeast(resolveVersion) {
		if literal {
			return fmt.Sprintf("on nginx %s, proxy to an upstream{} block named after the host with `zone` and `server HOST:PORT resolve;`, and a `resolver`", v)
		}
		return fmt.Sprintf("on nginx %s, add `resolve` to the server line, `zone` to the block and a `resolver`", v)
	}
	s := fmt.Sprintf("nginx %s has no open-source `server … resolve` (1.27.3 adds it): use a variable target with a `resolver` (`set $origin HOST; proxy_pass https://$origin;`; with variables a URI part is passed as written, not in place of the location prefix)", v)
	if !literal {
		s += ", instead of this upstream{} block"
	}
	return s
}

// resolveFix adds `resolve` to an upstream server line and `zone` to its
// block, when a resolver is already in effect for the block and the host
// is a dotted name (a bare name is more likely /etc/hosts or a container
// name the configured resolver may not know).
func resolveFix(u *model.Upstream, s *config.Directive, host string) (*rule.Fix, string) {
	if !strings.Contains(host, ".") {
		return nil, fmt.Sprintf("%s is not a dotted host name; it may come from /etc/hosts, which nginx's resolver does not read", host)
	}
	r := upstreamResolver(u)
	if r == nil {
		return nil, "no resolver is in effect for the block; add one nginx can reach, then `resolve`"
	}
	edits := []rule.Edit{{File: s.File, Start: s.Args[len(s.Args)-1].End, End: s.Args[len(s.Args)-1].End, NewText: " resolve"}}
	if upstreamZone(u) == nil {
		first := u.Servers[0]
		for d := range config.Children(u.Node.Block) {
			first = d
			break
		}
		edits = append(edits, insertAt(first, true, []string{fmt.Sprintf("zone %s 64k;", quoteIfNeeded(zoneName(u.Name)))}))
	}
	return &rule.Fix{Description: fmt.Sprintf("re-resolve %s at run time with the resolver at %s", host, at(r)), Edits: edits}, ""
}
