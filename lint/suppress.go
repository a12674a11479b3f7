package lint

import (
	"strings"

	"github.com/ngxlint/ngxlint/nginx/config"
	"github.com/ngxlint/ngxlint/rules/rule"
)

// suppression is one `# ngxlint:ignore RULES reason` comment.
type suppression struct {
	c      *config.Comment
	rules  []*rule.Rule
	cover  *config.Directive
	reason string
	used   map[string]bool
}

// suppressions are a tree's ignore comments, read once per run and
// indexed by the statement each covers, so that applying them costs a
// walk up each finding's enclosing blocks and include chain, never a scan
// of every comment.
type suppressions struct {
	all     []*suppression
	byCover map[*config.Directive][]*suppression
	// meta are the findings about the comments themselves (no reason,
	// unknown rule), found while reading them.
	meta []rule.Finding
}

// newSuppressions reads every ignore comment of the tree.
func newSuppressions(t *config.Tree) *suppressions {
	s := &suppressions{}
	for _, f := range t.Files {
		for _, c := range f.Comments {
			ids, reason, ok := parseIgnore(c.Text())
			if !ok {
				continue
			}
			sp := &suppression{c: c, reason: reason, used: map[string]bool{}}
			for _, id := range ids {
				r, ok := rule.Lookup(id)
				if !ok {
					s.meta = append(s.meta, commentFinding(NGX003, c, "ngxlint:ignore names unknown rule "+id))
					continue
				}
				sp.rules = append(sp.rules, r)
			}
			sp.cover = covered(c)
			if reason == "" {
				s.meta = append(s.meta, commentFinding(NGX001, c, "ngxlint:ignore without a reason: say why the finding is safe to ignore"))
			}
			s.all = append(s.all, sp)
			if sp.cover != nil {
				if s.byCover == nil {
					s.byCover = map[*config.Directive][]*suppression{}
				}
				s.byCover[sp.cover] = append(s.byCover[sp.cover], sp)
			}
		}
	}
	return s
}

// apply marks the findings an ignore comment covers.
func (s *suppressions) apply(fs []rule.Finding) {
	if len(s.byCover) == 0 {
		return
	}
	for i := range fs {
		f := &fs[i]
		if f.Node == nil {
			continue
		}
		s.cover(f.Node, func(sp *suppression) {
			for _, r := range sp.rules {
				if r == f.Rule {
					f.Suppressed = true
					f.SuppressReason = sp.reason
					sp.used[r.ID] = true
				}
			}
		})
	}
}

// cover calls fn for every suppression covering n: on n itself, on a
// block around it, or on an include statement that loaded its file (at
// any depth).
func (s *suppressions) cover(n *config.Directive, fn func(*suppression)) {
	for x := n; x != nil; x = x.Parent {
		for _, sp := range s.byCover[x] {
			fn(sp)
		}
		// x.Chain(), without building it
		for f := x.File; f != nil && f.Via != nil; f = f.Via.File {
			for _, sp := range s.byCover[f.Via] {
				fn(sp)
			}
		}
	}
}

// findings returns the findings about the comments: missing reasons,
// unknown rules, and suppressions of an enabled rule that covered nothing
// this run. A log-driven rule's suppression can only be judged in a run
// with logs.
func (s *suppressions) findings(enabled map[string]bool, logs bool) []rule.Finding {
	meta := s.meta
	for _, sp := range s.all {
		for _, r := range sp.rules {
			if !sp.used[r.ID] && enabled[r.ID] && r.Run != nil && (logs || !r.LogDriven) {
				meta = append(meta, commentFinding(NGX002, sp.c, "ngxlint:ignore "+r.ID+" suppresses nothing here; remove it"))
			}
		}
	}
	return meta
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
