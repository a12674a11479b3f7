package harness

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/ngxlint/ngxlint/nginx/config"
	"github.com/ngxlint/ngxlint/nginx/model"
)

func countProbes(ts []*UpstreamReport) int {
	n := 0
	for _, t := range ts {
		n += len(t.Probes)
	}
	return n
}

// plan finds the TLS upstream hosts, the names each edge serves, and one
// request per proxying location.
func plan(m *model.Model, o Options, rep *Report) []*UpstreamReport {
	byHost := map[string]*UpstreamReport{}
	var order []string
	addTarget := func(host, port string, p *model.Proxy) {
		host = strings.ToLower(host)
		t, ok := byHost[host]
		if !ok {
			t = &UpstreamReport{Target: host}
			t.port = 443
			if n, err := strconv.Atoi(port); err == nil && n > 0 {
				t.port = n
			}
			byHost[host] = t
			order = append(order, host)
		}
		t.proxies = append(t.proxies, p)
		pos := p.Directive.Pos()
		t.Locations = appendSite(t.Locations, Site{File: pos.Path, Line: pos.Line})
	}
	for _, p := range m.Proxies {
		if !p.TLS {
			continue
		}
		switch p.HostKind {
		case model.HostName:
			addTarget(p.Host, p.Port, p)
		case model.HostUpstream:
			n := 0
			for _, s := range p.Upstream.Servers {
				h, port := splitHP(s.Arg(0))
				if model.IsIP(h) || strings.HasPrefix(s.Arg(0), "unix:") {
					continue
				}
				addTarget(h, port, p)
				n++
			}
			if n == 0 {
				rep.Notes = append(rep.Notes, fmt.Sprintf("%s: upstream %s has only IP or unix servers; the harness cannot stand in for them", sitePos(p), p.Upstream.Name))
			}
		case model.HostVariable:
			n := 0
			for _, v := range p.Values {
				if v.Upstream != nil {
					for _, s := range v.Upstream.Servers {
						h, port := splitHP(s.Arg(0))
						if !model.IsIP(h) {
							addTarget(h, port, p)
							n++
						}
					}
				} else if v.Kind == model.HostName {
					addTarget(v.Host, p.Port, p)
					n++
				}
			}
			if n == 0 {
				rep.Notes = append(rep.Notes, fmt.Sprintf("%s: the proxy target %s is a variable whose values are unknown; not verified", sitePos(p), p.URL))
			}
		default:
			rep.Notes = append(rep.Notes, fmt.Sprintf("%s: %s targets an IP literal; the harness gives edges names, not addresses, so this upstream is not verified", sitePos(p), p.URL))
		}
	}
	var out []*UpstreamReport
	for _, h := range order {
		t := byHost[h]
		t.ServedNames, t.NamesFrom = servedNames(t, o.Upstreams)
		for _, p := range t.proxies {
			if pr := probeFor(p); pr != nil {
				t.Probes = append(t.Probes, pr)
			} else {
				rep.Notes = append(rep.Notes, fmt.Sprintf("%s: no request path reaches this location; not probed", sitePos(p)))
			}
		}
		if len(t.Probes) == 0 {
			t.Verdict = VerdictSkipped
			t.Reason = "no location proxying to it could be reached with a request"
		}
		out = append(out, t)
	}
	return out
}

func sitePos(p *model.Proxy) string {
	pos := p.Directive.Pos()
	return fmt.Sprintf("%s:%d", pos.Path, pos.Line)
}

func appendSite(ss []Site, s Site) []Site {
	for _, x := range ss {
		if x == s {
			return ss
		}
	}
	return append(ss, s)
}

// splitHP is model.ParseAddress as a host and a port.
func splitHP(hp string) (string, string) {
	a := model.ParseAddress(hp)
	return a.Host, a.Port
}

// servedNames infers the names the edge presents certificates for: the
// names a correct config must send. Override wins; else each proxy's
// proxy_ssl_name, else its literal Host header, else its server's only
// server_name.
func servedNames(t *UpstreamReport, override map[string][]string) ([]string, string) {
	if names, ok := override[t.Target]; ok && len(names) > 0 {
		return names, "given with --upstream"
	}
	var names, why []string
	add := func(n, reason string) {
		n = strings.ToLower(n)
		for _, x := range names {
			if x == n {
				return
			}
		}
		names = append(names, n)
		why = append(why, n+" ("+reason+")")
	}
	for _, p := range t.proxies {
		if d := p.Setting("ssl_name"); d != nil && !strings.Contains(d.Arg(0), "$") {
			h, _ := splitHP(d.Arg(0))
			add(h, fmt.Sprintf("%s at %s:%d", d.Name, d.File.Path, d.Pos().Line))
			continue
		}
		val, explicit := p.HostHeader()
		if explicit != nil && !strings.Contains(val, "$") && val != "" {
			h, _ := splitHP(val)
			add(h, fmt.Sprintf("the Host header set at %s:%d", explicit.File.Path, explicit.Pos().Line))
			continue
		}
		if s := p.Scope.Server(); s != nil {
			if plain, _ := model.PlainServerNames(s.ServerNames()); len(plain) == 1 {
				add(plain[0], "the server's only server_name")
				continue
			}
		}
	}
	if len(names) == 0 {
		return []string{t.Target}, "nothing in the configuration names the site; assumed the upstream host itself (pass --upstream HOST=NAME to say otherwise)"
	}
	return names, strings.Join(why, "; ")
}

// probeFor plans the request that exercises a proxy.
func probeFor(p *model.Proxy) *Probe {
	pos := p.Directive.Pos()
	pr := &Probe{Site: Site{File: pos.Path, Line: pos.Line}, Method: "GET", proxy: p}
	if p.Module == "stream" {
		pr.Stream = true
		pr.Path = "/"
		return pr
	}
	srv := p.Scope.Server()
	loc := p.Scope.Location()
	if srv == nil || loc == nil {
		return nil
	}
	if loc.Kind == model.KindLocation {
		u, ok := model.SampleURI(srv, loc)
		if !ok {
			return nil
		}
		pr.Path = u
	} else {
		pr.Path = "/"
	}
	pr.Host = "localhost"
	if plain, _ := model.PlainServerNames(srv.ServerNames()); len(plain) > 0 {
		pr.Host = plain[0]
	}
	return pr
}

// hostnames lists every host name nginx resolves at load time.
func hostnames(m *model.Model) []string {
	seen := map[string]bool{}
	var out []string
	add := func(h string) {
		h = strings.ToLower(h)
		if h == "" || model.IsIP(h) || strings.Contains(h, "$") || h == "localhost" || seen[h] {
			return
		}
		seen[h] = true
		out = append(out, h)
	}
	for _, p := range m.Proxies {
		if p.HostKind == model.HostName {
			add(p.Host)
		}
		for _, v := range p.Values {
			if v.Kind == model.HostName {
				add(v.Host)
			}
		}
	}
	for _, ups := range []map[string]*model.Upstream{m.Upstreams, m.StreamUpstreams} {
		for _, u := range ups {
			for _, s := range u.Servers {
				if strings.HasPrefix(s.Arg(0), "unix:") {
					continue
				}
				h, _ := splitHP(s.Arg(0))
				add(h)
			}
		}
	}
	// other upstream modules resolve their literal hosts at load time too
	// (php-fpm:9000 in a compose-style config, a memcached host, …);
	// upstream{} block names are not hosts
	config.Walk(m.Tree.Top(), func(d *config.Directive) bool {
		switch d.Name {
		case "fastcgi_pass", "scgi_pass", "memcached_pass", "grpc_pass", "uwsgi_pass":
			a := d.Arg(0)
			if _, rest, ok := strings.Cut(a, "://"); ok {
				a = rest
			}
			if strings.HasPrefix(a, "unix:") {
				return true
			}
			h, _ := splitHP(strings.SplitN(a, "/", 2)[0])
			if _, isBlock := m.Upstreams[strings.ToLower(h)]; !isBlock {
				add(h)
			}
		}
		return true
	})
	sort.Strings(out)
	return out
}

func serverNames(m *model.Model) []string {
	names := []string{"localhost"}
	for _, s := range m.Servers {
		for _, n := range s.ServerNames() {
			switch model.ServerNameKind(n) {
			case model.NameExact:
				names = append(names, n)
			case model.NameWildcard:
				if strings.HasPrefix(n, ".") {
					n = "*" + n
				}
				names = append(names, n)
			}
		}
	}
	return names
}
