package model

import (
	"net/netip"
	"strings"

	"github.com/ngxlint/ngxlint/nginx/config"
)

// Address is a network address the way nginx's ngx_parse_url reads the
// arguments of listen, upstream server, proxy_pass and resolver, and the
// Host values it compares with server names. It is the one reading of
// "host:port" in ngxlint: rules, the log mapper and the harness all use it.
type Address struct {
	// Unix is the socket path of "unix:/path" (Host and Port are empty).
	Unix string
	// Host is the host part without IPv6 brackets; "" when the text names
	// no host (a listen of a bare port).
	Host string
	// Port is the port as written; "" when none is written.
	Port string
}

// ParseAddress reads "host", "host:port", "[v6]", "[v6]:port", a bare
// IPv6 address and "unix:/path[:…]". A colon in a host without brackets
// makes the whole text the host (an IPv6 address), as nginx reads it.
func ParseAddress(s string) Address {
	if path, ok := strings.CutPrefix(s, "unix:"); ok {
		return Address{Unix: path}
	}
	if strings.HasPrefix(s, "[") {
		if i := strings.IndexByte(s, ']'); i > 0 {
			a := Address{Host: s[1:i]}
			if rest, ok := strings.CutPrefix(s[i+1:], ":"); ok {
				a.Port = rest
			}
			return a
		}
	}
	if i := strings.LastIndexByte(s, ':'); i >= 0 && strings.Count(s, ":") == 1 {
		return Address{Host: s[:i], Port: s[i+1:]}
	}
	return Address{Host: s}
}

// ParseListenAddress reads a listen directive's first argument: as
// ParseAddress, except that a bare number is a port ("8080") and a host
// without a port listens on 80 ("127.0.0.1" → port 80, as nginx does).
func ParseListenAddress(s string) Address {
	if isDigits(s) {
		return Address{Port: s}
	}
	a := ParseAddress(s)
	if a.Unix == "" && a.Port == "" {
		a.Port = "80"
	}
	return a
}

// IsUnix reports whether the address is a unix socket.
func (a Address) IsUnix() bool { return a.Unix != "" }

// IsIPv6 reports whether the host is an IPv6 address.
func (a Address) IsIPv6() bool { return strings.Contains(a.Host, ":") }

// IsWildcard reports whether the address listens on every local address
// ("8080", "*:8080", "0.0.0.0:8080", "[::]:8080").
func (a Address) IsWildcard() bool {
	switch a.Host {
	case "", "*", "0.0.0.0", "::":
		return a.Unix == ""
	}
	return false
}

// IsIP reports whether the host is an IP literal rather than a name.
func (a Address) IsIP() bool {
	_, err := netip.ParseAddr(a.Host)
	return err == nil
}

// String writes the address back the way nginx prints it: IPv6 hosts in
// brackets, the port after a colon when there is one.
func (a Address) String() string {
	if a.Unix != "" {
		return "unix:" + a.Unix
	}
	h := a.Host
	if a.IsIPv6() {
		h = "[" + h + "]"
	}
	if a.Port == "" {
		return h
	}
	return h + ":" + a.Port
}

// Listen is one listen directive, read as nginx reads it.
type Listen struct {
	Directive *config.Directive
	Address
	// Params are the parameters after the address, as written.
	Params []string
	// SSL, DefaultServer, HTTP2, QUIC, UDP and ProxyProtocol are the
	// parameters of those names (default_server and its old spelling
	// default).
	SSL, DefaultServer, HTTP2, QUIC, UDP, ProxyProtocol bool
}

// ParseListen reads a listen directive.
func ParseListen(d *config.Directive) Listen {
	l := Listen{Directive: d}
	if len(d.Args) == 0 {
		return l
	}
	vals := d.Values()
	l.Address = ParseListenAddress(vals[0])
	l.Params = vals[1:]
	for _, p := range l.Params {
		switch p {
		case "ssl":
			l.SSL = true
		case "default_server", "default":
			l.DefaultServer = true
		case "http2":
			l.HTTP2 = true
		case "quic":
			l.QUIC = true
		case "udp":
			l.UDP = true
		case "proxy_protocol":
			l.ProxyProtocol = true
		}
	}
	return l
}

// Listens returns a server scope's listen directives, read.
func (s *Scope) Listens() []Listen {
	ds := s.Own("listen")
	out := make([]Listen, 0, len(ds))
	for _, d := range ds {
		out = append(out, ParseListen(d))
	}
	return out
}

// UpstreamServer is one server line of an upstream{} block.
type UpstreamServer struct {
	Directive *config.Directive
	Address
	// Params are the parameters after the address, as written.
	Params []string
	// Backup, Down and Resolve are the bare parameters of those names.
	Backup, Down, Resolve bool
}

// ParseUpstreamServer reads an upstream{} server line.
func ParseUpstreamServer(d *config.Directive) UpstreamServer {
	s := UpstreamServer{Directive: d}
	if len(d.Args) == 0 {
		return s
	}
	vals := d.Values()
	s.Address = ParseAddress(vals[0])
	s.Params = vals[1:]
	for _, p := range s.Params {
		switch strings.ToLower(p) {
		case "backup":
			s.Backup = true
		case "down":
			s.Down = true
		case "resolve":
			s.Resolve = true
		}
	}
	return s
}

// EffectivePort is the port nginx connects to: the written one, else 80
// (an http upstream server without a port; stream servers must name one).
func (s UpstreamServer) EffectivePort() (port string, explicit bool) {
	if s.Unix != "" {
		return "", true
	}
	if s.Port != "" {
		return s.Port, true
	}
	return "80", false
}

// Members returns an upstream block's server lines, read.
func (u *Upstream) Members() []UpstreamServer {
	out := make([]UpstreamServer, 0, len(u.Servers))
	for _, d := range u.Servers {
		out = append(out, ParseUpstreamServer(d))
	}
	return out
}

// ServerNameVariable returns what nginx puts in $server_name, and so in
// the "server:" field of error-log lines, for an http server: its first
// server_name, lower-cased, with a leading "." removed; a regex name keeps
// its "~" and its case; "" when the server has no server_name
// (ngx_http_core_merge_srv_conf).
func (s *Scope) ServerNameVariable() string {
	names := s.ServerNames()
	if len(names) == 0 {
		return ""
	}
	n := names[0]
	if strings.HasPrefix(n, "~") {
		return n
	}
	return strings.ToLower(strings.TrimPrefix(n, "."))
}

// NameKind says what a server_name value matches.
type NameKind int

const (
	// NameExact is a literal host name ("example.com").
	NameExact NameKind = iota
	// NameWildcard is "*.example.com", "www.example.*" or ".example.com".
	NameWildcard
	// NameRegex is "~…".
	NameRegex
	// NameVariable contains a variable ("$hostname").
	NameVariable
	// NameNone is "" or "_": no Host header carries it.
	NameNone
)

// ServerNameKind classifies one server_name value.
func ServerNameKind(n string) NameKind {
	switch {
	case n == "" || n == "_":
		return NameNone
	case strings.HasPrefix(n, "~"):
		return NameRegex
	case strings.Contains(n, "$"):
		return NameVariable
	case strings.Contains(n, "*") || strings.HasPrefix(n, "."):
		return NameWildcard
	}
	return NameExact
}

// PlainServerNames splits server names into the literal names a client
// can send (lower-cased, without duplicates) and the patterns (wildcards,
// regexes, variables) that stand for open-ended sets of names. "" and "_"
// name nothing a Host header carries and are dropped.
func PlainServerNames(names []string) (plain, patterns []string) {
	seen := map[string]bool{}
	for _, n := range names {
		switch ServerNameKind(n) {
		case NameNone:
		case NameExact:
			n = strings.ToLower(n)
			if !seen[n] {
				seen[n] = true
				plain = append(plain, n)
			}
		default:
			patterns = append(patterns, n)
		}
	}
	return plain, patterns
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
