package directives

import "strings"

// Context is the kind of block a directive sits in, as nginx's cmd_type
// tells them apart. It is a bit set so that a Directive's allowed contexts
// are one value. The bodies of map, geo, types, split_clients, charset_map,
// match and similar blocks are not contexts: nginx parses them with the
// block's own handler and never looks their lines up as directives.
type Context uint16

// The contexts, one bit each.
const (
	Main           Context = 1 << iota // top level (NGX_MAIN_CONF)
	Events                             // events {}
	HTTP                               // http {}
	Server                             // http { server {} }
	ServerIf                           // if {} directly in a server (NGX_HTTP_SIF_CONF)
	Location                           // location {}, nested or not
	LocationIf                         // if {} in a location (NGX_HTTP_LIF_CONF)
	LimitExcept                        // limit_except {}
	Upstream                           // http { upstream {} }
	Stream                             // stream {}
	StreamServer                       // stream { server {} }
	StreamUpstream                     // stream { upstream {} }
	Mail                               // mail {}
	MailServer                         // mail { server {} }

	// Any is NGX_ANY_CONF (include): every context.
	Any Context = 1<<iota - 1
)

var contextNames = []struct {
	c    Context
	name string
}{
	{Main, "main"}, {Events, "events"}, {HTTP, "http"}, {Server, "server"}, {ServerIf, "sif"},
	{Location, "location"}, {LocationIf, "lif"}, {LimitExcept, "limit_except"}, {Upstream, "upstream"},
	{Stream, "stream"}, {StreamServer, "stream_server"}, {StreamUpstream, "stream_upstream"},
	{Mail, "mail"}, {MailServer, "mail_server"},
}

// Contexts lists every single context, in nesting order.
func Contexts() []Context {
	out := make([]Context, len(contextNames))
	for i, c := range contextNames {
		out[i] = c.c
	}
	return out
}

// String names the contexts in c, comma-separated ("any" for Any).
func (c Context) String() string {
	if c == Any {
		return "any"
	}
	var b []string
	for _, n := range contextNames {
		if c&n.c != 0 {
			b = append(b, n.name)
		}
	}
	return strings.Join(b, ",")
}

// ParseContext reads what String writes.
func ParseContext(s string) (Context, bool) {
	if s == "any" {
		return Any, true
	}
	var c Context
	for _, part := range strings.Split(s, ",") {
		found := false
		for _, n := range contextNames {
			if n.name == part {
				c |= n.c
				found = true
				break
			}
		}
		if !found {
			return 0, false
		}
	}
	return c, c != 0
}

// Child returns the context inside a block directive named name that sits
// in parent, following nginx's block handlers. opaque is true for blocks
// whose body is not made of directives (map, geo, types, split_clients,
// charset_map, upstream's match …): the caller must not check their lines.
// ok is false for a name that opens no context nginx knows in parent.
func Child(parent Context, name string) (child Context, opaque, ok bool) {
	switch name {
	case "events":
		if parent == Main {
			return Events, false, true
		}
	case "http":
		if parent == Main {
			return HTTP, false, true
		}
	case "stream":
		if parent == Main {
			return Stream, false, true
		}
	case "mail":
		if parent == Main {
			return Mail, false, true
		}
	case "server":
		switch parent {
		case HTTP:
			return Server, false, true
		case Stream:
			return StreamServer, false, true
		case Mail:
			return MailServer, false, true
		}
	case "upstream":
		switch parent {
		case HTTP:
			return Upstream, false, true
		case Stream:
			return StreamUpstream, false, true
		}
	case "location":
		if parent == Server || parent == Location {
			return Location, false, true
		}
	case "if":
		switch parent {
		case Server:
			return ServerIf, false, true
		case Location:
			return LocationIf, false, true
		}
	case "limit_except":
		if parent == Location {
			return LimitExcept, false, true
		}
	case "map", "geo", "types", "split_clients", "charset_map", "match",
		"perl_set", "js_set", "geoip2", "lua_block", "content_by_lua_block", "access_by_lua_block",
		"rewrite_by_lua_block", "header_filter_by_lua_block", "body_filter_by_lua_block", "log_by_lua_block",
		"init_by_lua_block", "init_worker_by_lua_block", "set_by_lua_block", "balancer_by_lua_block",
		"ssl_certificate_by_lua_block", "ssl_session_fetch_by_lua_block", "ssl_session_store_by_lua_block",
		"ssl_client_hello_by_lua_block", "preread_by_lua_block", "exit_worker_by_lua_block",
		"server_rewrite_by_lua_block", "precontent_by_lua_block", "proxy_ssl_verify_by_lua_block",
		"proxy_ssl_certificate_by_lua_block":
		return parent, true, true
	}
	if strings.HasSuffix(name, "_by_lua_block") {
		return parent, true, true
	}
	return 0, false, false
}
