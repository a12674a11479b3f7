package report

import (
	"bufio"
	"encoding/json"
	"io"
)

// The JSON shape is a public contract: fields are only ever added.
type jsonOut struct {
	Findings []jsonFinding `json:"findings"`
	Errors   []jsonError   `json:"errors"`
}

type jsonFinding struct {
	Rule         string        `json:"rule"`
	Name         string        `json:"name"`
	Severity     string        `json:"severity"`
	File         string        `json:"file"`
	Line         int           `json:"line"`
	Column       int           `json:"column"`
	EndLine      int           `json:"end_line"`
	EndColumn    int           `json:"end_column"`
	Message      string        `json:"message"`
	IncludedFrom []site        `json:"included_from"`
	Suppressed   bool          `json:"suppressed"`
	Reason       string        `json:"suppression_reason,omitempty"`
	Fix          *jsonFix      `json:"fix"`
	Evidence     *jsonEvidence `json:"evidence,omitempty"`
}

type jsonFix struct {
	Description string     `json:"description"`
	Edits       []jsonEdit `json:"edits"`
}

type jsonEdit struct {
	File    string `json:"file"`
	Start   int    `json:"start"`
	End     int    `json:"end"`
	NewText string `json:"new_text"`
}

type jsonEvidence struct {
	Count  int    `json:"count"`
	First  string `json:"first"`
	Last   string `json:"last"`
	Class  string `json:"class"`
	Sample string `json:"sample,omitempty"`
}

type jsonError struct {
	File         string `json:"file"`
	Line         int    `json:"line"`
	Column       int    `json:"column"`
	Severity     string `json:"severity"`
	Message      string `json:"message"`
	IncludedFrom []site `json:"included_from"`
}

// JSON writes the public JSON contract. The document is what
// json.Encoder with a two-space indent writes for jsonOut, produced one
// finding at a time (by jw, see jsonwrite.go), so memory stays flat
// however many findings a tree has.
func JSON(w io.Writer, in Input) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	bw.WriteString("{\n  \"findings\": [")
	js := &jw{depth: 2}
	for i := range in.Findings {
		f := &in.Findings[i]
		s := spanOf(f)
		jf := jsonFinding{
			Rule: f.Rule.ID, Name: f.Rule.Slug, Severity: f.Severity.String(),
			File: s.path, Line: s.line, Column: s.col, EndLine: s.endLine, EndColumn: s.endCol,
			Message: f.Message, IncludedFrom: includedFrom(f), Suppressed: f.Suppressed, Reason: f.SuppressReason,
		}
		if jf.IncludedFrom == nil {
			jf.IncludedFrom = []site{}
		}
		if f.Fix != nil {
			jf.Fix = &jsonFix{Description: f.Fix.Description, Edits: make([]jsonEdit, 0, len(f.Fix.Edits))}
			for _, e := range f.Fix.Edits {
				jf.Fix.Edits = append(jf.Fix.Edits, jsonEdit{File: e.File.Path, Start: int(e.Start), End: int(e.End), NewText: e.NewText})
			}
		}
		if ev := f.Evidence; ev != nil {
			jf.Evidence = &jsonEvidence{Count: ev.Count, First: ev.First, Last: ev.Last, Class: ev.Class, Sample: ev.Sample}
		}
		if i > 0 {
			bw.WriteByte(',')
		}
		js.b = append(js.b[:0], "\n    "...)
		js.finding(&jf)
		if _, err := bw.Write(js.b); err != nil {
			return err
		}
	}
	closeArray(bw, len(in.Findings))
	bw.WriteString(",\n  \"errors\": [")
	for i, e := range in.Errors {
		je := jsonError{File: e.Path, Line: e.Line, Column: e.Col, Severity: e.Severity.String(), Message: e.Message, IncludedFrom: []site{}}
		for _, v := range e.Via {
			p := v.Pos()
			je.IncludedFrom = append(je.IncludedFrom, site{File: p.Path, Line: p.Line})
		}
		if err := jsonElement(bw, i, je); err != nil {
			return err
		}
	}
	closeArray(bw, len(in.Errors))
	bw.WriteString("\n}\n")
	return bw.Flush()
}

// jsonElement writes the i-th element of a top-level array of the
// document, indented as json.MarshalIndent indents it in place.
func jsonElement(w *bufio.Writer, i int, v any) error {
	b, err := json.MarshalIndent(v, "    ", "  ")
	if err != nil {
		return err
	}
	if i > 0 {
		w.WriteByte(',')
	}
	w.WriteString("\n    ")
	_, err = w.Write(b)
	return err
}

func closeArray(w *bufio.Writer, n int) {
	if n > 0 {
		w.WriteString("\n  ")
	}
	w.WriteByte(']')
}
