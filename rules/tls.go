package rules

import (
	"fmt"
	"strings"

	"github.com/ngxlint/ngxlint/lint/config"
	"github.com/ngxlint/ngxlint/lint/model"
)

// tlsProxies yields the proxies that open a TLS connection upstream.
func tlsProxies(m *model.Model) []*model.Proxy {
	var out []*model.Proxy
	for _, p := range m.Proxies {
		if p.TLS && p.HostKind != model.HostUnix {
			out = append(out, p)
		}
	}
	return out
}

// target describes a proxy's destination for messages.
func target(p *model.Proxy) string {
	if p.Module == "stream" {
		return fmt.Sprintf("proxy_pass %s (proxy_ssl on)", p.URL)
	}
	return fmt.Sprintf("%s %s", p.Directive.Name, p.URL)
}

// nameNeed is the answer to "which name should this upstream be sent?".
type nameNeed struct {
	// Name is the proposed *_ssl_name; empty when unknown.
	Name string
	// Why says where Name came from, or why none could be chosen.
	Why string
}

// hostReceived works out the Host the upstream receives, which is the name
// a CDN routes on and presents its certificate for. ok is false when it
// cannot be told from the configuration (several server names, a computed
// header, a module without a Host header).
func hostReceived(p *model.Proxy) (host, why string, ok bool) {
	val, explicit := p.HostHeader()
	where := "the default Host ($proxy_host)"
	if explicit != nil {
		where = fmt.Sprintf("the Host header set at %s:%d", explicit.File.Path, explicit.Pos().Line)
	}
	switch {
	case p.Module == "uwsgi" || p.Module == "stream":
		return "", "the upstream receives no Host header from this module", false
	case val == "$proxy_host":
		if p.HostKind == model.HostVariable {
			return "", "the proxy target is a variable", false
		}
		return p.DefaultSSLName(), where, true
	case val == "$host" || val == "$http_host" || val == "$server_name":
		s := p.Scope.Server()
		if s == nil {
			return "", fmt.Sprintf("the Host header is %s and the server is unknown in this snippet", val), false
		}
		names := plainNames(s.ServerNames())
		if len(names) == 1 {
			return names[0], fmt.Sprintf("the Host header is %s and the server's only server_name is %s", val, names[0]), true
		}
		if len(names) == 0 {
			return "", fmt.Sprintf("the Host header is %s and the server has no plain server_name", val), false
		}
		return "", fmt.Sprintf("the Host header is %s and the server has %d names (%s)", val, len(names), strings.Join(names, ", ")), false
	case !strings.Contains(val, "$"):
		h := val
		if i := strings.LastIndexByte(h, ':'); i > 0 && !strings.Contains(h[:i], ":") {
			h = h[:i]
		}
		return h, where, true
	}
	return "", fmt.Sprintf("the Host header is computed (%s)", val), false
}

// plainNames keeps the server names a client can literally send.
func plainNames(names []string) []string {
	var out []string
	for _, n := range names {
		if n == "" || n == "_" || strings.HasPrefix(n, "~") || strings.Contains(n, "*") || strings.HasPrefix(n, ".") || strings.Contains(n, "$") {
			continue
		}
		out = append(out, strings.ToLower(n))
	}
	return out
}

// sentName is the name nginx sends (SNI) and verifies when *_ssl_name is
// unset; known is false for variable targets whose values are unknown.
func sentName(p *model.Proxy) (string, bool) {
	if p.HostKind == model.HostVariable {
		if len(p.Values) == 1 {
			v := p.Values[0]
			if v.Upstream != nil {
				return v.Upstream.Name, true
			}
			return v.Host, true
		}
		return "", false
	}
	return p.DefaultSSLName(), true
}

// insertion plans where new directives go for a proxy: right after it in
// its location, or before the if/limit_except block that holds it (nginx
// does not allow *_ssl_* inside those), so every finding of one location
// proposes the same, de-duplicable edit.
func insertion(p *model.Proxy, lines []string) (Edit, bool) {
	loc := p.Scope.Location()
	anchor := p.Directive
	before := false
	if p.Scope != loc {
		for anchor.Parent != nil && anchor.Parent != loc.Node {
			anchor = anchor.Parent
		}
		if anchor.Parent != loc.Node {
			return Edit{}, false
		}
		before = true
	}
	f := anchor.File
	src := f.Src
	nl := "\n"
	lineNo := f.Position(anchor.Start).Line
	lineStart := f.LineStart(lineNo)
	lead := src[lineStart:anchor.Start]
	firstOnLine := strings.TrimLeft(lead, " \t") == ""
	indent := lead
	if !firstOnLine {
		indent = leadingSpace(lead)
	}
	if before {
		if !firstOnLine {
			return Edit{Start: anchor.Start, End: anchor.Start, File: f, NewText: strings.Join(lines, " ") + " "}, true
		}
		var b strings.Builder
		for _, l := range lines {
			b.WriteString(indent + l + lineEnding(src, anchor.End))
		}
		return Edit{File: f, Start: lineStart, End: lineStart, NewText: b.String()}, true
	}
	// after: at the end of the anchor's last line when only space or a
	// comment follows it, else right after its terminator.
	end := anchor.End
	rest := src[end:]
	eol := strings.IndexByte(rest, '\n')
	tail := rest
	if eol >= 0 {
		tail = rest[:eol]
	}
	t := strings.TrimLeft(strings.TrimSuffix(tail, "\r"), " \t")
	if t == "" || strings.HasPrefix(t, "#") {
		pos := end + int32(len(strings.TrimSuffix(tail, "\r")))
		nl = lineEnding(src, anchor.End)
		var b strings.Builder
		for _, l := range lines {
			b.WriteString(nl + indent + l)
		}
		return Edit{File: f, Start: pos, End: pos, NewText: b.String()}, true
	}
	return Edit{File: f, Start: end, End: end, NewText: " " + strings.Join(lines, " ")}, true
}

func leadingSpace(s string) string {
	return s[:len(s)-len(strings.TrimLeft(s, " \t"))]
}

// lineEnding returns "\r\n" when the line at off ends with CRLF.
func lineEnding(src string, off int32) string {
	i := strings.IndexByte(src[off:], '\n')
	if i > 0 && src[int(off)+i-1] == '\r' {
		return "\r\n"
	}
	return "\n"
}

// sharedSnippet reports whether the proxy sits in a file included more
// than once: a server-specific name written there would be wrong for the
// other includers.
func sharedSnippet(m *model.Model, d *config.Directive) bool {
	n := 0
	for _, f := range m.Tree.Files {
		if f.Path == d.File.Path {
			n++
		}
	}
	return n > 1
}

// nameFix builds a fix that adds directives in the proxy's location.
func nameFix(p *model.Proxy, desc string, lines []string) *Fix {
	e, ok := insertion(p, lines)
	if !ok {
		return nil
	}
	return &Fix{Description: desc, Edits: []Edit{e}}
}

func quoteIfNeeded(s string) string {
	if strings.ContainsAny(s, " \t;{}#\"'") {
		return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"`
	}
	return s
}
