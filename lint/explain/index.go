package explain

import (
	"path/filepath"
	"strings"

	"github.com/ngxlint/ngxlint/nginx/config"
	"github.com/ngxlint/ngxlint/nginx/errlog"
	"github.com/ngxlint/ngxlint/nginx/model"
)

// Mapping is where in the configuration an error-log line was produced.
// Every field may be nil: without a config nothing maps, and a line whose
// request matches no location still has its server.
type Mapping struct {
	// Server is the http server or stream server scope.
	Server *model.Scope
	// Location is the location nginx chose for the request (a real
	// location, never an if or limit_except block); for stream lines it is
	// the stream server, the scope that holds proxy_pass there.
	Location *model.Scope
	// Proxy is the proxy_pass, grpc_pass or uwsgi_pass in effect at
	// Location, possibly inside an if or limit_except block of it.
	Proxy *model.Proxy
	// Directive is the statement the line is about: Proxy's directive, or,
	// for config-load errors that name a file:line, the directive there.
	Directive *config.Directive
}

// Index answers "where in the config did this line come from" for one
// model. It is built once and only read afterwards, so concurrent scanners
// may share it.
type Index struct {
	model *model.Model

	// proxies lists the proxy directives by the real location (or stream
	// server) they take effect in, in config order.
	proxies map[*model.Scope][]*model.Proxy
	// byName lists http servers by their $server_name, the value nginx
	// logs in the "server:" field.
	byName  map[string][]*model.Scope
	streams []listen
}

type listen struct {
	server     *model.Scope
	host, port string
}

// NewIndex indexes a model. A nil model gives an Index that maps nothing,
// for explaining logs without a config.
func NewIndex(m *model.Model) *Index {
	ix := &Index{}
	if m == nil {
		return ix
	}
	ix.model = m
	if t := m.Tree; t != nil {
		// Build the files' line tables now: File.Position builds them
		// lazily, and scanners map config-load lines concurrently.
		for _, f := range t.Files {
			f.Position(0)
		}
	}
	// Build the model's statement index now, for the same reason.
	m.ScopeOf(nil)
	ix.proxies = map[*model.Scope][]*model.Proxy{}
	ix.byName = map[string][]*model.Scope{}
	for _, p := range m.Proxies {
		loc := p.Scope.Location()
		ix.proxies[loc] = append(ix.proxies[loc], p)
	}
	for _, s := range m.Servers {
		n := s.ServerNameVariable()
		ix.byName[n] = append(ix.byName[n], s)
	}
	for _, s := range m.StreamServers {
		for _, l := range s.Listens() {
			if len(l.Directive.Args) == 0 {
				continue
			}
			h, p := listenHostPort(l.Address)
			ix.streams = append(ix.streams, listen{server: s, host: h, port: p})
		}
	}
	return ix
}

// Model returns the model the index maps to (nil without a config).
func (ix *Index) Model() *model.Model { return ix.model }

// HasConfig reports whether the index maps anything at all.
func (ix *Index) HasConfig() bool { return ix.model != nil }

// listenHostPort gives a listen address as the log mapper compares it:
// a socket by its whole text, else host ("" for a bare port) and port.
func listenHostPort(a model.Address) (host, port string) {
	if a.IsUnix() {
		return a.String(), ""
	}
	return a.Host, a.Port
}

func wildcardHost(h string) bool {
	switch h {
	case "", "*", "0.0.0.0", "::", "[::]":
		return true
	}
	return false
}

// Map finds where e was produced. Lines are matched the way nginx
// chose the configuration for the request: stream lines by the listening
// address in "server:"; http lines by $server_name in "server:" (the
// server's first name), falling back to nginx's own server_name matching
// on the "host:" field; the location by nginx's location matching on the
// request URI; and config-load errors by the file:line they name.
func (ix *Index) Map(e *errlog.Entry) Mapping {
	if ix.model == nil {
		return Mapping{}
	}
	if e.File != "" && e.Line > 0 {
		if d := ix.directiveAt(e.File, e.Line); d != nil {
			return ix.atDirective(d)
		}
		return Mapping{}
	}
	if e.Client == "" {
		// No context tail (a line logged outside a request, or cut
		// short): nothing says which server it came from.
		return Mapping{}
	}
	if e.Stream || (e.Request == "" && e.Host == "" && len(ix.streams) > 0) {
		if s := ix.streamServer(e.Server); s != nil {
			m := Mapping{Server: s, Location: s}
			m.Proxy = ix.pickProxy(s, e.Upstream)
			if m.Proxy != nil {
				m.Directive = m.Proxy.Directive
			}
			return m
		}
		if e.Stream {
			return Mapping{}
		}
	}
	srv := ix.httpServer(e.Server, e.Host)
	if srv == nil {
		return Mapping{}
	}
	m := Mapping{Server: srv}
	if e.URI == "" {
		return m
	}
	loc := model.MatchLocation(srv, model.NormalizeURI(e.URI))
	if loc == nil {
		return m
	}
	if len(ix.proxies[loc]) == 0 {
		if named := ix.namedFallback(srv, loc); named != nil {
			loc = named
		}
	}
	m.Location = loc
	m.Proxy = ix.pickProxy(loc, e.Upstream)
	if m.Proxy != nil {
		m.Directive = m.Proxy.Directive
	}
	return m
}

// httpServer picks the server by $server_name, then by Host.
func (ix *Index) httpServer(name, host string) *model.Scope {
	cands := ix.byName[name]
	if cands == nil && !strings.HasPrefix(name, "~") {
		cands = ix.byName[strings.ToLower(name)]
	}
	switch len(cands) {
	case 1:
		return cands[0]
	case 0:
		if len(ix.model.Servers) == 0 {
			return nil
		}
		return model.MatchServer(ix.model.Servers, host)
	}
	// Several servers share the first name (e.g. one per port): let the
	// Host header decide among them as nginx would.
	return model.MatchServer(cands, host)
}

// streamServer finds the stream server listening on addr ("0.0.0.0:8443",
// "127.0.0.1:8443", "[::]:8443", "unix:/path"). A listen on the exact
// address wins over a wildcard one on the same port.
func (ix *Index) streamServer(addr string) *model.Scope {
	if addr == "" {
		return nil
	}
	host, port := listenHostPort(model.ParseListenAddress(addr))
	var wild *model.Scope
	for _, l := range ix.streams {
		if l.port != port {
			continue
		}
		if l.host == host && !wildcardHost(host) {
			return l.server
		}
		if wildcardHost(l.host) && wild == nil {
			wild = l.server
		}
		if wildcardHost(host) && wildcardHost(l.host) {
			return l.server
		}
	}
	return wild
}

// namedFallback follows a location that does not proxy itself to the
// named location its try_files or error_page hands requests to, where the
// proxy_pass that logged the line usually is.
func (ix *Index) namedFallback(srv, loc *model.Scope) *model.Scope {
	var names []string
	for _, d := range loc.Dirs {
		if (d.Name == "try_files" || d.Name == "error_page") && len(d.Args) > 0 {
			if last := d.Arg(len(d.Args) - 1); strings.HasPrefix(last, "@") {
				names = append(names, last)
			}
		}
	}
	for _, n := range names {
		for _, c := range srv.Children {
			if c.Kind != model.KindLocation {
				continue
			}
			if l := model.LocOf(c); l.Modifier == "@" && l.Pattern == n && len(ix.proxies[c]) > 0 {
				return c
			}
		}
	}
	return nil
}

// pickProxy chooses among the proxy directives of a location (its own and
// those in its if/limit_except blocks) the one that most likely logged a
// line with this upstream field: same scheme, then same host (an IP
// literal or a server of the upstream block), then the location's own.
func (ix *Index) pickProxy(loc *model.Scope, upstream string) *model.Proxy {
	ps := ix.proxies[loc]
	switch len(ps) {
	case 0:
		return nil
	case 1:
		return ps[0]
	}
	scheme, hostport := splitUpstream(upstream)
	a := model.ParseAddress(hostport)
	host, port := a.Host, a.Port
	best, bestScore := ps[0], -1
	for _, p := range ps {
		score := 0
		if scheme != "" && proxyScheme(p) == scheme {
			score += 2
		}
		if host != "" && proxyHasPeer(p, host, port) {
			score += 4
		}
		if p.Scope == loc {
			score++
		}
		if score > bestScore {
			best, bestScore = p, score
		}
	}
	return best
}

// proxyScheme is the scheme nginx logs in the upstream field for p.
func proxyScheme(p *model.Proxy) string {
	if p.Scheme != "" {
		return p.Scheme
	}
	switch p.Module {
	case "grpc":
		return "grpc"
	case "uwsgi":
		return "uwsgi"
	}
	return ""
}

func proxyHasPeer(p *model.Proxy, host, port string) bool {
	if strings.EqualFold(p.Host, host) && (port == "" || p.Port == "" || p.Port == port) {
		return true
	}
	if p.Upstream != nil {
		if strings.EqualFold(p.Upstream.Name, host) {
			return true
		}
		for _, s := range p.Upstream.Servers {
			a := model.ParseAddress(s.Arg(0))
			if strings.EqualFold(a.Host, host) && (a.Port == "" || port == "" || a.Port == port) {
				return true
			}
		}
	}
	return false
}

// directiveAt finds the statement nginx means by "in FILE:LINE": nginx
// reports the line it was reading, the one holding the statement's ';' or
// '{', so the innermost statement spanning the line wins.
func (ix *Index) directiveAt(name string, line int) *config.Directive {
	f := ix.fileByName(name)
	if f == nil {
		return nil
	}
	var best *config.Directive
	bestSpan := int32(-1)
	var walk func(ds []*config.Directive)
	walk = func(ds []*config.Directive) {
		for _, d := range ds {
			if d.File != f {
				continue
			}
			end := d.End - 1
			if d.IsBlock() {
				end = d.BlockOpen
			}
			if f.Position(d.Start).Line <= line && line <= f.Position(max(end, d.Start)).Line {
				if span := d.End - d.Start; best == nil || span < bestSpan {
					best, bestSpan = d, span
				}
			}
			if d.IsBlock() && f.Position(d.Start).Line <= line && line <= f.Position(d.End-1).Line {
				walk(d.Block)
			}
		}
	}
	walk(f.Top)
	return best
}

// fileByName finds the parsed file nginx calls name: by the name nginx
// opens, by the path it was read from, else by the longest common path
// suffix (logs from another host carry that host's prefix).
func (ix *Index) fileByName(name string) *config.File {
	t := ix.model.Tree
	if t == nil {
		return nil
	}
	clean := filepath.Clean(name)
	for _, f := range t.Files {
		if f.Name == name || f.Path == name || filepath.Clean(f.Name) == clean || filepath.Clean(f.Path) == clean {
			return f
		}
	}
	var best *config.File
	bestN, ties := 0, 0
	want := strings.Split(filepath.ToSlash(clean), "/")
	for _, f := range t.Files {
		got := strings.Split(filepath.ToSlash(filepath.Clean(f.Name)), "/")
		n := 0
		for n < len(want) && n < len(got) && want[len(want)-1-n] == got[len(got)-1-n] {
			n++
		}
		switch {
		case n > bestN:
			best, bestN, ties = f, n, 0
		case n == bestN && n > 0:
			ties++
		}
	}
	if ties > 0 {
		return nil
	}
	return best
}

// atDirective maps a statement to its location, server and proxy.
func (ix *Index) atDirective(d *config.Directive) Mapping {
	m := Mapping{Directive: d}
	s := ix.model.ScopeOf(d)
	if s == nil {
		return m
	}
	if s.Node == d && s.Kind != model.KindLocation && s.Kind != model.KindServer && s.Kind != model.KindStreamServer && s.Parent != nil {
		s = s.Parent
	}
	m.Server = s.Server()
	if at := s.Location(); at.Kind == model.KindLocation || at.Kind == model.KindStreamServer {
		m.Location = at
	}
	if p := ix.model.ProxyAt(d); p != nil {
		m.Proxy = p
	} else if m.Location != nil {
		m.Proxy = ix.pickProxy(m.Location, "")
	}
	return m
}

// splitUpstream splits an upstream field into its scheme and host:port,
// dropping the URI: "https://127.0.0.1:8443/a?b" → "https",
// "127.0.0.1:8443"; stream fields have no scheme.
func splitUpstream(u string) (scheme, hostport string) {
	rest := u
	if i := strings.Index(u, "://"); i > 0 {
		scheme, rest = strings.ToLower(u[:i]), u[i+3:]
	}
	if strings.HasPrefix(rest, "unix:") {
		// unix:/path/sock:/uri
		if j := strings.IndexByte(rest[len("unix:"):], ':'); j >= 0 {
			return scheme, rest[:len("unix:")+j]
		}
		return scheme, rest
	}
	if j := strings.IndexAny(rest, "/?"); j >= 0 {
		rest = rest[:j]
	}
	return scheme, rest
}

// UpstreamKey is the upstream field with its port kept and its URI
// dropped, so per-request paths do not split a group.
func UpstreamKey(u string) string {
	scheme, hp := splitUpstream(u)
	if scheme == "" {
		return hp
	}
	return scheme + "://" + hp
}
