// TLS semantics the upstream-TLS checks share: which proxies open TLS,
// the *_ssl_name in effect, whether SNI or verification uses a name.

package rules

import (
	"fmt"
	"strings"

	"github.com/ngxlint/ngxlint/nginx/config"
	"github.com/ngxlint/ngxlint/nginx/model"
)

// tlsProxies yields the proxies that open a TLS connection upstream,
// computed once per model: the list is shared, never modify it.
func tlsProxies(m *model.Model) []*model.Proxy {
	return model.Cached(m, tlsProxiesKey{}, func(m *model.Model) []*model.Proxy {
		var out []*model.Proxy
		for _, p := range m.Proxies {
			if p.TLS && p.HostKind != model.HostUnix {
				out = append(out, p)
			}
		}
		return out
	})
}

type tlsProxiesKey struct{}

// tlsProxiesAt indexes tlsProxies by the location (Scope.Location) they
// are in, once per model.
func tlsProxiesAt(m *model.Model, loc *model.Scope) []*model.Proxy {
	return model.Cached(m, tlsProxiesAtKey{}, func(m *model.Model) map[*model.Scope][]*model.Proxy {
		out := map[*model.Scope][]*model.Proxy{}
		for _, p := range tlsProxies(m) {
			l := p.Scope.Location()
			out[l] = append(out[l], p)
		}
		return out
	})[loc]
}

type tlsProxiesAtKey struct{}

// target describes a proxy's destination for messages.
func target(p *model.Proxy) string {
	if p.Module == "stream" {
		return fmt.Sprintf("proxy_pass %s (proxy_ssl on)", p.URL)
	}
	return fmt.Sprintf("%s %s", p.Directive.Name, p.URL)
}

// sslName returns the *_ssl_name directive in effect, or nil when nginx
// falls back to its default name: unset, or `proxy_ssl_name $proxy_host;`,
// which spells out that default (the port is stripped either way, §1.2).
func sslName(p *model.Proxy) *config.Directive {
	d := p.Setting("ssl_name")
	if d != nil && p.Module == "proxy" && model.IsProxyHost(d.Arg(0)) {
		return nil
	}
	return d
}

// sslPrepared reports whether nginx builds an upstream SSL context for a
// proxy, and so checks its *_ssl_* settings when it loads: a TLS target,
// or any http proxy whose target has variables (the scheme is only known
// per request, so nginx prepares TLS whatever the URL says).
func sslPrepared(p *model.Proxy) bool {
	if p.HostKind == model.HostUnix && !p.TLS {
		return false
	}
	return p.TLS || p.Module != "stream" && strings.Contains(p.URL, "$")
}

// nameInUse reports whether nginx computes the upstream SSL name for p at
// all: ngx_http_upstream_ssl_name runs only when SNI or verification is
// on, so a name rule has nothing to say otherwise.
func nameInUse(p *model.Proxy) (sni, verify, used bool) {
	sni, _ = p.Flag("ssl_server_name", false)
	verify, _ = p.Flag("ssl_verify", false)
	return sni, verify, sni || verify
}

// labelLike reports whether an upstream block's name is an internal label
// rather than the host its servers answer for: a name without a dot, or a
// block whose servers are host names that do not include it.
func labelLike(u *model.Upstream) bool {
	if !strings.Contains(u.Name, ".") {
		return true
	}
	hosts := 0
	for _, s := range u.Servers {
		h, _, _ := strings.Cut(s.Arg(0), ":")
		if model.IsIP(h) || strings.HasPrefix(s.Arg(0), "unix:") || strings.HasPrefix(s.Arg(0), "[") {
			continue
		}
		hosts++
		if strings.EqualFold(h, u.Name) {
			return false
		}
	}
	return hosts > 0
}
