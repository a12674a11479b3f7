package lint

import (
	"slices"

	"github.com/ngxlint/ngxlint/nginx/model"
	"github.com/ngxlint/ngxlint/rules/rule"
)

// firing indexes a run's findings by the location (or server) they are in
// effect at, once per run, so that each log group finds the findings that
// explain it by walking its own scopes.
type firing struct {
	m  *model.Model
	at map[*model.Scope][]int
}

func newFiring(m *model.Model, fs []rule.Finding) *firing {
	fi := &firing{m: m, at: map[*model.Scope][]int{}}
	for i := range fs {
		f := &fs[i]
		if f.Node == nil {
			continue
		}
		s := m.ScopeOf(f.Node)
		if s == nil {
			continue
		}
		if s.Node == f.Node && s.Kind != model.KindLocation && s.Kind != model.KindServer && s.Kind != model.KindStreamServer {
			s = s.Parent // a finding on an if or http block belongs to what holds it
		}
		if s == nil {
			continue
		}
		at := s.Location()
		fi.at[at] = append(fi.at[at], i)
	}
	return fi
}

// in returns the findings in effect at a location: those on its own
// statements (if and limit_except blocks included) and, from the scopes
// around it, those on inherited settings. Proxy directives are not
// inherited, so findings on an outer location's proxy_pass do not count.
func (fi *firing) in(loc *model.Scope, fs []rule.Finding) []int {
	if loc == nil {
		return nil
	}
	out := slices.Clone(fi.at[loc])
	for x := loc.Parent; x != nil; x = x.Parent {
		for _, i := range fi.at[x] {
			if fi.m.ProxyAt(fs[i].Node) == nil {
				out = append(out, i)
			}
		}
	}
	return out
}

// place returns the findings in effect where a log group maps.
func (fi *firing) place(g *rule.LogGroup, fs []rule.Finding) []int {
	switch {
	case g.Location != nil:
		return fi.in(g.Location, fs)
	case g.Directive != nil:
		if s := fi.m.ScopeOf(g.Directive); s != nil {
			return fi.in(s.Location(), fs)
		}
		return nil
	case g.Server != nil:
		return fi.in(g.Server, fs)
	}
	return nil
}

// attachEvidence matches each log group to the findings that explain it
// (in effect where it maps, of a rule that lists its class) and gives
// those findings the groups as Evidence: counts and time range summed,
// class and sample of the largest group.
func attachEvidence(m *model.Model, fs []rule.Finding, logs []*rule.LogGroup) {
	fi := newFiring(m, fs)
	evidence := map[int][]*rule.LogGroup{}
	for _, g := range logs {
		g.Findings = nil
		if !g.Mapped() {
			continue
		}
		for _, i := range fi.place(g, fs) {
			if !slices.Contains(fs[i].Rule.LogClasses, g.Class) {
				continue
			}
			c := fs[i]
			g.Findings = append(g.Findings, &c)
			evidence[i] = append(evidence[i], g)
		}
	}
	for i, gs := range evidence {
		fs[i].Evidence = rule.Summarize(gs)
	}
}
