package model

import (
	"net/url"
	"regexp"
	"regexp/syntax"
	"strings"
	"sync"
	"unicode"
)

// compiled caches regexes by expression. Matching runs per request line
// in the log mapper, and compiling a location's or server name's regex on
// every call would dominate it; the set of expressions is bounded by the
// configuration, so the cache is too.
var compiled sync.Map // string → compiledRe

type compiledRe struct {
	re  *regexp.Regexp
	err error
}

func compile(expr string) (*regexp.Regexp, error) {
	if c, ok := compiled.Load(expr); ok {
		c := c.(compiledRe)
		return c.re, c.err
	}
	re, err := regexp.Compile(expr)
	compiled.Store(expr, compiledRe{re, err})
	return re, err
}

// nginx picks a server block by name and a location by URI with rules that
// people misremember (exact before longest prefix, regexes in config order
// unless ^~, nested locations searched again). The log mapper and the
// harness's request planner must agree with nginx, so both use these.

// Loc describes a location scope's match.
type Loc struct {
	Modifier string // "", "=", "^~", "~", "~*", or "@" for named
	Pattern  string
	re       *regexp.Regexp
	reErr    error
}

// LocOf parses a location scope's arguments.
func LocOf(s *Scope) Loc {
	if s == nil || s.Node == nil || s.Kind != KindLocation {
		return Loc{}
	}
	d := s.Node
	var l Loc
	switch len(d.Args) {
	case 1:
		p := d.Arg(0)
		switch {
		case strings.HasPrefix(p, "@"):
			l = Loc{Modifier: "@", Pattern: p}
		case strings.HasPrefix(p, "="):
			l = Loc{Modifier: "=", Pattern: p[1:]}
		case strings.HasPrefix(p, "^~"):
			l = Loc{Modifier: "^~", Pattern: p[2:]}
		case strings.HasPrefix(p, "~*"):
			l = Loc{Modifier: "~*", Pattern: p[2:]}
		case strings.HasPrefix(p, "~"):
			l = Loc{Modifier: "~", Pattern: p[1:]}
		default:
			l = Loc{Pattern: p}
		}
	default:
		l = Loc{Modifier: d.Arg(0), Pattern: d.Arg(1)}
	}
	if l.Modifier == "~" || l.Modifier == "~*" {
		expr := l.Pattern
		if l.Modifier == "~*" {
			expr = "(?i)" + expr
		}
		l.re, l.reErr = compile(expr)
	}
	return l
}

// Regex reports whether the location is a regex location.
func (l Loc) Regex() bool { return l.Modifier == "~" || l.Modifier == "~*" }

// String renders the location as written in nginx.
func (l Loc) String() string {
	if l.Modifier == "" || l.Modifier == "@" {
		return l.Pattern
	}
	return l.Modifier + " " + l.Pattern
}

func locations(s *Scope) []*Scope {
	var out []*Scope
	for _, c := range s.Children {
		if c.Kind == KindLocation {
			out = append(out, c)
		}
	}
	return out
}

// MatchLocation returns the location nginx selects for uri (already
// normalised, without arguments) inside a server, following
// ngx_http_core_find_location: exact match wins; else the longest prefix,
// whose nested locations are searched in turn; then, unless that prefix is
// ^~, the regex locations of the level in config order (with their own
// nested locations). It returns nil when nothing matches.
func MatchLocation(server *Scope, uri string) *Scope {
	loc, _ := findLocation(server, uri)
	return loc
}

// findLocation returns the selected location and whether the search is
// final (an exact or regex match, which nginx returns as NGX_OK).
func findLocation(parent *Scope, uri string) (*Scope, bool) {
	locs := locations(parent)
	var best *Scope
	bestLen := -1
	noregex := false
	for _, c := range locs {
		l := LocOf(c)
		switch l.Modifier {
		case "=":
			if uri == l.Pattern {
				return c, true
			}
		case "", "^~":
			if strings.HasPrefix(uri, l.Pattern) && len(l.Pattern) > bestLen {
				best, bestLen = c, len(l.Pattern)
				noregex = l.Modifier == "^~"
			}
		}
	}
	var found *Scope
	if best != nil {
		found = best
		if inner, final := findLocation(best, uri); inner != nil {
			if final {
				return inner, true
			}
			found = inner
		}
	}
	if !noregex {
		for _, c := range locs {
			l := LocOf(c)
			if !l.Regex() || l.re == nil {
				continue
			}
			if l.re.MatchString(uri) {
				// a regex match ends the search, also from a nested level
				if inner, _ := findLocation(c, uri); inner != nil {
					return inner, true
				}
				return c, true
			}
		}
	}
	return found, false
}

// NormalizeURI turns a request target into what nginx matches locations
// against: arguments removed, %XX decoded, "//" merged, "." and ".."
// segments resolved.
func NormalizeURI(target string) string {
	if i := strings.IndexAny(target, "?#"); i >= 0 {
		target = target[:i]
	}
	if u, err := url.PathUnescape(target); err == nil {
		target = u
	}
	if !strings.HasPrefix(target, "/") {
		// absolute-form request targets: http://host/path
		if i := strings.Index(target, "://"); i >= 0 {
			rest := target[i+3:]
			if j := strings.IndexByte(rest, '/'); j >= 0 {
				target = rest[j:]
			} else {
				target = "/"
			}
		}
	}
	for strings.Contains(target, "//") {
		target = strings.ReplaceAll(target, "//", "/")
	}
	segs := strings.Split(target, "/")
	out := make([]string, 0, len(segs))
	for i, s := range segs {
		switch s {
		case ".":
			if i == len(segs)-1 {
				out = append(out, "")
			}
			continue
		case "..":
			if len(out) > 1 {
				out = out[:len(out)-1]
			}
			if i == len(segs)-1 {
				out = append(out, "")
			}
			continue
		}
		out = append(out, s)
	}
	r := strings.Join(out, "/")
	if r == "" {
		r = "/"
	}
	return r
}

// MatchServer returns the server block nginx uses for a Host header among
// the given servers: exact name, longest leading wildcard ("*.example.com"
// and ".example.com"), longest trailing wildcard ("www.*"), the first
// matching regex, else the default server (listen … default_server, else
// the first one).
func MatchServer(servers []*Scope, host string) *Scope {
	host = strings.ToLower(strings.TrimSuffix(stripPort(host), "."))
	var lead, trail *Scope
	leadLen, trailLen := -1, -1
	for _, s := range servers {
		for _, n := range s.ServerNames() {
			n = strings.ToLower(n)
			switch {
			case strings.HasPrefix(n, "~"):
			case n == host:
				return s
			case strings.HasPrefix(n, "*.") || strings.HasPrefix(n, "."):
				suffix := strings.TrimPrefix(n, "*")
				base := strings.TrimPrefix(suffix, ".")
				ok := strings.HasSuffix(host, suffix) || (strings.HasPrefix(n, ".") && host == base)
				if ok && len(suffix) > leadLen {
					lead, leadLen = s, len(suffix)
				}
			case strings.HasSuffix(n, ".*"):
				prefix := strings.TrimSuffix(n, "*")
				if strings.HasPrefix(host, prefix) && len(prefix) > trailLen {
					trail, trailLen = s, len(prefix)
				}
			}
		}
	}
	if lead != nil {
		return lead
	}
	if trail != nil {
		return trail
	}
	for _, s := range servers {
		for _, n := range s.ServerNames() {
			if !strings.HasPrefix(n, "~") {
				continue
			}
			re, err := compile("(?i)" + n[1:])
			if err == nil && re.MatchString(host) {
				return s
			}
		}
	}
	return DefaultServer(servers)
}

// DefaultServer returns the server marked default_server, else the first.
func DefaultServer(servers []*Scope) *Scope {
	for _, s := range servers {
		for _, l := range s.Listens() {
			if l.DefaultServer {
				return s
			}
		}
	}
	if len(servers) > 0 {
		return servers[0]
	}
	return nil
}

// stripPort drops the port from a Host value; an IPv6 host keeps its
// brackets, as nginx compares it with server names.
func stripPort(h string) string {
	a := ParseAddress(h)
	if a.IsUnix() {
		return h
	}
	if strings.HasPrefix(h, "[") {
		return "[" + a.Host + "]"
	}
	return a.Host
}

// SampleURI proposes a request path that nginx routes to loc, so the
// harness can exercise every proxying location. ok is false when no
// candidate is routed there (e.g. a regex shadowed by an earlier one).
func SampleURI(server, loc *Scope) (string, bool) {
	for _, c := range sampleCandidates(loc) {
		if MatchLocation(server, c) == loc {
			return c, true
		}
	}
	return "", false
}

func sampleCandidates(loc *Scope) []string {
	l := LocOf(loc)
	var out []string
	switch l.Modifier {
	case "=":
		out = append(out, l.Pattern)
	case "", "^~":
		p := l.Pattern
		out = append(out, p, strings.TrimSuffix(p, "/")+"/ngxlint-probe", p+"ngxlint-probe")
	case "~", "~*":
		if s, ok := regexSample(l.Pattern); ok {
			out = append(out, s)
		}
	}
	// nested: a location whose own pattern is covered by its parent
	if loc.Parent != nil && loc.Parent.Kind == KindLocation {
		out = append(out, sampleCandidates(loc.Parent)...)
	}
	var fixed []string
	for _, c := range out {
		if !strings.HasPrefix(c, "/") {
			c = "/" + c
		}
		fixed = append(fixed, c)
	}
	return fixed
}

// regexSample builds a short string the regex matches, by walking its
// syntax tree and taking the first choice everywhere.
func regexSample(expr string) (string, bool) {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return "", false
	}
	var b strings.Builder
	if !sampleRe(re.Simplify(), &b) {
		return "", false
	}
	s := b.String()
	if r, err := regexp.Compile(expr); err != nil || !r.MatchString(s) {
		return "", false
	}
	return s, true
}

func sampleRe(re *syntax.Regexp, b *strings.Builder) bool {
	switch re.Op {
	case syntax.OpLiteral:
		b.WriteString(string(re.Rune))
	case syntax.OpCharClass:
		if len(re.Rune) < 2 {
			return false
		}
		// prefer a plain letter from the class
		for i := 0; i+1 < len(re.Rune); i += 2 {
			for r := re.Rune[i]; r <= re.Rune[i+1] && r < re.Rune[i]+128; r++ {
				if unicode.IsLetter(r) || unicode.IsDigit(r) {
					b.WriteRune(r)
					return true
				}
			}
		}
		b.WriteRune(re.Rune[0])
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		b.WriteByte('x')
	case syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText, syntax.OpWordBoundary, syntax.OpNoWordBoundary, syntax.OpEmptyMatch:
	case syntax.OpCapture:
		return sampleRe(re.Sub[0], b)
	case syntax.OpStar, syntax.OpQuest:
	case syntax.OpPlus:
		return sampleRe(re.Sub[0], b)
	case syntax.OpRepeat:
		for i := 0; i < re.Min; i++ {
			if !sampleRe(re.Sub[0], b) {
				return false
			}
		}
	case syntax.OpConcat:
		for _, s := range re.Sub {
			if !sampleRe(s, b) {
				return false
			}
		}
	case syntax.OpAlternate:
		return sampleRe(re.Sub[0], b)
	default:
		return false
	}
	return true
}
