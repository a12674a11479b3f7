package explain

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ngxlint/ngxlint/nginx/config"
	"github.com/ngxlint/ngxlint/nginx/errlog"
	"github.com/ngxlint/ngxlint/nginx/model"
)

// The JSON shape is a public contract: fields are only ever added.
type jsonReport struct {
	Lines        int64       `json:"lines"`
	Matched      int64       `json:"matched"`
	Unclassified int64       `json:"unclassified"`
	Groups       []jsonGroup `json:"groups"`
	// Additions to the contract's minimum.
	Bytes   int64 `json:"bytes"`
	Skipped int64 `json:"skipped"`
	Config  bool  `json:"config"`
}

type jsonGroup struct {
	Class     string   `json:"class"`
	Level     string   `json:"level"`
	Count     int64    `json:"count"`
	First     string   `json:"first"`
	Last      string   `json:"last"`
	Server    string   `json:"server"`
	Upstream  string   `json:"upstream"`
	Location  *jsonPos `json:"location"`
	Directive *jsonPos `json:"directive"`
	// Rules are the class's rules that fire at the location when any do
	// (RulesFired true); otherwise the class's candidate rules.
	Rules          []string      `json:"rules"`
	RulesFired     bool          `json:"rules_fired"`
	CandidateRules []string      `json:"candidate_rules"`
	Findings       []jsonFinding `json:"findings"`
	Cause          string        `json:"cause"`
	Fix            string        `json:"fix"`
	Sample         string        `json:"sample"`
	Title          string        `json:"title"`
	Message        string        `json:"message,omitempty"`
}

type jsonPos struct {
	File string `json:"file"`
	Line int    `json:"line"`
	Text string `json:"text"`
}

type jsonFinding struct {
	Rule       string `json:"rule"`
	File       string `json:"file"`
	Line       int    `json:"line"`
	Suppressed bool   `json:"suppressed"`
}

func pos(d *config.Directive, text string) *jsonPos {
	if d == nil || d.File == nil {
		return nil
	}
	return &jsonPos{File: d.File.Path, Line: d.Pos().Line, Text: text}
}

// Statement renders a directive's head as written: name and arguments,
// without its block.
func Statement(d *config.Directive) string {
	if d == nil {
		return ""
	}
	parts := append([]string{d.Name}, d.Values()...)
	return strings.Join(parts, " ")
}

// LocationText names a mapped location: "location /api/", "location @x",
// or for stream "server (stream, listen 8443)".
func LocationText(s *model.Scope) string {
	if s == nil {
		return ""
	}
	if s.Kind == model.KindStreamServer {
		for _, l := range s.Own("listen") {
			return "server (stream, listen " + l.Arg(0) + ")"
		}
		return "server (stream)"
	}
	if s.Node == nil {
		return "location"
	}
	return "location " + model.LocOf(s).String()
}

func (r *Report) groupJSON(g *Group) jsonGroup {
	j := jsonGroup{
		Class: g.Class.Slug, Title: g.Class.Title, Level: g.Level.String(), Count: g.Count, First: g.First, Last: g.Last,
		Server: g.Server, Upstream: g.Upstream, Cause: g.Class.Cause, Fix: g.Class.Fix, Sample: g.Sample, Message: g.Message,
		CandidateRules: g.CandidateRules(), Findings: []jsonFinding{},
	}
	if j.CandidateRules == nil {
		j.CandidateRules = []string{}
	}
	if loc := g.Mapping.Location; loc != nil {
		j.Location = pos(loc.Node, LocationText(loc))
	}
	j.Directive = pos(g.Mapping.Directive, Statement(g.Mapping.Directive))
	if fired := g.RulesFired(); len(fired) > 0 {
		j.Rules, j.RulesFired = fired, true
	} else {
		j.Rules = slices.Clone(j.CandidateRules)
	}
	for _, f := range g.Findings() {
		file, start, _ := f.Span()
		j.Findings = append(j.Findings, jsonFinding{Rule: f.Rule.ID, File: file.Path, Line: file.Position(start).Line, Suppressed: f.Suppressed})
	}
	return j
}

// JSON writes the public JSON contract.
func (r *Report) JSON(w io.Writer) error {
	out := jsonReport{
		Lines: r.Lines, Matched: r.Matched, Unclassified: r.Unclassified, Groups: []jsonGroup{},
		Bytes: r.Bytes, Skipped: r.Skipped, Config: r.Index != nil && r.Index.HasConfig(),
	}
	for _, g := range r.Groups {
		out.Groups = append(out.Groups, r.groupJSON(g))
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// Formats lists what explain --format accepts. Like lint's (lint/report)
// and verify's (harness) renderers, text is for people and json is the
// public contract.
var Formats = []string{"text", "json"}

// Write renders the report in the named format.
func (r *Report) Write(w io.Writer, format string, o TextOptions) error {
	switch format {
	case "json":
		return r.JSON(w)
	case "text", "":
		return r.Text(w, o)
	}
	return fmt.Errorf("unknown format %q (want %s)", format, strings.Join(Formats, ", "))
}

// TextOptions tune the text report.
type TextOptions struct {
	// Top is how many groups are detailed (default 10); the table lists
	// them all up to 3×Top.
	Top int
	// Histogram adds per-hour bars of the top groups (terminals).
	Histogram bool
	// Width is the terminal width for wrapping (default 100).
	Width int
}

// Text writes the ranked table, then the details of the top groups.
func (r *Report) Text(w io.Writer, o TextOptions) error {
	if o.Top <= 0 {
		o.Top = 10
	}
	if o.Width <= 40 {
		o.Width = 100
	}
	ew := &errWriter{w: w}
	failures := r.Matched + r.Unclassified
	fmt.Fprintf(ew, "%s read, %s of upstream failures in %s", plural(r.Lines, "line", "lines"), plural(failures, "line", "lines"), plural(int64(len(r.Groups)), "group", "groups"))
	if r.Unclassified > 0 {
		fmt.Fprintf(ew, " (%s unclassified)", num(r.Unclassified))
	}
	if r.Skipped > 0 {
		fmt.Fprintf(ew, "; %s before --since skipped", num(r.Skipped))
	}
	fmt.Fprintln(ew)
	if len(r.Groups) == 0 {
		return ew.err
	}
	fmt.Fprintln(ew)
	tw := tabwriter.NewWriter(ew, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "#\tCOUNT\tCLASS\tSERVER\tLOCATION\tUPSTREAM\tRULES")
	shown := min(len(r.Groups), 3*o.Top)
	for i, g := range r.Groups[:shown] {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", i+1, num(g.Count), g.Class.Slug, dash(g.Server), dash(r.where(g)), dash(g.Upstream), rulesCell(g))
	}
	tw.Flush()
	if shown < len(r.Groups) {
		fmt.Fprintf(ew, "… %d more groups (--format json lists them all)\n", len(r.Groups)-shown)
	}
	fmt.Fprintln(ew, "RULES: the rules that fire at the location and explain the class; (in parentheses) the class's candidates when none does.")
	seen := map[string]int{}
	for i, g := range r.Groups[:min(len(r.Groups), o.Top)] {
		fmt.Fprintf(ew, "\n%d. %s: %s\n", i+1, g.Class.Slug, g.Class.Title)
		span := ""
		if g.First != "" {
			span = ", " + g.First + " … " + g.Last
		}
		fmt.Fprintf(ew, "   %s%s, level %s\n", plural(g.Count, "line", "lines"), span, g.Level)
		if d := g.Mapping.Directive; d != nil {
			fmt.Fprintf(ew, "   at %s:%d: %s\n", d.File.Path, d.Pos().Line, Statement(d))
		}
		if loc := g.Mapping.Location; loc != nil && loc.Node != nil {
			fmt.Fprintf(ew, "   in %s (%s:%d)\n", LocationText(loc), loc.Node.File.Path, loc.Node.Pos().Line)
		}
		if g.Message != "" {
			fmt.Fprintf(ew, "   message: %s\n", g.Message)
		}
		switch fired := g.RulesFired(); {
		case len(fired) > 0:
			fmt.Fprintf(ew, "   rules: %s fire%s here (ngxlint lint shows the findings)\n", strings.Join(fired, ", "), map[bool]string{true: "s", false: ""}[len(fired) == 1])
		case len(g.CandidateRules()) > 0 && r.Index != nil && r.Index.HasConfig() && g.Mapping.Location != nil:
			fmt.Fprintf(ew, "   rules: none of %s fires here: a cause no rule predicts (ngxlint lint --error-log reports it as NGX900)\n", strings.Join(g.CandidateRules(), ", "))
		case len(g.CandidateRules()) > 0:
			fmt.Fprintf(ew, "   candidate rules: %s\n", strings.Join(g.CandidateRules(), ", "))
		}
		if j, ok := seen[g.Class.Slug]; ok && g.Class.Slug != Unclassified {
			fmt.Fprintf(ew, "   cause and fix: see %d.\n", j)
		} else {
			seen[g.Class.Slug] = i + 1
			wrap(ew, "   cause: ", g.Class.Cause, o.Width)
			wrap(ew, "   fix: ", g.Class.Fix, o.Width)
		}
		fmt.Fprintf(ew, "   sample: %s\n", truncate(g.Sample, 4*o.Width))
	}
	if o.Histogram {
		r.histogram(ew, 3, o.Width)
	}
	return ew.err
}

// where is the table's LOCATION cell.
func (r *Report) where(g *Group) string {
	m := g.Mapping
	switch {
	case m.Location != nil && m.Location.Node != nil:
		return fmt.Sprintf("%s (%s:%d)", LocationText(m.Location), m.Location.Node.File.Path, m.Location.Node.Pos().Line)
	case m.Directive != nil:
		return fmt.Sprintf("%s:%d", m.Directive.File.Path, m.Directive.Pos().Line)
	case m.Server != nil && m.Server.Node != nil:
		return fmt.Sprintf("server (%s:%d)", m.Server.Node.File.Path, m.Server.Node.Pos().Line)
	}
	return ""
}

func rulesCell(g *Group) string {
	if fired := g.RulesFired(); len(fired) > 0 {
		return strings.Join(fired, ",")
	}
	if len(g.CandidateRules()) == 0 {
		return "-"
	}
	return "(" + strings.Join(g.CandidateRules(), ",") + ")"
}

// histogram prints lines per hour (per day or month for long spans) for
// the top groups, so a reader sees when the failures started.
func (r *Report) histogram(w io.Writer, top, width int) {
	gs := r.Groups[:min(top, len(r.Groups))]
	lo, hi := "", ""
	for _, g := range gs {
		for h := range g.Hours {
			if lo == "" || h < lo {
				lo = h
			}
			if h > hi {
				hi = h
			}
		}
	}
	if lo == "" {
		return
	}
	const hourLayout = "2006/01/02 15"
	// Bucket by hour, else day, else month, to stay within maxRows.
	const maxRows = 48
	type gran struct {
		n      int // key length in "2006/01/02 15"
		step   func(time.Time) time.Time
		layout string
		label  string
	}
	grans := []gran{
		{13, func(t time.Time) time.Time { return t.Add(time.Hour) }, hourLayout, "hour"},
		{10, func(t time.Time) time.Time { return t.AddDate(0, 0, 1) }, "2006/01/02", "day"},
		{7, func(t time.Time) time.Time { return t.AddDate(0, 1, 0) }, "2006/01", "month"},
	}
	var gr gran
	var keys []string
	for _, c := range grans {
		gr, keys = c, nil
		start, err0 := time.Parse(c.layout, lo[:c.n])
		end, err1 := time.Parse(c.layout, hi[:c.n])
		if err0 != nil || err1 != nil {
			return
		}
		for t := start; !t.After(end) && len(keys) <= maxRows; t = c.step(t) {
			keys = append(keys, t.Format(c.layout))
		}
		if len(keys) <= maxRows {
			break
		}
	}
	barWidth := max(10, min(50, width-40))
	fmt.Fprintf(w, "\nLines per %s, top %s:\n", gr.label, plural(int64(len(gs)), "group", "groups"))
	for i, g := range gs {
		counts := map[string]int64{}
		var peak int64
		for h, n := range g.Hours {
			counts[h[:gr.n]] += n
		}
		for _, n := range counts {
			peak = max(peak, n)
		}
		where := g.Server
		if loc := g.Mapping.Location; loc != nil {
			where = strings.TrimSpace(where + " " + LocationText(loc))
		}
		fmt.Fprintf(w, "\n%d. %s %s\n", i+1, g.Class.Slug, where)
		for _, k := range keys {
			n := counts[k]
			label := k
			if gr.n == 13 {
				label += ":00"
			}
			fmt.Fprintf(w, "  %-16s %s %s\n", label, bar(n, peak, barWidth), num(n))
		}
	}
}

// bar draws n/peak of width cells with eighth-block precision.
func bar(n, peak int64, width int) string {
	if peak <= 0 {
		return strings.Repeat(" ", width)
	}
	eighths := int(n * int64(width) * 8 / peak)
	if n > 0 && eighths == 0 {
		eighths = 1
	}
	full, part := eighths/8, eighths%8
	s := strings.Repeat("█", full)
	cells := full
	if part > 0 {
		s += string([]rune("▏▎▍▌▋▊▉")[part-1])
		cells++
	}
	return s + strings.Repeat(" ", max(0, width-cells))
}

func wrap(w io.Writer, prefix, text string, width int) {
	indent := strings.Repeat(" ", len(prefix))
	line, empty := prefix, true
	for _, word := range strings.Fields(text) {
		if !empty && len(line)+1+len(word) > width {
			fmt.Fprintln(w, line)
			line, empty = indent, true
		}
		if !empty {
			line += " "
		}
		line += word
		empty = false
	}
	fmt.Fprintln(w, line)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// num formats with thousands separators.
func num(n int64) string {
	s := strconv.FormatInt(n, 10)
	if n < 0 || len(s) <= 3 {
		return s
	}
	var b strings.Builder
	pre := len(s) % 3
	if pre > 0 {
		b.WriteString(s[:pre])
	}
	for i := pre; i < len(s); i += 3 {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(s[i : i+3])
	}
	return b.String()
}

func plural(n int64, one, many string) string {
	if n == 1 {
		return num(n) + " " + one
	}
	return num(n) + " " + many
}

type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}

// ParseSince turns a --since value into nginx's timestamp text, which
// the log is compared with as text. It accepts nginx's own format (with
// or without seconds or time), ISO dates and times ("2026-11-26",
// "2026-11-26T01:00:00", RFC 3339 with a zone, converted to the local
// zone), and durations back from now ("90m", "6h", "2d"). nginx logs
// local time without a zone, so times without a zone are taken as the
// log's own local time.
func ParseSince(s string, now time.Time) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	if d, ok := parseDuration(s); ok {
		return now.Add(-d).Format(errlog.TimeLayout), nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.In(now.Location()).Format(errlog.TimeLayout), nil
	}
	for _, l := range []string{errlog.TimeLayout, "2006/01/02 15:04", "2006/01/02", "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02T15:04", "2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.Parse(l, s); err == nil {
			return t.Format(errlog.TimeLayout), nil
		}
	}
	return "", fmt.Errorf("--since %q: want a time like \"2026/11/26 01:00:00\" or \"2026-11-26T01:00:00Z\", a date, or a duration like 90m, 6h, 2d", s)
}

func parseDuration(s string) (time.Duration, bool) {
	if n, ok := strings.CutSuffix(s, "d"); ok {
		v, err := strconv.Atoi(n)
		if err != nil || v < 0 {
			return 0, false
		}
		return time.Duration(v) * 24 * time.Hour, true
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, false
	}
	return d, true
}
