// Package model computes nginx's effective configuration from a parsed
// tree: which value of each directive applies in each location after
// nginx's merge rules, which upstream{} block a proxy target names, and what
// a variable target can stand for.
//
// Rules about a *missing* directive are only right when inheritance is
// modelled exactly, which is why this lives in one place that the rules, the
// error-log mapper and the harness all ask.
package model

import (
	"net/netip"
	"sort"
	"strings"
	"sync"

	"github.com/ngxlint/ngxlint/nginx/config"
)

// Kind of a scope.
type Kind string

const (
	KindMain         Kind = "main"
	KindHTTP         Kind = "http"
	KindServer       Kind = "server"
	KindLocation     Kind = "location"
	KindIf           Kind = "if"
	KindLimitExcept  Kind = "limit_except"
	KindStream       Kind = "stream"
	KindStreamServer Kind = "stream-server"
	KindUpstream     Kind = "upstream"
)

// Scope is one level of nginx's configuration hierarchy. Values flow from
// a scope to the scopes inside it unless those set their own.
type Scope struct {
	Kind   Kind
	Node   *config.Directive // nil for the synthetic main scope of a snippet
	Parent *Scope
	// Dirs are the scope's own statements, includes expanded, in order.
	Dirs []*config.Directive
	// Children are the nested scopes (server, location, if, …).
	Children []*Scope

	indexOnce sync.Once
	index     map[string][]*config.Directive
}

// Own returns the scope's own directives named name.
func (s *Scope) Own(name string) []*config.Directive {
	visit(1)
	if idx := s.byName(); idx != nil {
		l := idx[name]
		return l[:len(l):len(l)] // an append by the caller copies
	}
	var out []*config.Directive
	for _, d := range s.Dirs {
		if d.Name == name {
			out = append(out, d)
		}
	}
	return out
}

// indexFrom is the number of statements from which a scope indexes them
// by name: an http{} scope holds every server block, and the rules ask
// it for inherited settings once per location.
const indexFrom = 32

// byName returns the scope's statements by name, built on first use once
// the model is complete; nil for small scopes, which are scanned.
func (s *Scope) byName() map[string][]*config.Directive {
	if len(s.Dirs) < indexFrom {
		return nil
	}
	s.indexOnce.Do(func() {
		s.index = make(map[string][]*config.Directive)
		for _, d := range s.Dirs {
			s.index[d.Name] = append(s.index[d.Name], d)
		}
	})
	return s.index
}

// Effective returns the directive named name that applies in s after
// nginx's merge (the innermost scope that sets it wins), or nil when it is
// unset everywhere and nginx's default applies.
func (s *Scope) Effective(name string) *config.Directive {
	for x := s; x != nil; x = x.Parent {
		visit(1)
		if idx := x.byName(); idx != nil {
			if l := idx[name]; len(l) > 0 {
				return l[0]
			}
			continue
		}
		for _, d := range x.Dirs {
			if d.Name == name {
				return d
			}
		}
	}
	return nil
}

// EffectiveList returns an array directive's effective entries: the ones of
// the innermost scope that defines any. nginx inherits such lists "if and
// only if" the inner level defines none, so an inner proxy_set_header drops
// every outer one.
func (s *Scope) EffectiveList(name string) (list []*config.Directive, from *Scope) {
	for x := s; x != nil; x = x.Parent {
		if own := x.Own(name); len(own) > 0 {
			return own, x
		}
	}
	return nil, nil
}

// Location returns the nearest enclosing real location: if and limit_except
// blocks are nameless locations that cannot hold most directives.
func (s *Scope) Location() *Scope {
	for x := s; x != nil; x = x.Parent {
		visit(1)
		if x.Kind == KindLocation {
			return x
		}
		if x.Kind == KindServer || x.Kind == KindStreamServer {
			return x
		}
	}
	return s
}

// Server returns the enclosing server scope.
func (s *Scope) Server() *Scope {
	for x := s; x != nil; x = x.Parent {
		visit(1)
		if x.Kind == KindServer || x.Kind == KindStreamServer {
			return x
		}
	}
	return nil
}

// ServerNames lists a server scope's server_name values.
func (s *Scope) ServerNames() []string {
	var out []string
	for _, d := range s.Own("server_name") {
		out = append(out, d.Values()...)
	}
	return out
}

// Upstream is an upstream{} block.
type Upstream struct {
	Name    string
	Node    *config.Directive
	Stream  bool
	Servers []*config.Directive
	Dirs    []*config.Directive
	// Scope is the http or stream scope the block is defined in: where a
	// `resolver` for its `server … resolve` lines is looked up.
	Scope *Scope
}

// HostKind says what a proxy target's host part is.
type HostKind string

const (
	HostName     HostKind = "hostname"
	HostIPv4     HostKind = "ipv4"
	HostIPv6     HostKind = "ipv6"
	HostUpstream HostKind = "upstream"
	HostVariable HostKind = "variable"
	HostUnix     HostKind = "unix"
)

// Proxy is one proxy_pass, grpc_pass or uwsgi_pass (or stream proxy_pass)
// with everything the rules need to reason about its upstream connection.
type Proxy struct {
	Directive *config.Directive
	// Module is the directive family: "proxy", "grpc", "uwsgi", or
	// "stream" for the stream proxy module.
	Module string
	Scope  *Scope
	URL    string
	Scheme string
	// TLS is true for https://, grpcs://, suwsgi:// and stream proxy_ssl on.
	TLS      bool
	Host     string // host part without port (brackets kept off IPv6)
	Port     string
	HostKind HostKind
	Upstream *Upstream
	// Values are the hosts a variable target can take, from set and map
	// (including `set` inside if blocks, which run in the same rewrite
	// phase); empty when unknown. A value that is itself computed (`set
	// $cdn $http_x;`) is listed with Kind HostVariable, so Values is the
	// complete set exactly when no entry has that kind.
	Values []Value
	// AllValues is Values whatever the scheme: for a target that is one
	// variable holding a whole URL (`proxy_pass $backend;`), Values keeps
	// only the TLS values, AllValues every one (Scheme set). For other
	// targets it equals Values.
	AllValues []Value
}

// KnownValues reports whether Values lists every host a variable target
// can take: at least one value, and none of them computed.
func (p *Proxy) KnownValues() bool {
	if len(p.Values) == 0 {
		return false
	}
	for _, v := range p.Values {
		if v.Kind == HostVariable {
			return false
		}
	}
	return true
}

// Value is one possible value of a variable target host.
type Value struct {
	Host     string
	Port     string // the port the value names, "" for none
	Kind     HostKind
	Upstream *Upstream
	Source   *config.Directive // the set or map entry
	// Scheme is the scheme of a whole-URL value ("https", …); "" for a
	// host value.
	Scheme string
}

// Prefix is the directive prefix of the proxy's module: "proxy_" for http
// and stream proxying, "grpc_", "uwsgi_".
func (p *Proxy) Prefix() string {
	switch p.Module {
	case "grpc":
		return "grpc_"
	case "uwsgi":
		return "uwsgi_"
	}
	return "proxy_"
}

// Setting returns the effective directive prefix+name (e.g. "ssl_name").
func (p *Proxy) Setting(name string) *config.Directive {
	return p.Scope.Effective(p.Prefix() + name)
}

// Flag returns an on/off setting's effective value and the directive that
// set it (nil when nginx's default applies).
func (p *Proxy) Flag(name string, def bool) (bool, *config.Directive) {
	d := p.Setting(name)
	if d == nil {
		return def, nil
	}
	// nginx's ngx_conf_set_flag_slot compares case-insensitively: "ON" is on.
	return strings.EqualFold(d.Arg(0), "on"), d
}

// Model is the effective configuration of a tree.
type Model struct {
	Tree *config.Tree
	Root *Scope
	// Upstreams maps lower-cased names to http upstream blocks;
	// StreamUpstreams the same for stream.
	Upstreams       map[string]*Upstream
	StreamUpstreams map[string]*Upstream
	// UpstreamBlocks lists every upstream{} block, http and stream, in
	// document order (a block whose name is taken is listed too).
	UpstreamBlocks []*Upstream
	Servers        []*Scope // http servers
	StreamServers  []*Scope
	Proxies        []*Proxy
	// Scopes lists every scope in document order.
	Scopes []*Scope
	// Maps by the variable they define ("$name").
	Maps map[string][]*config.Directive

	ix    index
	cache cache
	// mapKeys are the keys of Maps by lower-cased name, sorted: variable
	// names are case-insensitive.
	mapKeys map[string][]string
	build   builder
}

// builder hands out the scopes and their statement and child lists from
// slabs while Build runs: a scope's lists are collected on a shared stack
// (a nested scope's go on top and are copied out when it ends) and copied
// out exactly sized, so a large tree costs a few big allocations instead
// of a growing slice per scope.
type builder struct {
	dirs    []*config.Directive
	kids    []*Scope
	dirSlab []*config.Directive
	kidSlab []*Scope
	scopes  []Scope
}

const slabSize = 4096

func (b *builder) newScope() *Scope {
	if len(b.scopes) == 0 {
		b.scopes = make([]Scope, slabSize/8)
	}
	s := &b.scopes[0]
	b.scopes = b.scopes[1:]
	return s
}

func (b *builder) copyDirs(ds []*config.Directive) []*config.Directive {
	if len(ds) == 0 {
		return nil
	}
	if len(b.dirSlab) < len(ds) {
		b.dirSlab = make([]*config.Directive, max(slabSize, len(ds)))
	}
	out := b.dirSlab[:len(ds):len(ds)]
	b.dirSlab = b.dirSlab[len(ds):]
	copy(out, ds)
	return out
}

func (b *builder) copyKids(ks []*Scope) []*Scope {
	if len(ks) == 0 {
		return nil
	}
	if len(b.kidSlab) < len(ks) {
		b.kidSlab = make([]*Scope, max(slabSize, len(ks)))
	}
	out := b.kidSlab[:len(ks):len(ks)]
	b.kidSlab = b.kidSlab[len(ks):]
	copy(out, ks)
	return out
}

// Build computes the model of a loaded tree.
func Build(t *config.Tree) *Model {
	m := &Model{
		Tree:            t,
		Upstreams:       map[string]*Upstream{},
		StreamUpstreams: map[string]*Upstream{},
		Maps:            map[string][]*config.Directive{},
	}
	root := &Scope{Kind: KindMain}
	m.Root = root
	// A snippet lives inside synthetic parents so that lookups still work.
	top := root
	switch t.Context {
	case "http":
		top = m.synthetic(root, KindHTTP)
	case "server":
		top = m.synthetic(m.synthetic(root, KindHTTP), KindServer)
	case "location":
		top = m.synthetic(m.synthetic(m.synthetic(root, KindHTTP), KindServer), KindLocation)
	case "upstream":
		top = m.synthetic(m.synthetic(root, KindHTTP), KindUpstream)
	case "stream":
		top = m.synthetic(root, KindStream)
	case "stream-server":
		top = m.synthetic(m.synthetic(root, KindStream), KindStreamServer)
	case "stream-upstream":
		top = m.synthetic(m.synthetic(root, KindStream), KindUpstream)
	}
	if top.Kind == KindUpstream {
		u := &Upstream{Name: "", Stream: top.Parent.Kind == KindStream, Scope: top.Parent}
		m.fillUpstream(u, t.Top())
	}
	m.fill(top, t.Top())
	m.build = builder{} // the rest of the slabs goes with it
	m.indexMaps()
	m.resolveProxies()
	return m
}

func (m *Model) indexMaps() {
	m.mapKeys = make(map[string][]string, len(m.Maps))
	for v := range m.Maps {
		k := strings.ToLower(v)
		m.mapKeys[k] = append(m.mapKeys[k], v)
	}
	for _, keys := range m.mapKeys {
		sort.Strings(keys)
	}
}

// MapKeys returns the keys of Maps that name variable v ("$name"),
// compared case-insensitively as nginx does, in sorted order.
func (m *Model) MapKeys(v string) []string {
	visit(1)
	if m.mapKeys == nil {
		m.indexMaps()
	}
	return m.mapKeys[strings.ToLower(v)]
}

func (m *Model) synthetic(parent *Scope, k Kind) *Scope {
	s := &Scope{Kind: k, Parent: parent}
	parent.Children = append(parent.Children, s)
	m.Scopes = append(m.Scopes, s)
	if k == KindServer {
		m.Servers = append(m.Servers, s)
	}
	if k == KindStreamServer {
		m.StreamServers = append(m.StreamServers, s)
	}
	return s
}

// fill walks a block, collecting the scope's own directives and nested
// scopes.
func (m *Model) fill(s *Scope, block []*config.Directive) {
	if s.Node != nil || s.Parent == nil {
		m.Scopes = append(m.Scopes, s)
	}
	b := &m.build
	d0, k0 := len(b.dirs), len(b.kids)
	defer func() {
		// fill runs once per scope, on empty lists
		s.Dirs = b.copyDirs(b.dirs[d0:])
		s.Children = b.copyKids(b.kids[k0:])
		b.dirs, b.kids = b.dirs[:d0], b.kids[:k0]
	}()
	for d := range config.Children(block) {
		b.dirs = append(b.dirs, d)
		if !d.IsBlock() {
			continue
		}
		var k Kind
		switch d.Name {
		case "http":
			k = KindHTTP
		case "stream":
			k = KindStream
		case "server":
			switch s.Kind {
			case KindHTTP:
				k = KindServer
			case KindStream:
				k = KindStreamServer
			}
		case "location":
			if s.Kind == KindServer || s.Kind == KindLocation {
				k = KindLocation
			}
		case "if":
			if s.Kind == KindServer || s.Kind == KindLocation {
				k = KindIf
			}
		case "limit_except":
			if s.Kind == KindLocation {
				k = KindLimitExcept
			}
		case "upstream":
			u := &Upstream{Name: d.Arg(0), Node: d, Stream: s.Kind == KindStream, Scope: s}
			m.fillUpstream(u, d.Block)
			continue
		case "map":
			if len(d.Args) >= 2 {
				m.Maps[d.Args[1].Value] = append(m.Maps[d.Args[1].Value], d)
			}
			continue
		}
		if k == "" {
			continue
		}
		c := b.newScope()
		c.Kind, c.Node, c.Parent = k, d, s
		b.kids = append(b.kids, c)
		switch k {
		case KindServer:
			m.Servers = append(m.Servers, c)
		case KindStreamServer:
			m.StreamServers = append(m.StreamServers, c)
		}
		m.fill(c, d.Block)
	}
}

func (m *Model) fillUpstream(u *Upstream, block []*config.Directive) {
	for d := range config.Children(block) {
		u.Dirs = append(u.Dirs, d)
		if d.Name == "server" {
			u.Servers = append(u.Servers, d)
		}
	}
	if u.Node == nil {
		return
	}
	m.UpstreamBlocks = append(m.UpstreamBlocks, u)
	key := strings.ToLower(u.Name)
	if u.Stream {
		if _, dup := m.StreamUpstreams[key]; !dup {
			m.StreamUpstreams[key] = u
		}
	} else if _, dup := m.Upstreams[key]; !dup {
		m.Upstreams[key] = u
	}
}

func (m *Model) resolveProxies() {
	for _, s := range m.Scopes {
		for _, d := range s.Dirs {
			var p *Proxy
			switch {
			case d.Name == "proxy_pass" && (s.Kind == KindStreamServer):
				p = m.streamProxy(s, d)
			case d.Name == "proxy_pass" || d.Name == "grpc_pass" || d.Name == "uwsgi_pass":
				if s.Kind == KindLocation || s.Kind == KindIf || s.Kind == KindLimitExcept {
					p = m.httpProxy(s, d)
				}
			}
			if p != nil {
				m.Proxies = append(m.Proxies, p)
			}
		}
	}
}

func (m *Model) httpProxy(s *Scope, d *config.Directive) *Proxy {
	p := &Proxy{Directive: d, Scope: s, URL: d.Arg(0), Module: strings.TrimSuffix(d.Name, "_pass")}
	if name, ok := singleVariable(p.URL); ok {
		m.urlVariable(p, name)
		return p
	}
	var unix bool
	p.Scheme, p.TLS, p.Host, p.Port, unix = parseTarget(p.URL)
	if unix {
		p.HostKind = HostUnix
		return p
	}
	m.classify(p, m.Upstreams)
	return p
}

// parseTarget splits a proxy_pass, grpc_pass or uwsgi_pass URL.
func parseTarget(u string) (scheme string, tls bool, host, port string, unix bool) {
	scheme, rest, ok := strings.Cut(u, "://")
	if !ok {
		// uwsgi_pass and grpc_pass accept a bare host:port.
		scheme, rest = "", u
	}
	scheme = strings.ToLower(scheme)
	switch scheme {
	case "https", "grpcs", "suwsgi":
		tls = true
	}
	if strings.HasPrefix(rest, "unix:") {
		return scheme, tls, "", "", true
	}
	hostport := rest
	if i := strings.IndexByte(hostport, '/'); i >= 0 {
		hostport = hostport[:i]
	}
	if i := strings.IndexByte(hostport, '?'); i >= 0 {
		hostport = hostport[:i]
	}
	hostport = cutURIVariables(hostport)
	a := ParseAddress(hostport)
	return scheme, tls, a.Host, a.Port, false
}

// singleVariable reports whether s is exactly one variable reference,
// "$name" or "${name}", and returns the name.
func singleVariable(s string) (string, bool) {
	if !strings.HasPrefix(s, "$") {
		return "", false
	}
	name := s[1:]
	if strings.HasPrefix(name, "{") && strings.HasSuffix(name, "}") {
		name = name[1 : len(name)-1]
	}
	if name == "" {
		return "", false
	}
	for i := 0; i < len(name); i++ {
		if !isNameByte(name[i]) {
			return "", false
		}
	}
	return name, true
}

// urlVariable handles a target that is one variable holding the whole URL
// (`set $backend https://cdn.example.net; proxy_pass $backend;`). nginx
// parses the URL per request, so the scheme, and with it TLS, comes from
// the values the variable can take: the proxy counts as TLS when one of
// them has a TLS scheme, and Values lists the hosts of those (plus a
// HostVariable entry per computed value, which may be TLS too).
func (m *Model) urlVariable(p *Proxy, name string) {
	p.Host = p.URL
	p.HostKind = HostVariable
	for _, r := range m.rawValues(p.Scope, name, false) {
		if strings.Contains(r.text, "$") {
			v := Value{Host: r.text, Kind: HostVariable, Source: r.src}
			p.Values = append(p.Values, v)
			p.AllValues = append(p.AllValues, v)
			continue
		}
		scheme, tls, host, port, unix := parseTarget(r.text)
		if unix {
			p.AllValues = append(p.AllValues, Value{Host: r.text, Kind: HostUnix, Source: r.src, Scheme: scheme})
			continue
		}
		k, u := hostKind(host, m.Upstreams)
		v := Value{Host: host, Port: port, Kind: k, Upstream: u, Source: r.src, Scheme: scheme}
		p.AllValues = append(p.AllValues, v)
		if !tls {
			continue
		}
		p.TLS = true
		p.Scheme = scheme
		p.Values = append(p.Values, v)
	}
	if !p.TLS {
		p.Values = nil
	}
}

// uriVariables always expand to a URI part ("/…", "?…" or nothing), so in
// `https://$cdn$request_uri` the host is $cdn alone.
var uriVariables = []string{"$request_uri", "${request_uri}", "$uri", "${uri}", "$document_uri", "${document_uri}", "$is_args", "${is_args}"}

// cutURIVariables cuts a variable proxy_pass's host:port where a variable
// that expands to a URI part starts.
func cutURIVariables(hostport string) string {
	cut := len(hostport)
	for _, v := range uriVariables {
		for from := 0; ; {
			i := strings.Index(hostport[from:], v)
			if i < 0 {
				break
			}
			i += from
			end := i + len(v)
			// "$uri" must not match the start of "$uri_x": a name goes on
			// with letters, digits and '_'.
			if v[1] == '{' || end == len(hostport) || !isNameByte(hostport[end]) {
				cut = min(cut, i)
				break
			}
			from = end
		}
	}
	return hostport[:cut]
}

func isNameByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func (m *Model) streamProxy(s *Scope, d *config.Directive) *Proxy {
	p := &Proxy{Directive: d, Scope: s, URL: d.Arg(0), Module: "stream"}
	on, _ := p.Flag("ssl", false)
	p.TLS = on
	if strings.HasPrefix(p.URL, "unix:") {
		p.HostKind = HostUnix
		return p
	}
	a := ParseAddress(p.URL)
	p.Host, p.Port = a.Host, a.Port
	m.classify(p, m.StreamUpstreams)
	return p
}

func (m *Model) classify(p *Proxy, ups map[string]*Upstream) {
	if strings.Contains(p.Host, "$") {
		p.HostKind = HostVariable
		p.Values = m.variableValues(p, ups)
		p.AllValues = p.Values
		return
	}
	p.HostKind, p.Upstream = hostKind(p.Host, ups)
}

func hostKind(host string, ups map[string]*Upstream) (HostKind, *Upstream) {
	if u, ok := ups[strings.ToLower(host)]; ok {
		return HostUpstream, u
	}
	if a, err := netip.ParseAddr(host); err == nil {
		if a.Is4() {
			return HostIPv4, nil
		}
		return HostIPv6, nil
	}
	return HostName, nil
}

// variableValues finds what a host like "$cdn" can be (see rawValues). A
// host that is more than one variable reference (e.g. "$a.example.com")
// has no known values. A computed value is kept as a HostVariable entry so
// callers can tell the list is partial.
func (m *Model) variableValues(p *Proxy, ups map[string]*Upstream) []Value {
	name, ok := singleVariable(p.Host)
	if !ok {
		return nil
	}
	var out []Value
	for _, r := range m.rawValues(p.Scope, name, p.Module == "stream") {
		if strings.Contains(r.text, "$") {
			out = append(out, Value{Host: r.text, Kind: HostVariable, Source: r.src})
			continue
		}
		a := ParseAddress(r.text)
		if a.IsUnix() {
			out = append(out, Value{Host: r.text, Kind: HostUnix, Source: r.src})
			continue
		}
		k, u := hostKind(a.Host, ups)
		out = append(out, Value{Host: a.Host, Port: a.Port, Kind: k, Upstream: u, Source: r.src})
	}
	return out
}

// rawValue is one value a variable can be given, as written.
type rawValue struct {
	text string
	src  *config.Directive
}

// rawValues lists what variable name can hold at a proxy in scope s:
// `set $name …` that runs for the request (the proxy's own location and
// the if blocks in it, and the server level with its if blocks; an
// enclosing location's rewrite directives do not run for a nested one),
// and the values of `map … $name` in the same module (http or stream).
func (m *Model) rawValues(s *Scope, name string, stream bool) []rawValue {
	var out []rawValue
	var sets func(x *Scope)
	sets = func(x *Scope) {
		for _, d := range x.Own("set") {
			// variable names are case-insensitive in nginx
			if len(d.Args) >= 2 && strings.EqualFold(d.Arg(0), "$"+name) {
				out = append(out, rawValue{d.Arg(1), d})
			}
		}
		switch x.Kind {
		case KindServer, KindLocation, KindIf:
		default:
			return // if blocks are only found in those: an http{} holds every server
		}
		for _, c := range x.Children {
			if c.Kind == KindIf && c != s {
				sets(c)
			}
		}
	}
	inLocation := false
	for x := s; x != nil; x = x.Parent {
		if x.Kind == KindLocation {
			if inLocation {
				continue
			}
			inLocation = true
		}
		sets(x)
	}
	for _, v := range m.MapKeys("$" + name) {
		for _, md := range m.Maps[v] {
			if m.inStream(md) != stream {
				continue
			}
			m.mapValues(md, func(text string, src *config.Directive) {
				out = append(out, rawValue{text, src})
			})
		}
	}
	return out
}

// mapValues feeds a map block's resulting values to add.
func (m *Model) mapValues(md *config.Directive, add func(string, *config.Directive)) {
	for d := range config.Children(md.Block) {
		switch d.Name {
		case "hostnames", "volatile":
			continue
		}
		if len(d.Args) >= 1 {
			add(d.Arg(0), d)
		}
	}
}

// inStream reports whether a directive sits in a stream{} block. Outside
// both http{} and stream{} (a snippet), the snippet's context decides.
func (m *Model) inStream(d *config.Directive) bool {
	for x := d.Parent; x != nil; x = x.Parent {
		switch x.Name {
		case "stream":
			return true
		case "http":
			return false
		}
	}
	return m.Tree != nil && strings.HasPrefix(m.Tree.Context, "stream")
}

// HostHeader returns the Host header the upstream receives: the effective
// `*_set_header Host` value, or nginx's default ($proxy_host for proxy, the
// grpc_pass host for grpc). explicit is nil for the default.
func (p *Proxy) HostHeader() (value string, explicit *config.Directive) {
	var list []*config.Directive
	switch p.Module {
	case "proxy":
		list, _ = p.Scope.EffectiveList("proxy_set_header")
	case "grpc":
		list, _ = p.Scope.EffectiveList("grpc_set_header")
	default:
		return "", nil
	}
	for _, d := range list {
		if strings.EqualFold(d.Arg(0), "Host") {
			return d.Arg(1), d
		}
	}
	return "$proxy_host", nil
}

// DefaultSSLName is the name nginx sends and verifies when *_ssl_name is
// unset: the upstream block's name or the proxy_pass host, port stripped.
func (p *Proxy) DefaultSSLName() string {
	if p.Upstream != nil {
		return p.Upstream.Name
	}
	return p.Host
}

// IsIP reports whether s is an IPv4 or IPv6 literal.
func IsIP(s string) bool {
	_, err := netip.ParseAddr(strings.Trim(s, "[]"))
	return err == nil
}
