package harness

import (
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/ngxlint/ngxlint/nginx/config"
	"github.com/ngxlint/ngxlint/nginx/model"
)

// target is one TLS upstream host under test, with everything the harness
// needs to stand in for it and judge it. Its report is the public part.
type target struct {
	rep     *UpstreamReport
	host    string
	port    int
	proxies []*model.Proxy
	probes  []*probe
	// ip is set for IP-literal targets, which the harness cannot stand in
	// for (stand-ins are reached by name).
	ip bool
	// block is the upstream{} the target is a member of, if any; siblings
	// are the other members, switched down while this one is probed.
	block    *model.Upstream
	siblings []*target
	backup   bool
	down     bool // the member is marked `down`: nginx never uses it
	edge     *Edge
	addrs    []string // the edge's addresses, as error.log names them
	impostor bool
}

// probe is one request planned to reach a target through one proxy.
type probe struct {
	rep   *Probe
	t     *target
	proxy *model.Proxy
	ssl   bool
	// down are the targets switched down while the request runs (the
	// other members of an upstream{}, the upstream an error_page falls
	// back from).
	down []*target
	// downVia are proxies whose targets are switched down too (an
	// error_page's primary); wireDown resolves them once targets are known.
	downVia []*model.Proxy
	// query is appended to the request path (a map keyed on $arg_…).
	query string
	// basic: the location probed is behind auth_basic; the request logs
	// in with the credentials the staged copy's user files hold.
	basic bool
	// unreachable says why no request can reach the proxy.
	unreachable string
	before      *judged
	after       *judged
}

// judged is one probe's outcome and what it says about its target.
type judged struct {
	out     *Outcome
	reached bool   // the target's edge saw the request's connection
	ok      bool   // handshake and request completed, nothing logged against it
	why     string // for !ok
}

// plan finds the TLS upstream hosts, the names each one's stand-in serves,
// and the requests that reach each proxy to it.
func plan(m *model.Model, o Options, rep *Report) []*target {
	byKey := map[string]*target{}
	var order []*target
	get := func(host string, port int, p *model.Proxy) *target {
		host = strings.ToLower(host)
		key := host + ":" + strconv.Itoa(port)
		t, ok := byKey[key]
		if !ok {
			t = &target{rep: &UpstreamReport{Target: host, Port: port, Locations: []Site{}}, host: host, port: port}
			byKey[key] = t
			order = append(order, t)
		}
		if !slices.Contains(t.proxies, p) {
			t.proxies = append(t.proxies, p)
			pos := p.Directive.Pos()
			t.rep.Locations = appendSite(t.rep.Locations, Site{File: pos.Path, Line: pos.Line})
		}
		return t
	}
	portOf := func(s string, p *model.Proxy) int {
		if n, err := strconv.Atoi(s); err == nil && n > 0 {
			return n
		}
		if p.Module == "stream" {
			return 0
		}
		return 443
	}
	members := func(u *model.Upstream, p *model.Proxy) {
		var ts []*target
		for _, s := range u.Members() {
			if s.IsUnix() {
				continue
			}
			t := get(s.Host, portOf(s.Port, p), p)
			t.ip = s.IsIP()
			t.block, t.backup, t.down = u, s.Backup, s.Down
			ts = append(ts, t)
		}
		for _, t := range ts {
			for _, s := range ts {
				if s != t && !slices.Contains(t.siblings, s) {
					t.siblings = append(t.siblings, s)
				}
			}
		}
	}
	for _, p := range m.Proxies {
		if !p.TLS {
			continue
		}
		switch p.HostKind {
		case model.HostName, model.HostIPv4, model.HostIPv6:
			t := get(p.Host, portOf(p.Port, p), p)
			t.ip = p.HostKind != model.HostName
		case model.HostUpstream:
			members(p.Upstream, p)
		case model.HostVariable:
			known := false
			for _, v := range p.Values {
				switch {
				case v.Upstream != nil:
					members(v.Upstream, p)
					known = true
				case v.Kind == model.HostName || v.Kind == model.HostIPv4 || v.Kind == model.HostIPv6:
					t := get(v.Host, portOf(firstNonEmpty(v.Port, p.Port), p), p)
					t.ip = v.Kind != model.HostName
					known = true
				}
			}
			if !known || !p.KnownValues() {
				rep.Notes = append(rep.Notes, fmt.Sprintf("%s: %s: the values of the target variable are not all known (a computed value, a Lua-set variable); those are not verified", sitePos(p), p.URL))
			}
		}
	}
	for _, t := range order {
		if names, ok := o.Upstreams[t.host]; ok && len(names) > 0 {
			t.rep.ServedNames, t.rep.NamesFrom = names, "given with --upstream"
		} else {
			s := m.ServedNames(t.host, t.proxies)
			t.rep.ServedNames = s.Names
			t.rep.NamesFrom = strings.Join(s.Why, "; ")
			if !s.Complete {
				t.rep.NamesFrom += fmt.Sprintf("; some names the configuration sends could not be told: pass --upstream %s=NAME[,NAME…] to say which it serves", t.host)
			}
		}
		switch {
		case t.block != nil && t.backup:
			t.rep.Member = fmt.Sprintf("backup member of upstream %s", t.block.Name)
		case t.block != nil && len(t.siblings) > 0:
			t.rep.Member = fmt.Sprintf("member of upstream %s", t.block.Name)
		}
		for _, p := range t.proxies {
			t.probes = append(t.probes, probesFor(m, t, p)...)
		}
	}
	return order
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
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

// probesFor plans the requests that reach target t through proxy p: a
// request to the proxy's location, or, for a location no request names,
// to the locations that lead to it (auth_request to an internal location,
// error_page to a named one); with the other members of an upstream{}
// switched down, and the request choosing a map's value.
func probesFor(m *model.Model, t *target, p *model.Proxy) []*probe {
	pos := p.Directive.Pos()
	mk := func() *probe {
		return &probe{t: t, proxy: p, rep: &Probe{Site: Site{File: pos.Path, Line: pos.Line}, Method: "GET"}}
	}
	pr := mk()
	if t.ip {
		pr.unreachable = "an IP-literal upstream: the harness stands in for upstreams by name"
		return []*probe{pr}
	}
	if t.down {
		pr.unreachable = fmt.Sprintf("marked down in upstream %s: nginx never uses it", t.block.Name)
		return []*probe{pr}
	}
	for _, s := range t.siblings {
		if !s.down {
			pr.down = append(pr.down, s)
		}
	}
	if t.backup {
		pr.rep.Via = fmt.Sprintf("backup member of upstream %s, the other members switched down", t.block.Name)
	} else if len(pr.down) > 0 {
		pr.rep.Via = fmt.Sprintf("member of upstream %s, the other members switched down", t.block.Name)
	}
	if p.HostKind == model.HostVariable {
		if hdr, query, via, ok := chooseValue(p, t); ok {
			pr.rep.Headers, pr.query = hdr, query
			if via != "" {
				pr.rep.Via = joinVia(pr.rep.Via, via)
			}
		} else {
			pr.unreachable = via
			return []*probe{pr}
		}
	}
	if p.Module == "stream" {
		pr.rep.Stream = true
		pr.rep.Path = "/"
		return []*probe{pr}
	}
	srv := p.Scope.Server()
	loc := p.Scope.Location()
	if srv == nil || loc == nil {
		pr.unreachable = "the proxy is in no server"
		return []*probe{pr}
	}
	pr.rep.Host = probeHost(srv)
	if loc.Kind != model.KindLocation {
		pr.rep.Path = "/"
		return []*probe{pr}
	}
	var out []*probe
	switch name, named := namedLocation(loc); {
	case named:
		out = viaErrorPage(m, srv, loc, name, pr)
	case len(loc.Own("internal")) > 0:
		out = viaAuthRequest(srv, loc, pr)
	default:
		if u, ok := model.SampleURI(srv, loc); ok {
			pr.rep.Path = u
			pr.basic = behindAuthBasic(loc)
		} else {
			pr.unreachable = "no request path reaches this location (an earlier location shadows it)"
		}
		out = []*probe{pr}
	}
	for _, x := range out {
		if x.query != "" && x.rep.Path != "" {
			sep := "?"
			if strings.Contains(x.rep.Path, "?") {
				sep = "&"
			}
			x.rep.Path += sep + x.query
		}
	}
	return out
}

func joinVia(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

func probeHost(srv *model.Scope) string {
	if plain, _ := model.PlainServerNames(srv.ServerNames()); len(plain) > 0 {
		return plain[0]
	}
	return "localhost"
}

// namedLocation reports whether loc is `location @name`.
func namedLocation(loc *model.Scope) (string, bool) {
	if loc.Node == nil || len(loc.Node.Args) != 1 || !strings.HasPrefix(loc.Node.Arg(0), "@") {
		return "", false
	}
	return loc.Node.Arg(0), true
}

// viaErrorPage reaches a named location through the locations whose
// error_page falls back to it on 502/503/504: their own upstream switched
// down, nginx answers the request from the named location.
func viaErrorPage(m *model.Model, srv, named *model.Scope, name string, pr *probe) []*probe {
	var out []*probe
	for _, loc := range srvLocations(srv) {
		if loc == named {
			continue
		}
		list, _ := loc.EffectiveList("error_page")
		falls := false
		for _, d := range list {
			vals := d.Values()
			if len(vals) < 2 || vals[len(vals)-1] != name {
				continue
			}
			for _, c := range vals[:len(vals)-1] {
				if c == "502" || c == "503" || c == "504" {
					falls = true
				}
			}
		}
		if !falls {
			continue
		}
		var via []*model.Proxy
		for _, q := range m.Proxies {
			if q.Scope.Location() == loc {
				via = append(via, q)
			}
		}
		u, ok := model.SampleURI(srv, loc)
		if !ok || len(via) == 0 {
			continue
		}
		c := *pr
		rp := *pr.rep
		c.rep = &rp
		c.rep.Path = u
		c.basic = behindAuthBasic(loc)
		c.rep.Via = joinVia(pr.rep.Via, fmt.Sprintf("error_page to %s from %s, its upstream switched down", name, locName(loc)))
		c.downVia = via
		out = append(out, &c)
		break
	}
	if len(out) == 0 {
		pr.unreachable = fmt.Sprintf("no location falls back to %s on 502/503/504 through an upstream the harness can switch down", name)
		return []*probe{pr}
	}
	return out
}

// viaAuthRequest reaches an internal location through a location whose
// auth_request names it: nginx makes the subrequest before the request.
func viaAuthRequest(srv, internal *model.Scope, pr *probe) []*probe {
	for _, loc := range srvLocations(srv) {
		d := loc.Effective("auth_request")
		if d == nil || strings.EqualFold(d.Arg(0), "off") {
			continue
		}
		uri := d.Arg(0)
		if model.MatchLocation(srv, model.NormalizeURI(uri)) != internal {
			continue
		}
		u, ok := model.SampleURI(srv, loc)
		if !ok {
			continue
		}
		pr.rep.Path = u
		pr.basic = behindAuthBasic(loc)
		pr.rep.Via = joinVia(pr.rep.Via, fmt.Sprintf("auth_request %s from %s", uri, locName(loc)))
		return []*probe{pr}
	}
	pr.unreachable = "an internal location that no auth_request names"
	return []*probe{pr}
}

// behindAuthBasic reports whether auth_basic is in effect at loc.
func behindAuthBasic(loc *model.Scope) bool {
	d := loc.Effective("auth_basic")
	return d != nil && !strings.EqualFold(d.Arg(0), "off")
}

func locName(loc *model.Scope) string {
	if loc.Node == nil {
		return "the server"
	}
	pos := loc.Node.Pos()
	return fmt.Sprintf("location %s (%s:%d)", strings.Join(loc.Node.Values(), " "), pos.Path, pos.Line)
}

// srvLocations lists a server's locations, nested ones included, in
// document order.
func srvLocations(srv *model.Scope) []*model.Scope {
	var out []*model.Scope
	var walk func(s *model.Scope)
	walk = func(s *model.Scope) {
		for _, c := range s.Children {
			if c.Kind == model.KindLocation {
				out = append(out, c)
			}
			walk(c)
		}
	}
	walk(srv)
	return out
}

// chooseValue finds the request that makes a variable target take the
// value that leads to t: a map keyed on a cookie, header or query
// argument with a literal key gets that cookie, header or argument; the
// map's default needs none. ok is false, with the reason, when no request
// can be told.
func chooseValue(p *model.Proxy, t *target) (hdr map[string]string, query, via string, ok bool) {
	for _, v := range p.Values {
		hit := v.Upstream != nil && t.block == v.Upstream || v.Upstream == nil && strings.EqualFold(v.Host, t.host)
		if !hit || v.Source == nil {
			continue
		}
		src := v.Source
		if src.Name == "set" {
			return nil, "", "", true // one value whatever the request
		}
		md := src.Parent
		if md == nil || md.Name != "map" || len(md.Args) < 2 {
			return nil, "", "", true
		}
		key := src.Name
		if key == "default" {
			return nil, "", fmt.Sprintf("the default of map %s", md.Arg(1)), true
		}
		if strings.HasPrefix(key, "~") {
			return nil, "", fmt.Sprintf("chosen by a regex key %s of map %s: no request can be told", key, md.Arg(1)), false
		}
		by := md.Arg(0)
		switch {
		case strings.HasPrefix(by, "$cookie_"):
			return map[string]string{"Cookie": by[len("$cookie_"):] + "=" + key}, "", fmt.Sprintf("map %s value for cookie %s=%s", md.Arg(1), by[len("$cookie_"):], key), true
		case strings.HasPrefix(by, "$http_"):
			h := strings.ReplaceAll(by[len("$http_"):], "_", "-")
			return map[string]string{h: key}, "", fmt.Sprintf("map %s value for header %s: %s", md.Arg(1), h, key), true
		case strings.HasPrefix(by, "$arg_"):
			return nil, by[len("$arg_"):] + "=" + url.QueryEscape(key), fmt.Sprintf("map %s value for ?%s=%s", md.Arg(1), by[len("$arg_"):], key), true
		}
		return nil, "", fmt.Sprintf("chosen by map %s on %s: no request can be told", md.Arg(1), by), false
	}
	return nil, "", "", true
}

// wireDown adds, to probes that reach a target through an error_page,
// the targets of the primary's proxies, now that every target is known.
func wireDown(ts []*target) {
	byProxy := map[*model.Proxy][]*target{}
	for _, t := range ts {
		for _, p := range t.proxies {
			byProxy[p] = append(byProxy[p], t)
		}
	}
	for _, t := range ts {
		for _, pr := range t.probes {
			for _, q := range pr.downVia {
				for _, x := range byProxy[q] {
					if x != t && !slices.Contains(pr.down, x) {
						pr.down = append(pr.down, x)
					}
				}
			}
		}
	}
}

// sinks lists the names nginx resolves that are not targets, with the
// plain-HTTP ports proxies use on them: one lenient stand-in answers for
// all of them, so nginx loads and plain-http dependencies (an auth
// service) answer.
func sinks(m *model.Model, taken map[string]bool) (names []string, plainPorts []string) {
	seen := map[string]bool{}
	ports := map[string]bool{}
	add := func(h string) {
		h = strings.ToLower(h)
		if h == "" || model.IsIP(h) || strings.Contains(h, "$") || h == "localhost" || seen[h] || taken[h] {
			return
		}
		seen[h] = true
		names = append(names, h)
	}
	addPort := func(p string, def string) {
		if p == "" {
			p = def
		}
		if _, err := strconv.Atoi(p); err == nil && p != "443" {
			ports[":"+p] = true
		}
	}
	for _, p := range m.Proxies {
		if p.HostKind == model.HostName {
			add(p.Host)
			if !p.TLS {
				addPort(p.Port, "80")
			}
		}
		for _, v := range p.Values {
			if v.Kind == model.HostName {
				add(v.Host)
				if !p.TLS {
					addPort(v.Port, "80")
				}
			}
		}
		if p.Upstream != nil && !p.TLS {
			for _, s := range p.Upstream.Members() {
				addPort(s.Port, "80")
			}
		}
	}
	for _, ups := range []map[string]*model.Upstream{m.Upstreams, m.StreamUpstreams} {
		for _, u := range ups {
			for _, s := range u.Members() {
				if !s.IsUnix() {
					add(s.Host)
				}
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
			ad := model.ParseAddress(strings.SplitN(a, "/", 2)[0])
			if ad.IsUnix() {
				return true
			}
			if _, isBlock := m.Upstreams[strings.ToLower(ad.Host)]; !isBlock {
				add(ad.Host)
			}
		}
		return true
	})
	sort.Strings(names)
	for p := range ports {
		plainPorts = append(plainPorts, p)
	}
	sort.Strings(plainPorts)
	return names, plainPorts
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
