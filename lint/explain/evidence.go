package explain

import (
	"fmt"
	"slices"
	"strings"

	"github.com/ngxlint/ngxlint/lint/config"
	"github.com/ngxlint/ngxlint/rules"
)

// ApplyOptions tune Apply.
type ApplyOptions struct {
	// Unexplained turns groups that no finding explains into NGX900
	// findings; off when NGX900 is disabled.
	Unexplained bool
	// Severity of the NGX900 findings.
	Severity rules.Severity
}

// Apply gives production evidence to findings and reports what no finding
// explains. A finding gets the groups mapped to its location whose class
// lists its rule (count and time range summed over them; class and sample
// of the largest). A group mapped to the config that no unsuppressed
// finding explains becomes an NGX900 finding at the proxy directive that
// logged it (else its location, else its server); a group that maps
// nowhere in any report becomes one NGX900 finding at the first report's
// root file. reps are the reports of the same logs mapped to each linted
// tree.
func Apply(reps []*Report, findings []rules.Finding, o ApplyOptions) []rules.Finding {
	type fkey struct {
		id   string
		node *config.Directive
	}
	at := map[fkey][]int{}
	for i, f := range findings {
		if f.Node != nil {
			k := fkey{f.Rule.ID, f.Node}
			at[k] = append(at[k], i)
		}
	}
	evidence := map[int][]*Group{}
	mappedKeys := map[string]bool{}
	var unmapped []*Group
	var out []rules.Finding
	seen := map[string]bool{}
	var root *config.File
	for _, rep := range reps {
		if root == nil && rep.Index != nil && rep.Index.Result() != nil && rep.Index.Result().Tree != nil {
			root = rep.Index.Result().Tree.Root
		}
		for _, g := range rep.Groups {
			m := g.Mapping
			if m.Server == nil && m.Location == nil && m.Directive == nil {
				unmapped = append(unmapped, g)
				continue
			}
			mappedKeys[logKey(g)] = true
			for _, f := range g.Findings {
				for _, i := range at[fkey{f.Rule.ID, f.Node}] {
					evidence[i] = append(evidence[i], g)
				}
			}
			if g.Explained || !o.Unexplained {
				continue
			}
			nf := unexplained(g, o.Severity)
			switch {
			case m.Directive != nil:
				nf.Node = m.Directive
			case m.Location != nil && m.Location.Node != nil:
				nf.Node = m.Location.Node
			case m.Server != nil && m.Server.Node != nil:
				nf.Node = m.Server.Node
			case root != nil:
				nf.File = root
			default:
				continue
			}
			file, start, _ := nf.Span()
			k := fmt.Sprintf("%s|%d|%s", file.Path, start, logKey(g))
			if seen[k] {
				continue
			}
			seen[k] = true
			out = append(out, nf)
		}
	}
	for i, gs := range evidence {
		findings[i].Evidence = summarize(gs)
	}
	if o.Unexplained && root != nil {
		merged := map[string]*rules.Finding{}
		var order []string
		for _, g := range unmapped {
			k := logKey(g)
			if mappedKeys[k] {
				continue
			}
			if f := merged[k]; f != nil {
				ev := f.Evidence
				ev.Count += int(g.Count)
				if g.First != "" && (ev.First == "" || g.First < ev.First) {
					ev.First = g.First
				}
				ev.Last = max(ev.Last, g.Last)
				continue
			}
			nf := unexplained(g, o.Severity)
			nf.File = root
			nf.Message += " (no server or location of the configuration matches it)"
			merged[k] = &nf
			order = append(order, k)
		}
		for _, k := range order {
			out = append(out, *merged[k])
		}
	}
	return append(findings, out...)
}

// logKey identifies a group by what the log says, independent of the
// tree it was mapped to.
func logKey(g *Group) string {
	return g.Class.Slug + "|" + g.Message + "|" + g.Server + "|" + g.Upstream
}

func summarize(gs []*Group) *rules.Evidence {
	slices.SortStableFunc(gs, func(a, b *Group) int { return int(b.Count - a.Count) })
	ev := &rules.Evidence{Class: gs[0].Class.Slug, Sample: gs[0].Sample}
	for _, g := range gs {
		ev.Count += int(g.Count)
		if g.First != "" && (ev.First == "" || g.First < ev.First) {
			ev.First = g.First
		}
		ev.Last = max(ev.Last, g.Last)
	}
	return ev
}

// unexplained builds the NGX900 finding for a group, without position.
func unexplained(g *Group, sev rules.Severity) rules.Finding {
	var b strings.Builder
	if g.Class.Slug == Unclassified {
		fmt.Fprintf(&b, "error.log has %s of an upstream failure no class explains (%q)", plural(g.Count, "line", "lines"), g.Message)
	} else {
		fmt.Fprintf(&b, "error.log has %s of %s (%s)", plural(g.Count, "line", "lines"), g.Class.Slug, g.Class.Title)
	}
	if g.Upstream != "" {
		fmt.Fprintf(&b, " from upstream %s", g.Upstream)
	}
	if g.First != "" {
		fmt.Fprintf(&b, ", %s … %s", g.First, g.Last)
	}
	var suppressed []string
	for _, f := range g.Findings {
		if f.Suppressed {
			suppressed = append(suppressed, fmt.Sprintf("%s (suppressed: %s)", f.Rule.ID, dash(f.SuppressReason)))
		}
	}
	switch {
	case len(suppressed) > 0:
		fmt.Fprintf(&b, "; %s would explain it, so the suppression's reason does not hold in production", strings.Join(suppressed, ", "))
	case len(g.Class.Rules) > 0 && g.Mapping.Server != nil:
		fmt.Fprintf(&b, "; none of the rules that explain it (%s) reports anything here, so the cause is one ngxlint does not check", strings.Join(g.Class.Rules, ", "))
	case len(g.Class.Rules) > 0:
		fmt.Fprintf(&b, "; the rules that explain it are %s", strings.Join(g.Class.Rules, ", "))
	default:
		b.WriteString("; no rule covers this kind of failure")
	}
	b.WriteString(". Likely cause: " + firstSentence(g.Class.Cause))
	return rules.Finding{
		Rule:     rules.NGX900,
		Severity: sev,
		Message:  b.String(),
		Evidence: &rules.Evidence{Count: int(g.Count), First: g.First, Last: g.Last, Class: g.Class.Slug, Sample: g.Sample},
	}
}

func firstSentence(s string) string {
	if i := strings.Index(s, ". "); i >= 0 {
		return s[:i+1]
	}
	return s
}
