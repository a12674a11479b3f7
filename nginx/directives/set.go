package directives

import (
	"fmt"
	"sort"
	"strings"
)

// Set is the directives of one Build: the rows whose module is enabled,
// whose version range holds the build's version and whose requirements are
// met. It is read-only and safe for concurrent use.
type Set struct {
	build  *Build
	byName map[string][]*Directive
	names  []string
}

// NewSet selects the directives of b.
func NewSet(b *Build) *Set {
	loadTable()
	s := &Set{build: b, byName: map[string][]*Directive{}}
	for _, d := range table {
		if s.has(d) {
			if _, seen := s.byName[d.Name]; !seen {
				s.names = append(s.names, d.Name)
			}
			s.byName[d.Name] = append(s.byName[d.Name], d)
		}
	}
	sort.Strings(s.names)
	return s
}

// Build returns the build the set was made from.
func (s *Set) Build() *Build { return s.build }

// has reports whether the build has the row d.
func (s *Set) has(d *Directive) bool {
	b := s.build
	if !b.Modules[d.Module] {
		return false
	}
	v := b.Version
	if d.ThirdParty() {
		v = b.ModuleVersions[d.Module] // zero: every version of the module
	}
	if !v.In(d.Since, d.Until) {
		return false
	}
	for _, r := range d.Requires {
		if !s.meets(r) {
			return false
		}
	}
	return true
}

func (s *Set) meets(req string) bool {
	if min, ok := strings.CutPrefix(req, "nginx>="); ok {
		v, err := ParseVersion(min)
		return err == nil && (s.build.Version.IsZero() || !s.build.Version.Less(v))
	}
	if _, isModule := moduleByName[req]; isModule {
		return s.build.Modules[req]
	}
	return s.build.Features[req]
}

// Names lists the directive names of the set, sorted.
func (s *Set) Names() []string { return s.names }

// Lookup returns the first row for name (several modules can define one
// name for different contexts: server, listen, ssl_certificate …; use
// LookupAll or Find for those).
func (s *Set) Lookup(name string) (*Directive, bool) {
	l := s.byName[name]
	if len(l) == 0 {
		return nil, false
	}
	return l[0], true
}

// LookupAll returns every row for name in the set.
func (s *Set) LookupAll(name string) []*Directive { return s.byName[name] }

// Find returns the row nginx would use for name in ctx: the first whose
// contexts include ctx, as ngx_conf_handler walks the modules.
func (s *Set) Find(name string, ctx Context) (*Directive, bool) {
	for _, d := range s.byName[name] {
		if d.Contexts&ctx != 0 {
			return d, true
		}
	}
	return nil, false
}

// Code tells the problems apart.
type Code uint8

// The problems, in the order nginx's configuration stage finds them.
const (
	Unknown        Code = iota + 1 // unknown directive "X"
	NotAllowed                     // "X" directive is not allowed here
	NotTerminated                  // directive "X" is not terminated by ";"
	NoOpeningBrace                 // directive "X" has no opening "{"
	ArgCount                       // invalid number of arguments in "X" directive
	Duplicate                      // "X" directive is duplicate
	InvalidValue                   // the value kind's own message
)

var codeNames = [...]string{"", "unknown", "not-allowed", "not-terminated", "no-opening-brace", "arg-count",
	"duplicate", "invalid-value"}

func (c Code) String() string {
	if int(c) < len(codeNames) {
		return codeNames[c]
	}
	return fmt.Sprintf("code(%d)", int(c))
}

// Problem is one [emerg] nginx would print.
type Problem struct {
	Code Code
	// Message is nginx's own text, without "nginx: [emerg] " before it and
	// " in FILE:LINE" after it.
	Message   string
	Directive *Directive // the row that judged it; nil for Unknown
	Arg       int        // index of the offending argument, -1 if none
	// Suggest is the nearest known name for an Unknown directive ("did you
	// mean …?"), or "".
	Suggest string
	// Hint explains an Unknown or NotAllowed directive in ngxlint's words:
	// the module it belongs to, the version that added or removed it.
	Hint string
}

// Check judges one directive occurrence as ngx_conf_handler and the
// standard slot handlers would: name and its arguments (unquoted, without
// the name), the context it sits in, and whether it opens a block. It does
// not know the block's earlier lines, so it never reports duplicates: use a
// Scope for that.
func (s *Set) Check(name string, args []string, ctx Context, block bool) *Problem {
	p, d := s.check(name, args, ctx, block)
	if p != nil {
		return p
	}
	return checkValue(d, args)
}

func (s *Set) check(name string, args []string, ctx Context, block bool) (*Problem, *Directive) {
	rows := s.byName[name]
	if len(rows) == 0 {
		return s.unknown(name), nil
	}
	// Rows allowing ctx: one per module for a known version; for an
	// unknown version (or third-party module version) every form the
	// directive has had, and the first one that takes this statement wins,
	// so that an unknown version never makes a false error.
	var cands []*Directive
	for _, r := range rows {
		if r.Contexts&ctx != 0 {
			cands = append(cands, r)
		}
	}
	if len(cands) == 0 {
		return &Problem{Code: NotAllowed, Message: fmt.Sprintf("%q directive is not allowed here", name),
			Directive: rows[0], Arg: -1, Hint: allowedHint(rows)}, nil
	}
	d := cands[0]
	for _, r := range cands {
		if r.Block == block && r.Args.Allows(len(args)) {
			d = r
			break
		}
	}
	if !d.Block && block {
		return &Problem{Code: NotTerminated, Message: fmt.Sprintf("directive %q is not terminated by \";\"", name),
			Directive: d, Arg: -1}, d
	}
	if d.Block && !block {
		return &Problem{Code: NoOpeningBrace, Message: fmt.Sprintf("directive %q has no opening \"{\"", name),
			Directive: d, Arg: -1}, d
	}
	if !d.Args.Allows(len(args)) {
		return &Problem{Code: ArgCount, Message: fmt.Sprintf("invalid number of arguments in %q directive", name),
			Directive: d, Arg: -1}, d
	}
	return nil, d
}

// checkValue is the value check of the standard slots, run after the
// duplicate check as they run it.
func checkValue(d *Directive, args []string) *Problem {
	bad := func(i int, msg string) *Problem {
		return &Problem{Code: InvalidValue, Message: msg, Directive: d, Arg: i}
	}
	directiveSays := func(i int, what string) *Problem {
		return bad(i, fmt.Sprintf("%q directive %s", d.Name, what))
	}
	if len(args) == 0 {
		return nil
	}
	switch d.Kind {
	case KindFlag:
		if !strings.EqualFold(args[0], "on") && !strings.EqualFold(args[0], "off") {
			return bad(0, fmt.Sprintf("invalid value %q in %q directive, it must be \"on\" or \"off\"", args[0], d.Name))
		}
	case KindSize:
		if !parseSize(args[0]) {
			return directiveSays(0, "invalid value")
		}
	case KindComplexSize:
		if !strings.Contains(args[0], "$") && !parseSize(args[0]) {
			return directiveSays(0, "invalid value")
		}
	case KindOffset:
		if !parseOffset(args[0]) {
			return directiveSays(0, "invalid value")
		}
	case KindMsec, KindSec:
		if !parseTime(args[0], d.Kind == KindSec) {
			return directiveSays(0, "invalid value")
		}
	case KindNumber:
		if atoi(args[0]) < 0 {
			return directiveSays(0, "invalid number")
		}
	case KindEnum:
		if !inFold(d.Values, args[0]) {
			return bad(0, fmt.Sprintf("invalid value %q", args[0]))
		}
	case KindBitmask:
		for i, a := range args {
			if !inFold(d.Values, a) {
				return bad(i, fmt.Sprintf("invalid value %q", a))
			}
		}
	case KindBufs:
		if len(args) == 2 {
			if n := atoi(args[0]); n <= 0 {
				return directiveSays(0, "invalid value")
			}
			if !parseSize(args[1]) || atoi(strings.TrimRight(args[1], "kKmM")) == 0 {
				return directiveSays(1, "invalid value")
			}
		}
	}
	return nil
}

func inFold(list []string, s string) bool {
	for _, v := range list {
		if len(v) == len(s) && strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

// unknown explains a name the set does not have.
func (s *Set) unknown(name string) *Problem {
	p := &Problem{Code: Unknown, Message: fmt.Sprintf("unknown directive %q", name), Arg: -1}
	if hint := s.whyMissing(name); hint != "" {
		p.Hint = hint
		return p
	}
	if n := s.Nearest(name); n != "" {
		p.Suggest = n
		p.Hint = "did you mean " + n + "?"
	}
	return p
}

// whyMissing says why a name some module defines is not in the set: the
// module is not enabled, or this version has not got it (yet or any more).
func (s *Set) whyMissing(name string) string {
	rows := Known(name)
	if len(rows) == 0 {
		return ""
	}
	v := s.build.Version
	var versionRows []*Directive
	for _, d := range rows {
		if s.build.Modules[d.Module] {
			versionRows = append(versionRows, d)
		}
	}
	if len(versionRows) > 0 && !v.IsZero() {
		d := versionRows[0]
		if d.ThirdParty() {
			return fmt.Sprintf("%q belongs to %s, but not to the version of it this build has", name, d.Module)
		}
		var since, until Version
		for _, r := range versionRows {
			if since.IsZero() || r.Since.Less(since) {
				since = r.Since
			}
			if r.Until.IsZero() {
				until = Version{}
			} else if until.IsZero() || until.Less(r.Until) {
				until = r.Until
			}
		}
		switch {
		case !since.IsZero() && v.Less(since):
			return fmt.Sprintf("%q appeared in nginx %s (this is %s)", name, since, v)
		case !until.IsZero() && !v.Less(until):
			return fmt.Sprintf("%q was removed in nginx %s (this is %s)", name, until, v)
		}
		if len(d.Requires) > 0 {
			return fmt.Sprintf("%q needs %s", name, strings.Join(d.Requires, " and "))
		}
		return ""
	}
	mods := ModuleOf(name)
	m := moduleByName[mods[0]]
	hint := fmt.Sprintf("%q belongs to %s, which is not enabled", name, strings.Join(mods, " or "))
	if m != nil && m.SO != "" {
		hint += fmt.Sprintf(" (load_module modules/%s;)", m.SO)
	}
	return hint
}

// allowedHint names where a directive may go.
func allowedHint(rows []*Directive) string {
	var c Context
	for _, d := range rows {
		c |= d.Contexts
	}
	return fmt.Sprintf("%q is allowed in: %s", rows[0].Name, c)
}

// ModuleOf lists the modules that define name in any version the tables
// know, stock modules first.
func ModuleOf(name string) []string {
	var out []string
	for _, d := range Known(name) {
		out = appendOnce(out, d.Module)
	}
	return out
}

// Nearest returns the known name closest to name by edit distance, if it is
// close enough to be a typo (proxy_ssl_servername → proxy_ssl_server_name),
// or "".
func (s *Set) Nearest(name string) string {
	limit := len(name) / 4
	if limit < 1 {
		limit = 1
	}
	if limit > 3 {
		limit = 3
	}
	best, bestD := "", limit+1
	for _, n := range s.names {
		if abs(len(n)-len(name)) >= bestD {
			continue
		}
		if d := distance(name, n, bestD); d < bestD {
			best, bestD = n, d
		}
	}
	return best
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// distance is the optimal-string-alignment edit distance (insertions,
// deletions, substitutions, adjacent transpositions), giving up at limit.
func distance(a, b string, limit int) int {
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
			rowMin = min(rowMin, v)
		}
		if rowMin >= limit {
			return limit
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}

// Scope checks the directives of one block in order, so that it can also
// report nginx's `"X" directive is duplicate`. Make one per block: nginx
// keeps one configuration structure per block, and a repeat in a nested
// block is not a duplicate.
type Scope struct {
	set  *Set
	ctx  Context
	seen map[scopeKey]bool
}

// scopeKey is what nginx's duplicate check is about: one module's field.
type scopeKey struct{ name, module string }

// Scope starts the checks of one block of context ctx.
func (s *Set) Scope(ctx Context) *Scope {
	return &Scope{set: s, ctx: ctx, seen: map[scopeKey]bool{}}
}

// Context is the scope's context.
func (sc *Scope) Context() Context { return sc.ctx }

// Check judges the next directive of the block: as Set.Check, then the
// duplicate check and the value check in the order the standard slots run
// them.
func (sc *Scope) Check(name string, args []string, block bool) *Problem {
	p, d := sc.set.check(name, args, sc.ctx, block)
	if p != nil {
		return p
	}
	k := scopeKey{name, d.Module}
	if d.NoDuplicate && sc.seen[k] {
		msg := fmt.Sprintf("%q directive is duplicate", name)
		if d.BareDuplicate {
			msg = "is duplicate"
		}
		return &Problem{Code: Duplicate, Message: msg, Directive: d, Arg: -1}
	}
	sc.seen[k] = true
	return checkValue(d, args)
}
