// Package lint drives a lint run: it builds the effective model of a loaded
// tree, runs the enabled rules, applies inline suppressions and severity
// overrides, and returns findings in a stable order for the reporters.
package lint

import (
	"sort"
	"strings"

	"github.com/ngxlint/ngxlint/nginx"
	"github.com/ngxlint/ngxlint/nginx/config"
	"github.com/ngxlint/ngxlint/nginx/model"
	"github.com/ngxlint/ngxlint/rules/rule"
)

// Options select and tune rules.
type Options struct {
	// Rules to run; nil means all.
	Rules []*rule.Rule
	// Severity overrides by rule ID.
	Severity map[string]rule.Severity
	// Version is the nginx version the rules assume. The zero value means
	// the version the root file declares (DeclaredVersion), else
	// nginx.Latest.
	Version  nginx.Version
	Settings rule.Settings
	// Model is the tree's model when the caller has built it already (to
	// map error logs to it); nil builds it.
	Model *model.Model
	// Logs are the error.log groups mapped to Model: the run's log
	// evidence. Rules see them (Pass.Logs); the findings that explain a
	// group get it as Evidence, and NGX900 reports the rest.
	Logs []*rule.LogGroup
}

// Result of a run.
type Result struct {
	Tree     *config.Tree
	Model    *model.Model
	Findings []rule.Finding
}

// Run lints a loaded tree.
func Run(t *config.Tree, opts Options) *Result {
	if opts.Version == (nginx.Version{}) {
		opts.Version = nginx.Latest
		if v, ok, err := DeclaredVersion(t); ok && err == nil {
			opts.Version = v
		}
	}
	rs := opts.Rules
	if rs == nil {
		rs = rule.All()
	}
	var early, late []*rule.Rule
	enabled := map[string]bool{}
	for _, r := range rs {
		enabled[r.ID] = true
		if r.LogDriven {
			late = append(late, r)
		} else {
			early = append(early, r)
		}
	}
	m := opts.Model
	if m == nil {
		m = model.Build(t)
	}
	sup := newSuppressions(t)
	fs := rule.Run(m, early, opts.Version, opts.Settings, opts.Logs)
	sup.apply(fs)
	if len(opts.Logs) > 0 {
		attachEvidence(m, fs, opts.Logs)
	}
	if len(late) > 0 && len(opts.Logs) > 0 {
		lf := rule.Run(m, late, opts.Version, opts.Settings, opts.Logs)
		sup.apply(lf)
		fs = append(fs, lf...)
	}
	fs = append(fs, sup.findings(enabled, len(opts.Logs) > 0)...)
	for i := range fs {
		if s, ok := opts.Severity[fs[i].Rule.ID]; ok {
			fs[i].Severity = s
		}
	}
	Sort(fs)
	return &Result{Tree: t, Model: m, Findings: fs}
}

// VersionComment starts the comment that declares, in a root file's
// header, the nginx version the configuration runs on:
//
//	# ngxlint:nginx-version 1.22.1
//
// It is read from the comments before the root file's first statement, so
// it sits next to a `# ngxlint:context` line. --nginx-version and
// .ngxlint.yaml override it.
const VersionComment = "ngxlint:nginx-version"

// DeclaredVersion returns the version a root file declares with a
// VersionComment. ok is false when there is none; err is set when the
// comment is there but its version does not parse.
func DeclaredVersion(t *config.Tree) (v nginx.Version, ok bool, err error) {
	if t == nil || t.Root == nil {
		return v, false, nil
	}
	first := int32(len(t.Root.Src))
	if len(t.Root.Top) > 0 {
		first = t.Root.Top[0].Start
	}
	for _, c := range t.Root.Comments {
		if c.Start > first {
			break
		}
		text := strings.TrimSpace(c.Text())
		rest, found := strings.CutPrefix(text, VersionComment)
		if !found {
			continue
		}
		// a second '#' starts a comment on the comment
		rest, _, _ = strings.Cut(rest, "#")
		v, err = nginx.ParseVersion(strings.TrimSpace(rest))
		return v, true, err
	}
	return v, false, nil
}

// Sort orders findings by file, position and rule.
func Sort(fs []rule.Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		fi, si, _ := fs[i].Span()
		fj, sj, _ := fs[j].Span()
		if fi.Path != fj.Path {
			return fi.Path < fj.Path
		}
		if si != sj {
			return si < sj
		}
		return fs[i].Rule.ID < fs[j].Rule.ID
	})
}

// AtLeast keeps the findings of severity sev or more severe: fix and
// verify apply only those fixes, so an informational finding's fix (which
// may change behaviour, like turning verification on) is opt-in.
func AtLeast(fs []rule.Finding, sev rule.Severity) []rule.Finding {
	out := fs[:0:0]
	for _, f := range fs {
		if f.Severity <= sev {
			out = append(out, f)
		}
	}
	return out
}
