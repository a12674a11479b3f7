package rule

import (
	"cmp"
	"slices"

	"github.com/ngxlint/ngxlint/nginx/config"
	"github.com/ngxlint/ngxlint/nginx/model"
)

// LogGroup is error.log evidence given to a run: lines of one class (and,
// for unclassified lines, one message shape) that map to one place of the
// configuration. The log mapper (lint/explain) builds them; rules read
// them through Pass.Logs.
type LogGroup struct {
	// Class is the errlog class slug, or "unclassified".
	Class string
	// Message is the masked message of an unclassified group.
	Message string
	// Upstream is the upstream field without its URI ("" when none).
	Upstream string
	// Count, First, Last and Sample summarise the lines: nginx's
	// timestamp text of the earliest and latest, and one line verbatim.
	Count       int
	First, Last string
	Sample      string
	// Where the lines map: the proxy directive (or the statement a
	// config-load line names), the location and the server; nil when
	// unknown. A group with none of them maps nowhere in this
	// configuration.
	Directive        *config.Directive
	Location, Server *model.Scope

	// Findings are set by the driver before the Late rules run: the
	// findings in effect at the group's place whose rule lists the
	// group's class in LogClasses, suppressed ones included.
	Findings []*Finding
}

// Mapped reports whether the group maps to a place in the configuration.
func (g *LogGroup) Mapped() bool {
	return g.Directive != nil || g.Location != nil || g.Server != nil
}

// Explained reports whether an unsuppressed finding explains the group.
func (g *LogGroup) Explained() bool {
	for _, f := range g.Findings {
		if !f.Suppressed {
			return true
		}
	}
	return false
}

// Summarize merges log groups into one piece of evidence: counts and time
// range summed over them, class and sample of the largest.
func Summarize(gs []*LogGroup) *Evidence {
	gs = slices.Clone(gs)
	slices.SortStableFunc(gs, func(a, b *LogGroup) int { return cmp.Compare(b.Count, a.Count) })
	ev := &Evidence{Class: gs[0].Class, Sample: gs[0].Sample}
	for _, g := range gs {
		ev.Count += g.Count
		if g.First != "" && (ev.First == "" || g.First < ev.First) {
			ev.First = g.First
		}
		ev.Last = max(ev.Last, g.Last)
	}
	return ev
}
