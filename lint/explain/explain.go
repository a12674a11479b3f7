// Package explain maps classified error.log lines (nginx/errlog) to the
// configuration that produced them and groups them for people: by class,
// server, location and upstream, with counts, the time range, one sample
// line, the cause, the fix and the rules that fire at that location.
//
// It backs `ngxlint explain` and the evidence of `ngxlint lint
// --error-log`. Memory is proportional to the number of groups, never to
// the number of lines: a group keeps counters, two timestamps and one
// sample line.
package explain

import (
	"cmp"
	"slices"
	"strings"

	"github.com/ngxlint/ngxlint/nginx/config"
	"github.com/ngxlint/ngxlint/nginx/errlog"
	"github.com/ngxlint/ngxlint/nginx/model"
	"github.com/ngxlint/ngxlint/rules/rule"
)

// Unclassified is the class name of upstream-looking lines that no
// errlog class explains. They are grouped and reported like the others so
// that nothing is hidden.
const Unclassified = errlog.SlugUnclassified

var unclassifiedClass = errlog.Class{
	Slug:  Unclassified,
	Title: "Upstream failure no class explains",
	Cause: "A line at [warn] or above that mentions the upstream but matches none of ngxlint's classes: an upstream " +
		"timeout while reading the response, a reset, an oversized header, a module's own message. The message " +
		"is in the sample.",
	Fix: "Read the sample line; if it is a configuration problem ngxlint should know, report it.",
}

// Options tune an Aggregator.
type Options struct {
	// Since drops lines logged before it. It is compared with nginx's
	// timestamp text ("2006/01/02 15:04:05"), which is zone-less local
	// time of the logging host; see ParseSince. Lines without a timestamp
	// (the "nginx: [emerg]" form) are dropped too when Since is set.
	Since string
	// Hourly keeps per-hour counts per group, for histograms.
	Hourly bool
}

// Group is one (class, server, location, upstream) bucket.
type Group struct {
	Class errlog.Class
	// Message is, for unclassified groups, the message with numbers and
	// quoted values masked; unclassified lines are grouped by it too.
	Message string
	Level   errlog.Level
	Count   int64
	// First and Last are nginx's timestamp text of the earliest and latest
	// line; logs may be out of order (rotated files concatenated), so they
	// are a minimum and a maximum, not the first and last lines read.
	First, Last string
	// Server is the $server_name of the mapped http server; otherwise
	// (no config, stream, unnamed server) the "server:" field of the
	// group's first line.
	Server string
	// logServer is always the first line's "server:" field.
	logServer string
	// Upstream is the upstream field without its URI.
	Upstream string
	Mapping  Mapping
	// Sample is the group's first line, verbatim.
	Sample string
	// Hours counts lines per hour ("2006/01/02 15") with Options.Hourly.
	Hours map[string]int64

	// Log is the group as evidence for a lint run (LogGroups); after the
	// run it knows the findings that explain the group.
	Log *rule.LogGroup

	seq int // order of first appearance, for stable output
}

// Findings are the findings in effect at the group's place whose rule
// lists the group's class (suppressed ones included), once a lint run has
// been given the group (LogGroups).
func (g *Group) Findings() []*rule.Finding {
	if g.Log == nil {
		return nil
	}
	return g.Log.Findings
}

// Explained reports whether an unsuppressed finding explains the group
// (after a lint run was given it).
func (g *Group) Explained() bool { return g.Log != nil && g.Log.Explained() }

// CandidateRules are the IDs of the rules whose findings explain the
// group's class.
func (g *Group) CandidateRules() []string {
	var out []string
	for _, r := range rule.ForLogClass(g.Class.Slug) {
		out = append(out, r.ID)
	}
	return out
}

// RulesFired lists the IDs of the unsuppressed findings that explain the
// group, in rule order.
func (g *Group) RulesFired() []string {
	var out []string
	for _, id := range g.CandidateRules() {
		for _, f := range g.Findings() {
			if f.Rule.ID == id && !f.Suppressed {
				out = append(out, id)
				break
			}
		}
	}
	return out
}

type groupKey struct {
	class    string
	message  string
	server   *model.Scope
	loc      *model.Scope
	dir      *config.Directive // for config-load lines outside any location
	name     string
	upstream string
}

type mapKey struct {
	server, host, path, file, upstream string
	line                               int
	stream, client                     bool
}

// maxCache bounds the mapping cache; it is cleared when full, so a log
// with millions of distinct URIs costs time, never memory.
const maxCache = 4096

// Aggregator groups records. It is not safe for concurrent use: give each
// scanning goroutine its own and Merge them.
type Aggregator struct {
	ix     *Index
	opts   Options
	groups map[groupKey]*Group
	cache  map[mapKey]Mapping

	stats   errlog.Stats
	skipped int64
	matched int64
	unclass int64
	seq     int
}

// NewAggregator returns an Aggregator mapping lines with ix (which may map
// nothing: NewIndex(nil)).
func NewAggregator(ix *Index, opts Options) *Aggregator {
	if ix == nil {
		ix = NewIndex(nil)
	}
	return &Aggregator{ix: ix, opts: opts, groups: map[groupKey]*Group{}, cache: map[mapKey]Mapping{}}
}

// Add counts one record of an errlog.Scanner.
func (a *Aggregator) Add(r *errlog.Record) {
	e := &r.Entry
	if a.opts.Since != "" && (e.RawTime == "" || e.RawTime < a.opts.Since) {
		a.skipped++
		return
	}
	m := a.mapping(e)
	up := UpstreamKey(e.Upstream)
	k := groupKey{server: m.Server, loc: m.Location, upstream: up}
	if m.Directive != nil && m.Location == nil {
		k.dir = m.Directive
	}
	if m.Server == nil && m.Directive == nil {
		k.name = e.Server
	}
	cls := unclassifiedClass
	if r.Matched {
		cls = r.Diagnosis.Class
		a.matched++
	} else {
		k.message = signature(e.Msg)
		a.unclass++
	}
	k.class = cls.Slug
	g := a.groups[k]
	if g == nil {
		a.seq++
		g = &Group{
			Class:     cls,
			Server:    strings.Clone(e.Server),
			logServer: strings.Clone(e.Server),
			Upstream:  strings.Clone(up),
			Mapping:   m,
			Sample:    e.Raw,
			Message:   k.message,
			seq:       a.seq,
		}
		if m.Server != nil && m.Server.Kind == model.KindServer {
			if n := m.Server.ServerNameVariable(); n != "" {
				g.Server = n
			}
		}
		if a.opts.Hourly {
			g.Hours = map[string]int64{}
		}
		k.upstream, k.name = g.Upstream, strings.Clone(k.name)
		a.groups[k] = g
	}
	g.Count++
	if e.Level > g.Level {
		g.Level = e.Level
	}
	if t := e.RawTime; t != "" {
		if g.First == "" || t < g.First {
			g.First = strings.Clone(t)
		}
		if t > g.Last {
			g.Last = strings.Clone(t)
		}
		if g.Hours != nil {
			g.Hours[t[:13]]++
		}
	}
}

func (a *Aggregator) mapping(e *errlog.Entry) Mapping {
	if !a.ix.HasConfig() {
		return Mapping{}
	}
	path := e.URI
	if i := strings.IndexAny(path, "?#"); i >= 0 {
		path = path[:i]
	}
	k := mapKey{server: e.Server, host: e.Host, path: path, file: e.File, line: e.Line, stream: e.Stream, client: e.Client != ""}
	// The upstream decides between the proxy directives of a location
	// (if blocks); without its URI it has few values per location.
	k.upstream = UpstreamKey(e.Upstream)
	if m, ok := a.cache[k]; ok {
		return m
	}
	m := a.ix.Map(e)
	if len(a.cache) >= maxCache {
		clear(a.cache)
	}
	k.server, k.host, k.path, k.file, k.upstream = strings.Clone(k.server), strings.Clone(k.host), strings.Clone(k.path), strings.Clone(k.file), strings.Clone(k.upstream)
	a.cache[k] = m
	return m
}

// AddStats adds a finished Scanner's counts.
func (a *Aggregator) AddStats(st errlog.Stats) {
	a.stats.Lines += st.Lines
	a.stats.Bytes += st.Bytes
	a.stats.Noise += st.Noise
	a.stats.Oversized += st.Oversized
}

// Merge adds b's groups and counts into a; b's groups count as seen after
// a's (pass the aggregators of a file's sections in order).
func (a *Aggregator) Merge(b *Aggregator) {
	a.AddStats(b.stats)
	a.skipped += b.skipped
	a.matched += b.matched
	a.unclass += b.unclass
	bs := make([]*Group, 0, len(b.groups))
	keys := make(map[*Group]groupKey, len(b.groups))
	for k, g := range b.groups {
		bs = append(bs, g)
		keys[g] = k
	}
	slices.SortFunc(bs, func(x, y *Group) int { return x.seq - y.seq })
	for _, g := range bs {
		k := keys[g]
		mine := a.groups[k]
		if mine == nil {
			a.seq++
			g.seq = a.seq
			if a.opts.Hourly && g.Hours == nil {
				g.Hours = map[string]int64{}
			}
			a.groups[k] = g
			continue
		}
		mine.Count += g.Count
		mine.Level = max(mine.Level, g.Level)
		if g.First != "" && (mine.First == "" || g.First < mine.First) {
			mine.First = g.First
		}
		if g.Last > mine.Last {
			mine.Last = g.Last
		}
		for h, n := range g.Hours {
			if mine.Hours != nil {
				mine.Hours[h] += n
			}
		}
	}
}

// Report is the result of explaining one or more logs.
type Report struct {
	// Lines and Bytes are everything read; Matched and Unclassified count
	// the lines grouped (after --since); Skipped the failure lines before
	// --since; Noise the lines that are not upstream failures.
	Lines, Bytes, Matched, Unclassified, Skipped, Noise, Oversized int64
	// Groups are ranked by count, most frequent first.
	Groups []*Group
	// Index is what the groups were mapped with.
	Index *Index
}

// Report ranks the groups. The Aggregator must not be used afterwards.
func (a *Aggregator) Report() *Report {
	r := &Report{
		Lines: a.stats.Lines, Bytes: a.stats.Bytes, Noise: a.stats.Noise, Oversized: a.stats.Oversized,
		Matched: a.matched, Unclassified: a.unclass, Skipped: a.skipped, Index: a.ix,
	}
	for _, g := range a.groups {
		r.Groups = append(r.Groups, g)
	}
	slices.SortFunc(r.Groups, func(x, y *Group) int {
		if c := cmp.Compare(y.Count, x.Count); c != 0 {
			return c
		}
		return x.seq - y.seq
	})
	return r
}

// LogGroups returns the report's groups as evidence for a lint run of the
// configuration they were mapped to (lint.Options.Logs). Each Group keeps
// its LogGroup, so that after the run it knows the findings that explain
// it.
func (r *Report) LogGroups() []*rule.LogGroup {
	out := make([]*rule.LogGroup, 0, len(r.Groups))
	for _, g := range r.Groups {
		if g.Log == nil {
			m := g.Mapping
			g.Log = &rule.LogGroup{
				Class: g.Class.Slug, Message: g.Message, Upstream: g.Upstream,
				Count: int(g.Count), First: g.First, Last: g.Last, Sample: g.Sample,
				Directive: m.Directive, Location: m.Location, Server: m.Server,
			}
		}
		out = append(out, g.Log)
	}
	return out
}

// Mapped reports whether the group maps to a place in the configuration.
func (g *Group) Mapped() bool {
	m := g.Mapping
	return m.Server != nil || m.Location != nil || m.Directive != nil
}

// Key identifies a group by what the log says, independent of the
// configuration it was mapped to: the same lines mapped to two roots
// have the same key.
func (g *Group) Key() string {
	return g.Class.Slug + "|" + g.Message + "|" + g.logServer + "|" + g.Upstream
}

// signature masks the variable parts of an unclassified message (numbers,
// quoted values, addresses) so that one kind of message is one group.
func signature(msg string) string {
	const maxSig = 160
	var b strings.Builder
	b.Grow(min(len(msg), maxSig))
	inQuote := false
	lastDigit := false
	for i := 0; i < len(msg) && b.Len() < maxSig; i++ {
		c := msg[i]
		switch {
		case c == '"':
			if !inQuote {
				b.WriteString(`"…"`)
			}
			inQuote = !inQuote
			lastDigit = false
		case inQuote:
		case c >= '0' && c <= '9':
			if !lastDigit {
				b.WriteByte('N')
			}
			lastDigit = true
		default:
			lastDigit = false
			if c < 0x20 || c >= 0x7f {
				c = '?'
			}
			b.WriteByte(c)
		}
	}
	return b.String()
}
