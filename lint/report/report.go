// Package report writes lint results in the formats CI systems read: text
// for people, JSON (the public contract), SARIF 2.1.0 for code-scanning
// uploads, GitHub workflow commands, and Checkstyle XML for Jenkins and
// reviewdog. Each writer only formats; nothing here re-runs rules.
package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/ngxlint/ngxlint/nginx/config"
	"github.com/ngxlint/ngxlint/rules/rule"
)

// Formats lists the supported --format values.
var Formats = []string{"text", "json", "sarif", "github", "checkstyle"}

// Input is everything a writer may show.
type Input struct {
	Findings []rule.Finding
	Errors   []config.Diagnostic
	// Rules lists every rule of the run (SARIF declares them all).
	Rules []*rule.Rule
	// Color enables ANSI colour in text output (terminals only).
	Color bool
	// ToolVersion is ngxlint's version.
	ToolVersion string
}

// Write renders in the named format.
func Write(w io.Writer, format string, in Input) error {
	switch format {
	case "text", "":
		return Text(w, in)
	case "json":
		return JSON(w, in)
	case "sarif":
		return SARIF(w, in)
	case "github":
		return GitHub(w, in)
	case "checkstyle":
		return Checkstyle(w, in)
	}
	return fmt.Errorf("unknown format %q (want %s)", format, strings.Join(Formats, ", "))
}

// span is a finding's resolved location.
type span struct {
	path                       string
	line, col, endLine, endCol int
	start, end                 int
	file                       *config.File
}

func spanOf(f *rule.Finding) span {
	file, s, e := f.Span()
	a, b := file.Position(s), file.Position(e)
	return span{path: file.Path, line: a.Line, col: a.Col, endLine: b.Line, endCol: b.Col, start: int(s), end: int(e), file: file}
}

// includedFrom lists the include sites a finding's file came through,
// innermost first.
func includedFrom(f *rule.Finding) []site {
	file, _, _ := f.Span()
	var out []site
	for _, via := range file.Chain() {
		p := via.Pos()
		out = append(out, site{File: p.Path, Line: p.Line})
	}
	return out
}

type site struct {
	File string `json:"file"`
	Line int    `json:"line"`
}
