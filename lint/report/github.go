package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/ngxlint/ngxlint/rules/rule"
)

// GitHub writes workflow commands, which GitHub Actions turns into
// annotations on the pull request's diff.
func GitHub(w io.Writer, in Input) error {
	for _, e := range in.Errors {
		if _, err := fmt.Fprintf(w, "::error file=%s,line=%d,col=%d,title=%s::%s\n", ghProp(e.Path), e.Line, e.Col, ghProp("nginx config error"), ghData(e.Message)); err != nil {
			return err
		}
	}
	for i := range in.Findings {
		f := &in.Findings[i]
		if f.Suppressed {
			continue
		}
		s := spanOf(f)
		cmd := "notice"
		switch f.Severity {
		case rule.Error:
			cmd = "error"
		case rule.Warning:
			cmd = "warning"
		}
		title := f.Rule.ID + " " + f.Rule.Slug
		if _, err := fmt.Fprintf(w, "::%s file=%s,line=%d,col=%d,endLine=%d,endColumn=%d,title=%s::%s\n",
			cmd, ghProp(s.path), s.line, s.col, s.endLine, s.endCol, ghProp(title), ghData(f.Message)); err != nil {
			return err
		}
	}
	return nil
}

// Escaping as in @actions/core's command.ts.
func ghData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

func ghProp(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}
