package rules

import (
	"fmt"
	"strings"

	"github.com/ngxlint/ngxlint/nginx/model"
	"github.com/ngxlint/ngxlint/rules/rule"
)

// NGX303 catches Host forwarded from $http_host: the raw header, which
// need not be the host nginx routed the request by.
var NGX303 = rule.Register(&rule.Rule{
	ID:       "NGX303",
	Slug:     "host-header-spoofable",
	Severity: rule.Warning,
	Summary:  "proxy_set_header Host $http_host forwards whatever Host the client sent; use $host",
	Doc: rule.Doc{
		Problem: "`proxy_set_header Host $http_host;` (or `grpc_set_header Host $http_host;`) forwards the client's Host " +
			"header byte for byte.",
		Why: "nginx picks the server{} by the request line's host when the request carries an absolute URI " +
			"(`GET http://internal.example.com/ HTTP/1.1`) and by Host otherwise; `$host` is that routed name, " +
			"lower-cased, without port, and the server name when the client sent none. `$http_host` is whatever the " +
			"client wrote: a request routed to one site can reach the upstream claiming another (host-header " +
			"injection: poisoned caches and password-reset links, tenant confusion behind a shared upstream), and an " +
			"HTTP/1.0 request without Host sends none. The fix uses `$host` where every server the header applies " +
			"to listens only on 80 or 443 (the Host a client sends then carries no port); elsewhere the port may " +
			"matter to the upstream, so there is no automatic edit: use `$host:$server_port` or the public name.",
		Bad: `proxy_pass http://app.example.net:8080;
proxy_set_header Host $http_host;  # want NGX303`,
		Good: `proxy_pass http://app.example.net:8080;
proxy_set_header Host $host;`,
		Context:  "location",
		Versions: "All versions.",
	},
	Run: runNGX303,
})

func runNGX303(pass *rule.Pass) {
	// an http-level line reaches every server: judge each scope once
	type portsOf struct {
		other string
		ok    bool
	}
	memo := map[*model.Scope]portsOf{}
	for _, s := range pass.Model.Scopes {
		for _, d := range s.Dirs {
			name := d.Name
			if name != "proxy_set_header" && name != "grpc_set_header" {
				continue
			}
			if !strings.EqualFold(d.Arg(0), "Host") || len(d.Args) < 2 {
				continue
			}
			v := d.Arg(1)
			if v != "$http_host" && v != "${http_host}" {
				continue
			}
			msg := fmt.Sprintf("%s Host %s forwards the Host header exactly as the client sent it, not the host nginx routed the request by ($host): a client can make the upstream see another site's name", name, v)
			var fix *rule.Fix
			r, seen := memo[s]
			if !seen {
				r.other, r.ok = defaultPortsOnly(pass.Model, s)
				memo[s] = r
			}
			if ports, ok := r.other, r.ok; ok {
				fix = &rule.Fix{Description: "forward the routed host ($host)", Edits: []rule.Edit{{File: d.File, Start: d.Args[1].Start, End: d.Args[1].End, NewText: "$host"}}}
			} else {
				msg += fmt.Sprintf(" (no automatic fix: the server listens on %s, and $host drops the port the client used; use $host:$server_port or the public name)", ports)
			}
			pass.Report(d, msg, fix)
		}
	}
}

// defaultPortsOnly reports whether every server a scope's directives
// reach listens on 80 or 443 only (a server without listen is port 80);
// otherwise it names the other ports.
func defaultPortsOnly(m *model.Model, s *model.Scope) (string, bool) {
	var servers []*model.Scope
	if srv := s.Server(); srv != nil {
		servers = []*model.Scope{srv}
	} else {
		servers = serversUnder(m)[s]
	}
	var other []string
	for _, srv := range servers {
		for _, l := range srv.Listens() {
			if p := listenPort(l.Address); p != "80" && p != "443" && !containsFold(other, p) {
				other = append(other, p)
			}
		}
	}
	return strings.Join(other, ", "), len(other) == 0
}

// serversUnder lists, for each scope above the server level (http{},
// main), the http servers inside it, once per model.
func serversUnder(m *model.Model) map[*model.Scope][]*model.Scope {
	return model.Cached(m, serversUnderKey{}, func(m *model.Model) map[*model.Scope][]*model.Scope {
		out := map[*model.Scope][]*model.Scope{}
		for _, srv := range m.Servers {
			for x := srv; x != nil; x = x.Parent {
				out[x] = append(out[x], srv)
			}
		}
		return out
	})
}

type serversUnderKey struct{}

// listenPort returns a listen address's port ("80" when it names none,
// "unix" for a socket).
func listenPort(a model.Address) string {
	if a.IsUnix() {
		return "unix"
	}
	return a.Port
}
