package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/fatih/color"
	"github.com/ngxlint/ngxlint/rules/rule"
)

// Text writes `file:line:col: severity: message [ID slug]` lines, the
// errorformat editors jump on, each followed by the source line and a
// caret. Suppressed findings are hidden.
func Text(w io.Writer, in Input) error {
	c := func(a color.Attribute) *color.Color {
		x := color.New(a)
		if in.Color {
			x.EnableColor()
		} else {
			x.DisableColor()
		}
		return x
	}
	bold, red, yellow, blue, green := c(color.Bold), c(color.FgRed), c(color.FgYellow), c(color.FgBlue), c(color.FgGreen)
	for _, e := range in.Errors {
		loc := e.Path
		if e.Line > 0 {
			loc = fmt.Sprintf("%s:%d:%d", e.Path, e.Line, e.Col)
		}
		sev := red.Sprint("error")
		if e.Severity.String() == "warning" {
			sev = yellow.Sprint("warning")
		}
		if _, err := fmt.Fprintf(w, "%s: %s: %s\n", bold.Sprint(loc), sev, e.Message); err != nil {
			return err
		}
		for _, v := range e.Via {
			p := v.Pos()
			fmt.Fprintf(w, "    included from %s:%d\n", p.Path, p.Line)
		}
	}
	shown := 0
	for i := range in.Findings {
		f := &in.Findings[i]
		if f.Suppressed {
			continue
		}
		shown++
		s := spanOf(f)
		sev := f.Severity.String()
		switch f.Severity {
		case rule.Error:
			sev = red.Sprint(sev)
		case rule.Warning:
			sev = yellow.Sprint(sev)
		default:
			sev = blue.Sprint(sev)
		}
		if _, err := fmt.Fprintf(w, "%s: %s: %s [%s %s]\n", bold.Sprintf("%s:%d:%d", s.path, s.line, s.col), sev, f.Message, f.Rule.ID, f.Rule.Slug); err != nil {
			return err
		}
		for _, st := range includedFrom(f) {
			fmt.Fprintf(w, "    included from %s:%d\n", st.File, st.Line)
		}
		line := s.file.LineText(s.line)
		line = strings.ReplaceAll(line, "\t", " ")
		fmt.Fprintf(w, "    %s\n    %s%s\n", line, strings.Repeat(" ", max(0, s.col-1)), green.Sprint("^"))
		if ev := f.Evidence; ev != nil {
			span := ""
			if ev.First != "" {
				span = fmt.Sprintf(", %s … %s", ev.First, ev.Last)
			}
			fmt.Fprintf(w, "    evidence: %d error.log line(s) of class %s%s\n", ev.Count, ev.Class, span)
		}
		if f.Fix != nil {
			fmt.Fprintf(w, "    fix: %s (ngxlint fix)\n", f.Fix.Description)
		}
	}
	return nil
}
