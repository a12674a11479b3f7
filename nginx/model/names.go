package model

import (
	"fmt"
	"strings"
)

// Which name nginx sends to a TLS upstream, and which name the upstream
// expects, is one policy: the rules judge a configuration by it and the
// harness decides which names a stand-in edge serves by it.

// ReceivedHost works out the Host the upstream receives, which is the name
// a CDN routes on and presents its certificate for. ok is false when it
// cannot be told from the configuration (several server names, a computed
// header, a module without a Host header).
func (p *Proxy) ReceivedHost() (host, why string, ok bool) {
	val, explicit := p.HostHeader()
	where := "the default Host ($proxy_host)"
	if explicit != nil {
		where = fmt.Sprintf("the Host header set at %s:%d", explicit.File.Path, explicit.Pos().Line)
	}
	if p.Module == "uwsgi" || p.Module == "stream" {
		return "", "the upstream receives no Host header from this module", false
	}
	if IsProxyHost(val) {
		if name, _, known := p.SentTarget(); known {
			return name, where, true
		}
		return "", "the proxy target is a variable with no single known value", false
	}
	if val == "" {
		// No Host line before 1.31.4, $proxy_host from then on (§1.6).
		return "", "the Host header is set to an empty value", false
	}
	switch HostBase(val) {
	case "$host", "$http_host":
		s := p.Scope.Server()
		if s == nil || s.Node == nil && len(s.ServerNames()) == 0 {
			return "", fmt.Sprintf("the Host header is %s and the server is unknown in this snippet", val), false
		}
		names, patterns := PlainServerNames(s.ServerNames())
		switch {
		case len(names) == 1 && len(patterns) == 0:
			return names[0], fmt.Sprintf("the Host header is %s and the server's only server_name is %s", val, names[0]), true
		case len(names)+len(patterns) == 0:
			return "", fmt.Sprintf("the Host header is %s and the server has no server_name to tell it by", val), false
		}
		all := append(append([]string{}, names...), patterns...)
		return "", fmt.Sprintf("the Host header is %s and the server answers for %d names (%s)", val, len(all), strings.Join(all, ", ")), false
	case "$server_name":
		// $server_name is the server's primary (first) name, whatever the
		// client asked for.
		s := p.Scope.Server()
		var names []string
		if s != nil {
			names = s.ServerNames()
		}
		if len(names) == 0 {
			return "", fmt.Sprintf("the Host header is %s and the server has no server_name here", val), false
		}
		if plain, _ := PlainServerNames(names[:1]); len(plain) == 1 {
			return plain[0], fmt.Sprintf("the Host header is %s, the server's first server_name %s", val, plain[0]), true
		}
		return "", fmt.Sprintf("the Host header is %s and the server's first name %s is not a host name", val, names[0]), false
	}
	if !strings.Contains(val, "$") {
		return ParseAddress(val).Host, where, true
	}
	return "", fmt.Sprintf("the Host header is computed (%s)", val), false
}

// HostBase reduces a Host value to the variable it is built on when it is
// one variable, optionally followed by a port ($host:$server_port, with
// ${host} spelt $host); other values come back unchanged.
func HostBase(val string) string {
	if !strings.HasPrefix(val, "$") {
		return val
	}
	base := val
	if i := strings.IndexByte(base, ':'); i > 0 {
		base = base[:i]
	}
	if strings.HasPrefix(base, "${") && strings.HasSuffix(base, "}") {
		base = "$" + base[2:len(base)-1]
	}
	return base
}

// IsClientHost reports whether a Host value is the client's Host
// ($host, $http_host, optionally with a port), which ReceivedHost can only
// pin down through the server's names, as opposed to an expression it
// cannot evaluate at all.
func IsClientHost(val string) bool {
	switch HostBase(val) {
	case "$host", "$http_host":
		return true
	}
	return false
}

// IsProxyHost reports whether a Host value is nginx's default, $proxy_host,
// spelt out: it always names the proxy target itself.
func IsProxyHost(val string) bool { return val == "$proxy_host" || val == "${proxy_host}" }

// SentName is the name nginx sends (SNI) and verifies when *_ssl_name is
// unset; known is false for variable targets whose values are unknown.
func (p *Proxy) SentName() (string, bool) {
	n, _, known := p.SentTarget()
	return n, known
}

// SentTarget is SentName plus what kind of host the name is. A variable
// target is known only when every value it can take is known and they all
// give the same name.
func (p *Proxy) SentTarget() (string, HostKind, bool) {
	if p.HostKind != HostVariable {
		return p.DefaultSSLName(), p.HostKind, true
	}
	if !p.KnownValues() {
		return "", HostVariable, false
	}
	name, kind := "", HostKind("")
	for i, v := range p.Values {
		n := v.Host
		if v.Upstream != nil {
			n = v.Upstream.Name
		}
		if i > 0 && !strings.EqualFold(n, name) {
			return "", HostVariable, false
		}
		name, kind = n, v.Kind
	}
	return name, kind, true
}
