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
	enabled := map[string]bool{}
	for _, r := range rs {
		enabled[r.ID] = true
	}
	m := model.Build(t)
	fs := rule.Run(m, rs, opts.Version, opts.Settings)
	fs = append(fs, suppress(t, fs, enabled)...)
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

// suppression is one `# ngxlint:ignore RULES reason` comment.
type suppression struct {
	c      *config.Comment
	rules  []*rule.Rule
	cover  *config.Directive
	reason string
	used   map[string]bool
}

// parseIgnore reads "ngxlint:ignore NGX101,NGX104 reason".
func parseIgnore(text string) (ids []string, reason string, ok bool) {
	t := strings.TrimSpace(text)
	if !strings.HasPrefix(t, "ngxlint:ignore") {
		return nil, "", false
	}
	t = strings.TrimSpace(strings.TrimPrefix(t, "ngxlint:ignore"))
	t = strings.TrimPrefix(t, "=")
	list, rest, _ := strings.Cut(t, " ")
	for _, id := range strings.Split(list, ",") {
		if id = strings.TrimSpace(id); id != "" {
			ids = append(ids, id)
		}
	}
	// A second '#' starts a comment on the comment (fixtures' `# want`).
	if i := strings.Index(rest, "#"); i >= 0 {
		rest = rest[:i]
	}
	rest = strings.TrimSpace(rest)
	rest = strings.TrimSpace(strings.TrimPrefix(rest, "--"))
	return ids, rest, true
}

// suppress marks covered findings and returns the findings about the
// suppressions themselves (missing reason, unknown rule, unused).
func suppress(t *config.Tree, fs []rule.Finding, enabled map[string]bool) []rule.Finding {
	var sups []*suppression
	var meta []rule.Finding
	for _, f := range t.Files {
		for _, c := range f.Comments {
			ids, reason, ok := parseIgnore(c.Text())
			if !ok {
				continue
			}
			s := &suppression{c: c, reason: reason, used: map[string]bool{}}
			for _, id := range ids {
				r, ok := rule.Lookup(id)
				if !ok {
					meta = append(meta, commentFinding(NGX003, c, "ngxlint:ignore names unknown rule "+id))
					continue
				}
				s.rules = append(s.rules, r)
			}
			s.cover = covered(c)
			if reason == "" {
				meta = append(meta, commentFinding(NGX001, c, "ngxlint:ignore without a reason: say why the finding is safe to ignore"))
			}
			sups = append(sups, s)
		}
	}
	if len(sups) == 0 {
		return meta
	}
	for i := range fs {
		f := &fs[i]
		if f.Node == nil {
			continue
		}
		for _, s := range sups {
			if s.cover == nil || !within(f.Node, s.cover) {
				continue
			}
			for _, r := range s.rules {
				if r == f.Rule {
					f.Suppressed = true
					f.SuppressReason = s.reason
					s.used[r.ID] = true
				}
			}
		}
	}
	for _, s := range sups {
		for _, r := range s.rules {
			// Rules without Run (NGX900) are reported after the run from
			// outside evidence; SuppressLate handles their comments.
			if !s.used[r.ID] && enabled[r.ID] && r.Run != nil {
				meta = append(meta, commentFinding(NGX002, s.c, "ngxlint:ignore "+r.ID+" suppresses nothing here; remove it"))
			}
		}
	}
	return meta
}

// SuppressLate applies ignore comments to findings added after Run, such
// as NGX900 from error-log evidence, so they can be suppressed like any
// other finding.
func SuppressLate(t *config.Tree, fs []rule.Finding) {
	var late []rule.Finding
	var idx []int
	for i, f := range fs {
		if !f.Suppressed && f.Rule.Run == nil && f.Node != nil {
			late = append(late, f)
			idx = append(idx, i)
		}
	}
	if len(late) == 0 {
		return
	}
	suppress(t, late, map[string]bool{})
	for j, i := range idx {
		fs[i].Suppressed, fs[i].SuppressReason = late[j].Suppressed, late[j].SuppressReason
	}
}

func commentFinding(r *rule.Rule, c *config.Comment, msg string) rule.Finding {
	return rule.Finding{Rule: r, Severity: r.Severity, Message: msg, File: c.File, Start: c.Start, End: c.End}
}

// covered returns the statement a suppression comment covers: the one it
// ends the line of, the block whose opening line it sits on, or the one on
// the next line.
func covered(c *config.Comment) *config.Directive {
	line := c.Line()
	if c.Inline() {
		return c.Prev
	}
	if o := c.Owner; o != nil && o.File == c.File && o.IsBlock() && c.File.Position(o.BlockOpen).Line == line {
		return o
	}
	if c.Next != nil && c.Next.File == c.File && c.File.Position(c.Next.Start).Line == line+1 {
		return c.Next
	}
	return nil
}

// within reports whether n is d, inside d's block, or inside a file that
// the include directive d loaded (at any depth).
func within(n, d *config.Directive) bool {
	for x := n; x != nil; x = x.Parent {
		if x == d {
			return true
		}
		for _, via := range x.Chain() {
			if via == d {
				return true
			}
		}
	}
	return false
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
