// Edits: how the checks turn advice into byte-range edits of the user's
// files (insert a directive where it takes effect, replace arguments,
// remove a statement), shared by every rule that offers a fix.

package rules

import (
	"fmt"
	"strings"

	"github.com/ngxlint/ngxlint/nginx/config"
	"github.com/ngxlint/ngxlint/nginx/model"
	"github.com/ngxlint/ngxlint/rules/rule"
)

// setting is one directive a fix wants in effect in a proxy's location.
type setting struct {
	name  string // without the module prefix, e.g. "ssl_name"
	value string // raw argument text
}

// planFix builds the edits that make each setting effective in the proxy's
// location: the location's own directive of that name gets its argument
// replaced (flipping `proxy_ssl_server_name off;` rather than adding a
// duplicate, which nginx rejects), and the rest are inserted at the
// location's anchor. specific marks settings that name this server's host:
// those are not written into a file included more than once, where they
// would be wrong for the other includers. reason says why there is no fix.
func planFix(m *model.Model, p *model.Proxy, desc string, specific bool, settings ...setting) (*rule.Fix, string) {
	loc := p.Scope.Location()
	pre := p.Prefix()
	var edits []rule.Edit
	var lines []string
	for _, st := range settings {
		own := loc.Own(pre + st.name)
		if len(own) > 0 && len(own[0].Args) > 0 {
			d := own[0]
			if sharedFile(m, d.File) && d.File != locationFile(m, loc) {
				// Changing it would change every location including the
				// file, and adding a second one is a duplicate.
				return nil, fmt.Sprintf("%s%s is set in %s, which is included more than once", pre, st.name, d.File.Path)
			}
			edits = append(edits, rule.Edit{File: d.File, Start: d.Args[0].Start, End: d.Args[len(d.Args)-1].End, NewText: st.value})
			continue
		}
		lines = append(lines, pre+st.name+" "+st.value+";")
	}
	if len(lines) > 0 {
		e, ok := insertion(m, p, lines)
		if !ok {
			return nil, "no place to insert the directives was found"
		}
		edits = append(edits, e)
	}
	if specific {
		for _, e := range edits {
			if sharedFile(m, e.File) {
				return nil, fmt.Sprintf("%s is included more than once, and a host name written there would be wrong for the other includers", e.File.Path)
			}
		}
	}
	return &rule.Fix{Description: desc, Edits: edits}, ""
}

// anchor returns the statement of p's location that new directives go
// next to: the first statement directly in the location that is, or holds,
// a TLS proxy of the same module. Every finding in one location so proposes
// the same edit, which the fix engine applies once, instead of one proxy in
// an if and one beside it each adding their own copy.
func anchor(m *model.Model, p *model.Proxy) *config.Directive {
	loc := p.Scope.Location()
	top := func(d *config.Directive) *config.Directive {
		for d != nil && d.Parent != loc.Node {
			d = d.Parent
		}
		return d
	}
	// a statement's place among the location's own; -1 when it is not one
	index := func(d *config.Directive) int {
		for i, x := range loc.Dirs {
			if x == d {
				return i
			}
		}
		return -1
	}
	best := top(p.Directive)
	bestAt := index(best)
	for _, q := range tlsProxiesAt(m, loc) {
		if q.Prefix() != p.Prefix() {
			continue
		}
		t := top(q.Directive)
		if t == nil || t == best {
			continue
		}
		if i := index(t); i >= 0 && (best == nil || i < bestAt) {
			best, bestAt = t, i
		}
	}
	if best == nil || bestAt < 0 {
		return nil
	}
	// A statement that came into the location through an include of a
	// file that is included elsewhere too: an edit there lands in every
	// includer, where it may duplicate a directive that includer sets
	// itself. Anchor on the include line in the location instead.
	own := locationFile(m, loc)
	for best.File != own && sharedFile(m, best.File) && best.File.Via != nil {
		best = best.File.Via
	}
	return best
}

// locationFile is the file that holds a location's own braces: statements
// written there belong to this location in every inclusion of the file.
func locationFile(m *model.Model, loc *model.Scope) *config.File {
	if loc.Node != nil {
		return loc.Node.File
	}
	return m.Tree.Root
}

// insertion plans where new directives go for a proxy: right after the
// location's anchor when that is a proxy directive, or before it when it
// is the if/limit_except block holding one (nginx does not allow *_ssl_*
// inside those).
func insertion(m *model.Model, p *model.Proxy, lines []string) (rule.Edit, bool) {
	anchor := anchor(m, p)
	if anchor == nil {
		return rule.Edit{}, false
	}
	return insertAt(anchor, anchor.IsBlock(), lines), true
}

// insertAt inserts lines next to a statement: on the lines before it (or
// right before it when it shares its line with something else) when
// before is set, else after it, each with the statement's indentation and
// the file's line endings.
func insertAt(anchor *config.Directive, before bool, lines []string) rule.Edit {
	f := anchor.File
	src := f.Src
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
			return rule.Edit{Start: anchor.Start, End: anchor.Start, File: f, NewText: strings.Join(lines, " ") + " "}
		}
		nl := lineEnding(src, anchor.Start)
		return rule.Edit{File: f, Start: lineStart, End: lineStart, NewText: joinLines(lines, "", indent, nl)}
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
		nl := lineEnding(src, anchor.End)
		return rule.Edit{File: f, Start: pos, End: pos, NewText: joinLines(lines, nl, indent, "")}
	}
	return rule.Edit{File: f, Start: end, End: end, NewText: " " + strings.Join(lines, " ")}
}

// joinLines writes each line between before+indent and after, in one
// allocation.
func joinLines(lines []string, before, indent, after string) string {
	n := 0
	for _, l := range lines {
		n += len(before) + len(indent) + len(l) + len(after)
	}
	var b strings.Builder
	b.Grow(n)
	for _, l := range lines {
		b.WriteString(before)
		b.WriteString(indent)
		b.WriteString(l)
		b.WriteString(after)
	}
	return b.String()
}

// replaceArgs is the edit that replaces all of a directive's arguments.
func replaceArgs(d *config.Directive, text string) rule.Edit {
	if len(d.Args) == 0 {
		return rule.Edit{File: d.File, Start: d.NameEnd, End: d.NameEnd, NewText: " " + text}
	}
	return rule.Edit{File: d.File, Start: d.Args[0].Start, End: d.Args[len(d.Args)-1].End, NewText: text}
}

// removal is the edit that deletes a statement: its whole line (with a
// trailing comment) when no other statement is on it, else the statement
// and the blanks after it.
func removal(d *config.Directive) rule.Edit {
	f, src := d.File, d.File.Src
	lineStart := f.LineStart(f.Position(d.Start).Line)
	rest := src[d.End:]
	eol := strings.IndexByte(rest, '\n')
	tail := rest
	if eol >= 0 {
		tail = rest[:eol]
	}
	rest1 := strings.TrimSpace(tail)
	if strings.TrimLeft(src[lineStart:d.Start], " \t") == "" && (rest1 == "" || strings.HasPrefix(rest1, "#")) {
		// alone on its line: the line goes, with a comment about it
		end := int32(len(src))
		if eol >= 0 {
			end = d.End + int32(eol) + 1
		}
		return rule.Edit{File: f, Start: lineStart, End: end}
	}
	end := d.End
	for int(end) < len(src) && (src[end] == ' ' || src[end] == '\t') {
		end++
	}
	return rule.Edit{File: f, Start: d.Start, End: end}
}

func leadingSpace(s string) string {
	return s[:len(s)-len(strings.TrimLeft(s, " \t"))]
}

// lineEnding returns "\r\n" when the line at off ends with CRLF, or when
// it is the last line and the file uses CRLF elsewhere.
func lineEnding(src string, off int32) string {
	i := strings.IndexByte(src[off:], '\n')
	if i < 0 {
		if strings.Contains(src, "\r\n") {
			return "\r\n"
		}
		return "\n"
	}
	if i > 0 && src[int(off)+i-1] == '\r' {
		return "\r\n"
	}
	return "\n"
}

// sharedFile reports whether f is parsed more than once in the tree: a
// server-specific name written there would be wrong for the other
// includers.
func sharedFile(m *model.Model, f *config.File) bool {
	return parses(m)[f.Path] > 1
}

// parses counts the parses of each path in the tree, once per model.
func parses(m *model.Model) map[string]int {
	return model.Cached(m, parsesKey{}, func(m *model.Model) map[string]int {
		n := make(map[string]int, len(m.Tree.Files))
		for _, g := range m.Tree.Files {
			n[g.Path]++
		}
		return n
	})
}

type parsesKey struct{}

func quoteIfNeeded(s string) string {
	if s == "" || strings.ContainsAny(s, " \t;{}#\"'\\") {
		return `"` + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), `"`, `\"`) + `"`
	}
	return s
}

// at renders a directive's position as file:line for messages.
func at(d *config.Directive) string {
	return fmt.Sprintf("%s:%d", d.File.Path, d.Pos().Line)
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}
