package report

import (
	"strconv"
	"unicode/utf8"
)

// The public JSON is written by hand, element by element, in exactly the
// bytes json.MarshalIndent would write for jsonFinding inside the
// document (reflection and re-indenting were most of a large run's
// output time). TestJSONWriterFields fails when jsonFinding gains a field
// this writer does not know.

// jw appends indented JSON to b; depth is the current nesting.
type jw struct {
	b     []byte
	depth int
}

func (w *jw) nl() {
	w.b = append(w.b, '\n')
	for i := 0; i < w.depth; i++ {
		w.b = append(w.b, ' ', ' ')
	}
}

func (w *jw) open(c byte) { w.b = append(w.b, c); w.depth++ }

func (w *jw) close(c byte) { w.depth--; w.nl(); w.b = append(w.b, c) }

// key starts a member; first says whether it is the object's first.
func (w *jw) key(k string, first bool) {
	if !first {
		w.b = append(w.b, ',')
	}
	w.nl()
	w.b = appendJSONString(w.b, k)
	w.b = append(w.b, ':', ' ')
}

func (w *jw) str(k, v string, first bool) { w.key(k, first); w.b = appendJSONString(w.b, v) }

func (w *jw) int(k string, v int, first bool) {
	w.key(k, first)
	w.b = strconv.AppendInt(w.b, int64(v), 10)
}

func (w *jw) bool(k string, v bool) { w.key(k, false); w.b = strconv.AppendBool(w.b, v) }

// finding writes f at the current depth.
func (w *jw) finding(f *jsonFinding) {
	w.open('{')
	w.str("rule", f.Rule, true)
	w.str("name", f.Name, false)
	w.str("severity", f.Severity, false)
	w.str("file", f.File, false)
	w.int("line", f.Line, false)
	w.int("column", f.Column, false)
	w.int("end_line", f.EndLine, false)
	w.int("end_column", f.EndColumn, false)
	w.str("message", f.Message, false)
	w.key("included_from", false)
	w.sites(f.IncludedFrom)
	w.bool("suppressed", f.Suppressed)
	if f.Reason != "" {
		w.str("suppression_reason", f.Reason, false)
	}
	w.key("fix", false)
	if f.Fix == nil {
		w.b = append(w.b, "null"...)
	} else {
		w.open('{')
		w.str("description", f.Fix.Description, true)
		w.key("edits", false)
		if f.Fix.Edits == nil {
			w.b = append(w.b, "null"...)
		} else if len(f.Fix.Edits) == 0 {
			w.b = append(w.b, '[', ']')
		} else {
			w.open('[')
			for i, e := range f.Fix.Edits {
				if i > 0 {
					w.b = append(w.b, ',')
				}
				w.nl()
				w.open('{')
				w.str("file", e.File, true)
				w.int("start", e.Start, false)
				w.int("end", e.End, false)
				w.str("new_text", e.NewText, false)
				w.close('}')
			}
			w.close(']')
		}
		w.close('}')
	}
	if ev := f.Evidence; ev != nil {
		w.key("evidence", false)
		w.open('{')
		w.int("count", ev.Count, true)
		w.str("first", ev.First, false)
		w.str("last", ev.Last, false)
		w.str("class", ev.Class, false)
		if ev.Sample != "" {
			w.str("sample", ev.Sample, false)
		}
		w.close('}')
	}
	w.close('}')
}

func (w *jw) sites(ss []site) {
	switch {
	case ss == nil:
		w.b = append(w.b, "null"...)
		return
	case len(ss) == 0:
		w.b = append(w.b, '[', ']')
		return
	}
	w.open('[')
	for i, s := range ss {
		if i > 0 {
			w.b = append(w.b, ',')
		}
		w.nl()
		w.open('{')
		w.str("file", s.File, true)
		w.int("line", s.Line, false)
		w.close('}')
	}
	w.close(']')
}

const hexDigits = "0123456789abcdef"

// appendJSONString quotes s as encoding/json does with HTML escaping (its
// default): <, > and & as \u00XX, control bytes, U+2028 and U+2029
// escaped, invalid UTF-8 as \ufffd.
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' && b != '<' && b != '>' && b != '&' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		if c == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if c == '\u2028' || c == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[c&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
