package rules

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/ngxlint/ngxlint/nginx/config"
	"github.com/ngxlint/ngxlint/nginx/errlog"
	"github.com/ngxlint/ngxlint/nginx/model"
	"github.com/ngxlint/ngxlint/rules/rule"
)

// NGX203 catches resolver set-ups that do not do what they look like: a
// resolver no proxy consults, `resolve` that nginx refuses, and public
// resolvers left to their own caching.
var NGX203 = rule.Register(&rule.Rule{
	ID:         "NGX203",
	Slug:       "resolver-misconfigured",
	Severity:   rule.Warning,
	Summary:    "resolver that no proxy uses (every proxy_pass in scope is literal); server … resolve without zone or resolver (error); public resolver without valid= (info)",
	LogClasses: []string{errlog.SlugResolveFailed, errlog.SlugResolveNeedsZone, errlog.SlugResolveNoResolver, errlog.SlugResolverNotFound},
	Doc: rule.Doc{
		Problem: "Three cases. (1) A `resolver` whose scope has proxies, all with literal targets (host names, " +
			"upstream{} blocks, IPs) and nothing else that asks DNS at run time (no variable target, no `server … " +
			"resolve`, no OCSP stapling, no Lua or njs). (2) `server … resolve` in an upstream{} block without a " +
			"`zone`, or with no `resolver` for the block, or on an nginx older than 1.27.3. (3) A well-known public " +
			"resolver (8.8.8.8, 1.1.1.1, 9.9.9.9, …) without `valid=`.",
		Why: "(1) Tutorials pair `resolver` with a literal `proxy_pass` to \"fix\" stale DNS; nginx ignores it there, " +
			"so the name is still resolved once at load (NGX201). Warning. (2) nginx refuses to start: `resolving " +
			"names at run time requires upstream \"api\" … to be in shared memory` or `no resolver defined to resolve " +
			"names at run time in upstream \"api\"`; before 1.27.3 open-source nginx rejects `invalid parameter " +
			"\"resolve\"` (NGINX Plus accepted it). Error, warning for the version case. (3) nginx's resolver speaks " +
			"plain UDP with no DNSSEC, so a resolver across the internet can be spoofed (nginx's docs ask for a " +
			"trusted local network); it does not know private zones, and a resolver that sends no client subnet makes " +
			"CDNs pick an edge near the resolver, not near you. Prefer the local or VPC resolver; if a public one is " +
			"meant, say for how long answers are kept with `valid=`. Info.",
		Bad: `server {
    listen 80;
    server_name example.com;
    resolver 10.0.0.2;  # want NGX203
    location / {
        proxy_pass https://api.example.net;
    }
}`,
		Good: `server {
    listen 80;
    server_name example.com;
    resolver 10.0.0.2 valid=30s;
    location / {
        set $api api.example.net;
        proxy_pass https://$api;
    }
}`,
		Context: "http",
		Versions: "`server … resolve` and `resolver` inside upstream{} exist in open-source nginx from 1.27.3 (NGINX Plus " +
			"before); the other cases apply to all versions.",
		LogLine: `nginx: [emerg] resolving names at run time requires upstream "api" in /etc/nginx/nginx.conf:12 to be in shared memory`,
	},
	Run: runNGX203,
})

// publicResolvers are well-known public DNS services.
var publicResolvers = map[string]string{
	"8.8.8.8": "Google", "8.8.4.4": "Google", "2001:4860:4860::8888": "Google", "2001:4860:4860::8844": "Google",
	"1.1.1.1": "Cloudflare", "1.0.0.1": "Cloudflare", "2606:4700:4700::1111": "Cloudflare", "2606:4700:4700::1001": "Cloudflare",
	"9.9.9.9": "Quad9", "149.112.112.112": "Quad9", "2620:fe::fe": "Quad9", "2620:fe::9": "Quad9",
	"208.67.222.222": "OpenDNS", "208.67.220.220": "OpenDNS",
	"4.2.2.1": "Level3", "4.2.2.2": "Level3", "4.2.2.3": "Level3", "4.2.2.4": "Level3",
	"64.6.64.6": "Verisign", "64.6.65.6": "Verisign",
	"94.140.14.14": "AdGuard", "94.140.15.15": "AdGuard",
}

func runNGX203(pass *rule.Pass) {
	m := pass.Model
	// the proxies each resolver serves, computed once
	served := map[*config.Directive][]*model.Proxy{}
	for _, p := range m.Proxies {
		if r := p.Scope.Effective("resolver"); r != nil {
			served[r] = append(served[r], p)
		}
	}
	for _, s := range m.Scopes {
		for _, r := range s.Dirs {
			if r.Name != "resolver" {
				continue
			}
			unusedResolver(pass, s, r, served[r])
			publicResolver(pass, r)
		}
	}
	for _, u := range allUpstreams(m) {
		for _, d := range u.Dirs {
			if d.Name == "resolver" {
				publicResolver(pass, d)
			}
		}
		var resolving []*config.Directive
		for _, s := range u.Servers {
			if model.ParseUpstreamServer(s).Resolve {
				resolving = append(resolving, s)
			}
		}
		if len(resolving) == 0 {
			continue
		}
		s := resolving[0]
		if pass.Version.Less(resolveVersion) {
			pass.Report(s, fmt.Sprintf("upstream %s: server … resolve needs nginx 1.27.3 (NGINX Plus before): open-source nginx %s refuses it with \"invalid parameter \\\"resolve\\\"\"", u.Name, pass.Version), nil)
			continue
		}
		if upstreamZone(u) == nil {
			fix := &rule.Fix{Description: fmt.Sprintf("put upstream %s in shared memory", u.Name), Edits: []rule.Edit{insertAt(firstIn(u), true, []string{fmt.Sprintf("zone %s 64k;", quoteIfNeeded(zoneName(u.Name)))})}}
			pass.ReportAs(rule.Error, s, fmt.Sprintf("upstream %s: server %s resolve needs the block in shared memory: nginx refuses to start with \"resolving names at run time requires upstream \\\"%s\\\" … to be in shared memory\"; add `zone %s 64k;`", u.Name, s.Arg(0), u.Name, zoneName(u.Name)), fix)
		}
		if upstreamResolver(u) == nil {
			pass.ReportAs(rule.Error, s, fmt.Sprintf("upstream %s: server %s resolve has no resolver (in the block or in %s{}): nginx refuses to start with \"no resolver defined to resolve names at run time in upstream \\\"%s\\\"\"; add `resolver <DNS server nginx can reach> valid=30s;`", u.Name, s.Arg(0), blockKind(u), u.Name), nil)
		}
	}
}

func blockKind(u *model.Upstream) string {
	if u.Stream {
		return "stream"
	}
	return "http"
}

// firstIn is the first statement of an upstream block.
func firstIn(u *model.Upstream) *config.Directive {
	for d := range config.Children(u.Node.Block) {
		return d
	}
	return u.Servers[0]
}

// unusedResolver reports a resolver whose proxies all have literal
// targets and whose scope holds nothing else that resolves at run time.
func unusedResolver(pass *rule.Pass, s *model.Scope, r *config.Directive, proxies []*model.Proxy) {
	var literal []*model.Proxy
	for _, p := range proxies {
		if p.HostKind == model.HostVariable {
			return
		}
		literal = append(literal, p)
	}
	if len(literal) == 0 || otherResolverUse(pass.Model, s, r) {
		return
	}
	names := 0
	for _, p := range literal {
		if p.HostKind == model.HostName || p.HostKind == model.HostUpstream {
			names++
		}
	}
	if names == 0 {
		return // IPs and sockets only: nothing anyone expected DNS for
	}
	pass.Report(r, fmt.Sprintf("resolver %s does nothing for the %d proxy target(s) in its scope (first %s at %s): they are literal, so nginx resolves their names once at load and never asks this resolver; use a variable target (or, from nginx 1.27.3, `server … resolve`) or remove it",
		strings.Join(r.Values(), " "), len(literal), literal[0].URL, at(literal[0].Directive)), nil)
}

// otherResolverUse reports whether anything in the resolver's scope,
// other than a proxy target, asks DNS at run time.
func otherResolverUse(m *model.Model, s *model.Scope, r *config.Directive) bool {
	used := false
	var block []*config.Directive
	if s.Node != nil {
		block = s.Node.Block
	} else {
		block = m.Tree.Top()
	}
	config.Walk(block, func(d *config.Directive) bool {
		if d.IsBlock() && d.Name != "upstream" && ownsResolver(d) {
			return false // what is in there asks its own resolver
		}
		n := d.Name
		switch {
		case n == "ssl_stapling" && strings.EqualFold(d.Arg(0), "on"),
			n == "ssl_ocsp" && !strings.EqualFold(d.Arg(0), "off"),
			strings.Contains(n, "lua"), strings.HasPrefix(n, "js_"), strings.HasPrefix(n, "perl"),
			n == "server" && model.ParseUpstreamServer(d).Resolve:
			used = true
		}
		return !used
	})
	return used
}

// publicResolver reports a well-known public resolver without valid=.
func publicResolver(pass *rule.Pass, r *config.Directive) {
	var public []string
	valid := false
	for _, a := range r.Values() {
		if strings.HasPrefix(a, "valid=") {
			valid = true
			continue
		}
		host := a
		if ap, err := netip.ParseAddrPort(a); err == nil {
			host = ap.Addr().String()
		} else {
			host = strings.Trim(a, "[]")
		}
		if who, ok := publicResolvers[host]; ok {
			public = append(public, fmt.Sprintf("%s (%s)", a, who))
		}
	}
	if len(public) == 0 || valid {
		return
	}
	pass.ReportAs(rule.Info, r, fmt.Sprintf("resolver %s is a public DNS service across the internet: nginx's resolver uses plain UDP without DNSSEC, so answers can be spoofed on the way, it does not know private zones, and CDNs may pick an edge near the resolver rather than near this server; prefer the local or VPC resolver, or set valid= to say how long answers are kept",
		strings.Join(public, ", ")), nil)
}

// ownsResolver reports whether a block sets a resolver of its own.
func ownsResolver(d *config.Directive) bool {
	for c := range config.Children(d.Block) {
		if c.Name == "resolver" {
			return true
		}
	}
	return false
}
