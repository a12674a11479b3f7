package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ngxlint/ngxlint/nginx/config"
	"github.com/ngxlint/ngxlint/rules/rule"
)

// streamInputs are inputs whose strings need every kind of JSON escape
// (quotes, control characters, HTML, U+2028, invalid UTF-8), with and
// without findings, fixes, evidence and errors.
func streamInputs() map[string]Input {
	src := "http {\n  # ngxlint:ignore NGX101 <legacy> & \"old\"\n  server {\n    proxy_pass https://a.example.net;\n  }\n}\ninclude snip.conf;\n"
	root := &config.File{Path: "dir/nginx.conf", Src: src}
	inc := &config.Directive{Name: "include", File: root, Start: int32(strings.Index(src, "include")), End: int32(len(src) - 1), BlockOpen: -1}
	snip := &config.File{Path: "dir/snip.conf", Src: "proxy_set_header Host $http_host;\t\x01\n", Via: inc}
	d := &config.Directive{Name: "proxy_pass", File: root, Start: int32(strings.Index(src, "proxy_pass")), End: int32(strings.Index(src, "net;") + 4), BlockOpen: -1}
	h := &config.Directive{Name: "proxy_set_header", File: snip, Start: 0, End: 33, BlockOpen: -1}
	r1 := &rule.Rule{ID: "NGX101", Slug: "ssl-server-name-off", Severity: rule.Warning, Summary: "s <1>", Doc: rule.Doc{Problem: "p & q"}}
	r2 := &rule.Rule{ID: "NGX303", Slug: "host-header-spoofable", Severity: rule.Error, Summary: "s2", Doc: rule.Doc{Problem: "p2"}}
	findings := []rule.Finding{
		{Rule: r1, Severity: rule.Warning, Node: d, Message: "no SNI <edge> & \"quotes\" \\ \u2028 \n\t\x7f \xff end",
			Fix:      &rule.Fix{Description: "enable <SNI>", Edits: []rule.Edit{{File: root, Start: d.End, End: d.End, NewText: "\n    proxy_ssl_server_name on;"}}},
			Evidence: &rule.Evidence{Count: 3, First: "2024/01/01", Last: "2024/01/02", Class: "ssl-handshake", Sample: "SSL_do_handshake() failed"}},
		{Rule: r2, Severity: rule.Error, Node: h, Message: "spoofable", Suppressed: true, SuppressReason: "trusted <LB>",
			Fix: &rule.Fix{Description: "two edits", Edits: []rule.Edit{{File: snip, Start: 22, End: 32, NewText: "$host"}, {File: snip, Start: 0, End: 0}}}},
		{Rule: r1, Severity: rule.Info, File: root, Start: 7, End: 20, Message: "on a comment"},
	}
	errs := []config.Diagnostic{
		{Path: "dir/snip.conf", Line: 2, Col: 3, Severity: config.SevError, Message: "unexpected \"}\" <x>", Via: []*config.Directive{inc}},
		{Path: "dir/nginx.conf", Line: 1, Col: 1, Severity: config.SevWarning, Message: "w"},
	}
	return map[string]Input{
		"empty":           {},
		"findings":        {Findings: findings, Rules: []*rule.Rule{r1, r2}, ToolVersion: "v1.2.3"},
		"errors":          {Errors: errs, Rules: []*rule.Rule{r1}},
		"findings+errors": {Findings: findings, Errors: errs, Rules: []*rule.Rule{r1, r2}},
	}
}

// TestJSONStreamed: the streamed JSON writer writes exactly what
// json.Encoder wrote for the whole document.
func TestJSONStreamed(t *testing.T) {
	for name, in := range streamInputs() {
		t.Run(name, func(t *testing.T) {
			var got bytes.Buffer
			require.NoError(t, JSON(&got, in))
			assert.Equal(t, wholeJSON(t, in), got.String())
			var v map[string]any
			require.NoError(t, json.Unmarshal(got.Bytes(), &v))
		})
	}
}

// wholeJSON is the document built in memory and encoded at once.
func wholeJSON(t *testing.T, in Input) string {
	out := jsonOut{Findings: []jsonFinding{}, Errors: []jsonError{}}
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
			jf.Fix = &jsonFix{Description: f.Fix.Description, Edits: []jsonEdit{}}
			for _, e := range f.Fix.Edits {
				jf.Fix.Edits = append(jf.Fix.Edits, jsonEdit{File: e.File.Path, Start: int(e.Start), End: int(e.End), NewText: e.NewText})
			}
		}
		if ev := f.Evidence; ev != nil {
			jf.Evidence = &jsonEvidence{Count: ev.Count, First: ev.First, Last: ev.Last, Class: ev.Class, Sample: ev.Sample}
		}
		out.Findings = append(out.Findings, jf)
	}
	for _, e := range in.Errors {
		je := jsonError{File: e.Path, Line: e.Line, Column: e.Col, Severity: e.Severity.String(), Message: e.Message, IncludedFrom: []site{}}
		for _, v := range e.Via {
			p := v.Pos()
			je.IncludedFrom = append(je.IncludedFrom, site{File: p.Path, Line: p.Line})
		}
		out.Errors = append(out.Errors, je)
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	require.NoError(t, enc.Encode(out))
	return b.String()
}

// TestSARIFStreamed: the streamed SARIF writer writes exactly what
// go-sarif's PrettyWrite wrote for the whole log.
func TestSARIFStreamed(t *testing.T) {
	for name, in := range streamInputs() {
		t.Run(name, func(t *testing.T) {
			var got bytes.Buffer
			require.NoError(t, SARIF(&got, in))
			var want bytes.Buffer
			rep := sarif.NewReport()
			run := sarifRun(in)
			for i := range in.Findings {
				run.AddResult(sarifResult(run, &in.Findings[i]))
			}
			rep.AddRun(run)
			require.NoError(t, rep.PrettyWrite(&want))
			assert.Equal(t, want.String(), got.String())
		})
	}
}

// TestJSONWriterFields fills every field of jsonFinding (nested ones too)
// and compares the hand-written encoder with encoding/json: a field added
// to the contract but not to the writer fails here.
func TestJSONWriterFields(t *testing.T) {
	for name, fill := range map[string]func(reflect.Value, string){
		"every field set": fillAll,
		"zero values":     func(reflect.Value, string) {},
	} {
		t.Run(name, func(t *testing.T) {
			var f jsonFinding
			fill(reflect.ValueOf(&f).Elem(), "x")
			want, err := json.MarshalIndent(f, "    ", "  ")
			require.NoError(t, err)
			w := &jw{depth: 2}
			w.finding(&f)
			assert.Equal(t, string(want), string(w.b))
		})
	}
}

// fillAll sets every field under v to a value that is not the zero one,
// with strings that need escaping.
func fillAll(v reflect.Value, path string) {
	switch v.Kind() {
	case reflect.String:
		v.SetString(path + " <&> \"\\\n\t\x01 \u2028 \xff é")
	case reflect.Int, reflect.Int32, reflect.Int64:
		v.SetInt(int64(len(path)) * 7)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fillAll(v.Elem(), path)
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 2, 2)
		for i := 0; i < 2; i++ {
			fillAll(s.Index(i), fmt.Sprintf("%s[%d]", path, i))
		}
		v.Set(s)
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			fillAll(v.Field(i), path+"."+v.Type().Field(i).Name)
		}
	default:
		panic("fillAll: no case for " + v.Kind().String())
	}
}

// TestAppendJSONString compares the string quoting with encoding/json's
// on every byte and on random byte strings.
func TestAppendJSONString(t *testing.T) {
	var cases []string
	for b := 0; b < 256; b++ {
		cases = append(cases, string([]byte{'a', byte(b), 'z'}))
	}
	cases = append(cases, "", "\u2028\u2029", "é\xe2\x80", "\xf0\x9f\x98\x80 emoji", "\xed\xa0\x80 surrogate")
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 2000; i++ {
		b := make([]byte, rng.IntN(24))
		for j := range b {
			b[j] = byte(rng.IntN(256))
		}
		cases = append(cases, string(b))
	}
	for _, s := range cases {
		want, err := json.Marshal(s)
		require.NoError(t, err)
		require.Equal(t, string(want), string(appendJSONString(nil, s)), "%q", s)
	}
}
