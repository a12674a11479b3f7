// Package rule is ngxlint's rule framework, in the style of
// golang.org/x/tools/go/analysis: a check is a small value (Rule) with its
// ID, slug, severity and doc page; Run reports Findings through a Pass; a
// Finding may carry a Fix made of byte-range Edits. The checks live in
// package rules and register themselves here; drivers, reporters, fix and
// explain import only this package.
package rule

import (
	"fmt"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/ngxlint/ngxlint/nginx"
	"github.com/ngxlint/ngxlint/nginx/config"
	"github.com/ngxlint/ngxlint/nginx/model"
)

// Severity of a finding. Order matters: a lower value is more severe.
type Severity int

const (
	Error Severity = iota
	Warning
	Info
)

func (s Severity) String() string {
	switch s {
	case Error:
		return "error"
	case Warning:
		return "warning"
	}
	return "info"
}

// DefaultFixSeverity is the least severe finding whose fix `ngxlint fix`
// and `verify --fix` apply unless told otherwise: informational fixes
// (turning verification on) change behaviour and are opt-in.
const DefaultFixSeverity = Warning

// Severities lists the severities, most severe first.
var Severities = []Severity{Error, Warning, Info}

// ParseSeverity parses "error", "warning" or "info".
func ParseSeverity(s string) (Severity, error) {
	switch strings.ToLower(s) {
	case "error":
		return Error, nil
	case "warning", "warn":
		return Warning, nil
	case "info", "note":
		return Info, nil
	}
	return 0, fmt.Errorf("unknown severity %q (want error, warning or info)", s)
}

// Doc is a rule's page, in the shape of ShellCheck's and hadolint's rule
// pages: the problem, why it matters, a bad and a good example (both run
// as tests), the nginx versions concerned and the error.log line it causes.
type Doc struct {
	Problem  string
	Why      string
	Bad      string
	Good     string
	Versions string
	LogLine  string
	// Context is the snippet context the Bad and Good examples are written
	// in ("" for a whole nginx.conf).
	Context string
}

// Rule is one check.
type Rule struct {
	ID       string // e.g. NGX101; public API, never renamed
	Slug     string // e.g. ssl-server-name-off; public API, never renamed
	Severity Severity
	Summary  string
	Doc      Doc
	// LogClasses are the error.log classes (nginx/errlog slugs) whose lines
	// this rule's findings explain: `ngxlint explain` names the rule for
	// them, and lint --error-log puts such lines on its findings as
	// evidence. This is the one place the relation is written down.
	LogClasses []string
	// LogDriven rules judge the run's error-log evidence rather than the
	// configuration alone (NGX900 reports the lines nothing explains): they
	// run only when the run has logs, after every other rule, once the
	// driver has matched each log group to the findings that explain it
	// (LogGroup.Findings).
	LogDriven bool
	// Run reports findings through the pass. Meta rules (suppression
	// hygiene) have no Run: the driver reports them.
	Run func(*Pass)
}

// Pass is what a rule sees: the effective model, the run's settings and
// the error-log evidence given to the run.
type Pass struct {
	Model    *model.Model
	Version  nginx.Version
	Settings Settings
	// Logs are the error.log groups mapped to this configuration (lint
	// --error-log); nil without logs.
	Logs []*LogGroup

	rule     *Rule
	findings []Finding
}

// Settings are per-run knobs that change rule advice.
type Settings struct {
	// TrustedCA is the CA bundle path proposed by verification fixes;
	// empty means DefaultTrustedCA.
	TrustedCA string
}

// DefaultTrustedCA is the CA bundle verification fixes propose unless told
// otherwise: Debian's, Ubuntu's and Alpine's system store.
const DefaultTrustedCA = "/etc/ssl/certs/ca-certificates.crt"

// CA returns the CA bundle path verification fixes propose.
func (s Settings) CA() string {
	if s.TrustedCA != "" {
		return s.TrustedCA
	}
	return DefaultTrustedCA
}

// Finding is one reported problem.
type Finding struct {
	Rule     *Rule
	Severity Severity
	Message  string
	// Node is the statement the finding points at.
	Node *config.Directive
	Fix  *Fix
	// Suppressed is set by the driver when an ignore comment covers it.
	Suppressed     bool
	SuppressReason string
	// Evidence is attached by the log-driven mode.
	Evidence *Evidence
	// Pos overrides Node for findings on comments (suppression hygiene).
	File       *config.File
	Start, End int32
}

// Evidence is production proof from error.log lines.
type Evidence struct {
	Count       int
	First, Last string
	Class       string
	Sample      string
}

// Span returns the finding's file and byte range.
func (f *Finding) Span() (*config.File, int32, int32) {
	if f.Node != nil {
		return f.Node.File, f.Node.Start, f.Node.End
	}
	return f.File, f.Start, f.End
}

// Fix is a set of byte-range edits on the original files.
type Fix struct {
	Description string
	Edits       []Edit
}

// Edit replaces File.Src[Start:End] with NewText; config.ApplyEdits is
// the one applier, for fixes and for the harness's staged copies alike.
type Edit = config.Edit

// Report records a finding for the running rule.
func (p *Pass) Report(node *config.Directive, msg string, fix *Fix) {
	p.findings = append(p.findings, Finding{Rule: p.rule, Severity: p.rule.Severity, Message: msg, Node: node, Fix: fix})
}

// ReportAs records a finding with a severity of its own, for rules whose
// cases differ in consequence (a protocol set that fails every handshake
// against one that only blocks TLS 1.3). The rule's Severity is the one
// `ngxlint rules` lists; its doc says which cases differ. Severity
// overrides from the command line or .ngxlint.yaml still apply to all.
func (p *Pass) ReportAs(sev Severity, node *config.Directive, msg string, fix *Fix) {
	p.findings = append(p.findings, Finding{Rule: p.rule, Severity: sev, Message: msg, Node: node, Fix: fix})
}

// ReportEvidence records a finding that production logs proved rather
// than the configuration alone: at node, or, when the lines map nowhere in
// the configuration, at the start of file.
func (p *Pass) ReportEvidence(node *config.Directive, file *config.File, msg string, ev *Evidence) {
	f := Finding{Rule: p.rule, Severity: p.rule.Severity, Message: msg, Node: node, Evidence: ev}
	if node == nil {
		f.File = file
	}
	p.findings = append(p.findings, f)
}

var registry = map[string]*Rule{}

// Register adds a rule; each check calls it from a package-level var.
func Register(r *Rule) *Rule {
	if _, dup := registry[r.ID]; dup {
		panic("duplicate rule " + r.ID)
	}
	registry[r.ID] = r
	return r
}

// All returns every rule in ID order.
func All() []*Rule {
	out := make([]*Rule, 0, len(registry))
	for _, r := range registry {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Lookup finds a rule by ID or slug, case-insensitively.
func Lookup(key string) (*Rule, bool) {
	k := strings.ToUpper(strings.TrimSpace(key))
	if r, ok := registry[k]; ok {
		return r, true
	}
	for _, r := range registry {
		if strings.EqualFold(r.Slug, key) {
			return r, true
		}
	}
	return nil, false
}

// Run runs the given rules over a model and returns their findings in rule
// order. The driver calls it twice: for the ordinary rules, then for the
// LogDriven ones once the logs' groups know the findings that explain them.
//
// The rules run in parallel, up to GOMAXPROCS at a time: each has its own
// Pass and only reads the model (whose lazily built indexes are safe for
// concurrent use), and their findings are put together in rule order, so
// the result does not depend on the schedule.
func Run(m *model.Model, rs []*Rule, v nginx.Version, s Settings, logs []*LogGroup) []Finding {
	passes := make([]*Pass, 0, len(rs))
	for _, r := range rs {
		if r.Run != nil {
			passes = append(passes, &Pass{Model: m, Version: v, Settings: s, Logs: logs, rule: r})
		}
	}
	var next atomic.Int64
	work := func() {
		for {
			i := int(next.Add(1) - 1)
			if i >= len(passes) {
				return
			}
			passes[i].rule.Run(passes[i])
		}
	}
	var wg sync.WaitGroup
	for w := min(runtime.GOMAXPROCS(0), len(passes)) - 1; w > 0; w-- {
		wg.Go(work)
	}
	work()
	wg.Wait()
	n := 0
	for _, p := range passes {
		n += len(p.findings)
	}
	out := make([]Finding, 0, n)
	for _, p := range passes {
		out = append(out, p.findings...)
	}
	return out
}

// ForLogClass returns the registered rules whose findings explain lines of
// an error.log class, in ID order.
func ForLogClass(slug string) []*Rule {
	var out []*Rule
	for _, r := range All() {
		for _, c := range r.LogClasses {
			if c == slug {
				out = append(out, r)
				break
			}
		}
	}
	return out
}
