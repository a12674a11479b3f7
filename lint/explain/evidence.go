package explain

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/ngxlint/ngxlint/nginx/config"
	"github.com/ngxlint/ngxlint/rules"
	"github.com/ngxlint/ngxlint/rules/rule"
)

// ApplyOptions tune Apply.
type ApplyOptions struct {
	// Unexplained turns groups that no finding explains into NGX900
	// findings; off when NGX900 is disabled.
	Unexplained bool
	// Severity of the NGX900 findings.
	Severity rule.Severity
}

// Apply gives production evidence to findings and reports what no finding
// explains. A finding gets the groups mapped to its location whose class
// lists its rule (count and time range summed over them; class and sample
// of the largest). Groups mapped to the config that no unsuppressed
// finding explains become NGX900 findings at the proxy directive that
// logged them (else their location, else their server), one per statement
// and class; groups that map nowhere in any report become NGX900 findings
// at the first report's root file. reps are the reports of the same logs
// mapped to each linted tree.
func Apply(reps []*Report, findings []rule.Finding, o ApplyOptions) []rule.Finding {
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
	var root *config.File
	// NGX900 candidates, merged per statement and class, in report order.
	type site struct {
		node   *config.Directive
		file   *config.File
		groups []*Group
	}
	sites := map[string]*site{}
	var order []string
	add := func(key string, node *config.Directive, file *config.File, g *Group) {
		s := sites[key]
		if s == nil {
			s = &site{node: node, file: file}
			sites[key] = s
			order = append(order, key)
		}
		for _, h := range s.groups {
			if logKey(h) == logKey(g) {
				return // the same lines, mapped by another tree
			}
		}
		s.groups = append(s.groups, g)
	}
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
			var node *config.Directive
			switch {
			case m.Directive != nil:
				node = m.Directive
			case m.Location != nil && m.Location.Node != nil:
				node = m.Location.Node
			case m.Server != nil && m.Server.Node != nil:
				node = m.Server.Node
			}
			if node == nil {
				unmapped = append(unmapped, g)
				continue
			}
			add(fmt.Sprintf("%s|%d|%s|%s", node.File.Path, node.Start, g.Class.Slug, g.Message), node, nil, g)
		}
	}
	for i, gs := range evidence {
		findings[i].Evidence = summarize(gs)
	}
	if o.Unexplained && root != nil {
		for _, g := range unmapped {
			if !mappedKeys[logKey(g)] {
				add("|root|"+g.Class.Slug+"|"+g.Message, nil, root, g)
			}
		}
	}
	if !o.Unexplained {
		return findings
	}
	for _, k := range order {
		s := sites[k]
		nf := unexplained(s.groups, o.Severity)
		nf.Node, nf.File = s.node, s.file
		findings = append(findings, nf)
	}
	return findings
}

// logKey identifies a group by what the log says, independent of the
// tree it was mapped to.
func logKey(g *Group) string {
	return g.Class.Slug + "|" + g.Message + "|" + g.logServer + "|" + g.Upstream
}

func summarize(gs []*Group) *rule.Evidence {
	gs = slices.Clone(gs)
	slices.SortStableFunc(gs, func(a, b *Group) int { return cmp.Compare(b.Count, a.Count) })
	ev := &rule.Evidence{Class: gs[0].Class.Slug, Sample: gs[0].Sample}
	for _, g := range gs {
		ev.Count += int(g.Count)
		if g.First != "" && (ev.First == "" || g.First < ev.First) {
			ev.First = g.First
		}
		ev.Last = max(ev.Last, g.Last)
	}
	return ev
}

// unexplained builds the NGX900 finding for groups of one class at one
// place, without its position.
func unexplained(gs []*Group, sev rule.Severity) rule.Finding {
	g := gs[0]
	ev := summarize(gs)
	var b strings.Builder
	fmt.Fprintf(&b, "error.log: %s", plural(int64(ev.Count), "line", "lines"))
	if g.Class.Slug == Unclassified {
		fmt.Fprintf(&b, " of an upstream failure no class explains (%q)", g.Message)
	} else {
		fmt.Fprintf(&b, " of %s", g.Class.Slug)
	}
	var ups []string
	for _, h := range gs {
		if h.Upstream != "" && !slices.Contains(ups, h.Upstream) {
			ups = append(ups, h.Upstream)
		}
	}
	switch len(ups) {
	case 0:
	case 1:
		fmt.Fprintf(&b, " from upstream %s", ups[0])
	default:
		fmt.Fprintf(&b, " from %d upstreams (%s, …)", len(ups), ups[0])
	}
	if ev.First != "" {
		fmt.Fprintf(&b, " (%s … %s)", ev.First, ev.Last)
	}
	var suppressed []string
	for _, h := range gs {
		for _, f := range h.Findings {
			s := fmt.Sprintf("%s (suppressed: %s)", f.Rule.ID, dash(f.SuppressReason))
			if f.Suppressed && !slices.Contains(suppressed, s) {
				suppressed = append(suppressed, s)
			}
		}
	}
	switch {
	case len(suppressed) > 0:
		fmt.Fprintf(&b, ", which %s would explain: the suppression does not hold in production", strings.Join(suppressed, ", "))
	case len(g.Class.Rules) > 0 && (g.Mapping.Server != nil || g.Mapping.Directive != nil):
		fmt.Fprintf(&b, ", and none of the rules for it (%s) fires here: the cause is on the upstream side or one ngxlint does not check", strings.Join(g.Class.Rules, ", "))
	case len(g.Class.Rules) > 0:
		fmt.Fprintf(&b, ", and no server or location of the configuration matches it (rules for it: %s)", strings.Join(g.Class.Rules, ", "))
	default:
		b.WriteString(", a kind of failure no rule covers")
	}
	b.WriteString("; `ngxlint explain` gives the cause and fix")
	return rule.Finding{Rule: rules.NGX900, Severity: sev, Message: b.String(), Evidence: ev}
}
