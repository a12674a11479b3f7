package report

import (
	"encoding/xml"
	"io"

	"github.com/ngxlint/ngxlint/rules/rule"
)

type csRoot struct {
	XMLName xml.Name `xml:"checkstyle"`
	Version string   `xml:"version,attr"`
	Files   []csFile `xml:"file"`
}

type csFile struct {
	Name   string    `xml:"name,attr"`
	Errors []csError `xml:"error"`
}

type csError struct {
	Line     int    `xml:"line,attr"`
	Column   int    `xml:"column,attr,omitempty"`
	Severity string `xml:"severity,attr"`
	Message  string `xml:"message,attr"`
	Source   string `xml:"source,attr"`
}

// Checkstyle writes Checkstyle XML, read by Jenkins' warnings plugin,
// GitLab converters and reviewdog.
func Checkstyle(w io.Writer, in Input) error {
	root := csRoot{Version: "4.3"}
	idx := map[string]int{}
	add := func(path string, e csError) {
		i, ok := idx[path]
		if !ok {
			i = len(root.Files)
			idx[path] = i
			root.Files = append(root.Files, csFile{Name: path})
		}
		root.Files[i].Errors = append(root.Files[i].Errors, e)
	}
	for _, e := range in.Errors {
		add(e.Path, csError{Line: e.Line, Column: e.Col, Severity: "error", Message: e.Message, Source: "ngxlint.syntax"})
	}
	for i := range in.Findings {
		f := &in.Findings[i]
		if f.Suppressed {
			continue
		}
		s := spanOf(f)
		sev := "info"
		switch f.Severity {
		case rule.Error:
			sev = "error"
		case rule.Warning:
			sev = "warning"
		}
		add(s.path, csError{Line: s.line, Column: s.col, Severity: sev, Message: f.Message, Source: "ngxlint." + f.Rule.ID + "." + f.Rule.Slug})
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(root); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
