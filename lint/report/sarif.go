package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/ngxlint/ngxlint/rules/rule"
	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"
)

const infoURI = "https://github.com/ngxlint/ngxlint"

// SARIF writes a SARIF 2.1.0 log for code-scanning uploads. Every rule is
// declared with its help text, suppressed findings keep their place with
// an inSource suppression, and paths are relative to %SRCROOT%.
//
// The log is what go-sarif's PrettyWrite writes, but its results are
// built and written one at a time, so memory stays flat however many
// findings a tree has.
func SARIF(w io.Writer, in Input) error {
	rep := sarif.NewReport()
	run := sarifRun(in)
	run.Results = []*sarif.Result{}
	rep.AddRun(run)
	doc, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	// the results go where the empty list is; its key is unique (a key
	// in a string value would be escaped)
	const marker = `"results": []`
	at := bytes.Index(doc, []byte(marker))
	if at < 0 || bytes.Count(doc, []byte(marker)) != 1 {
		return fmt.Errorf("sarif: no single results list in the log")
	}
	indent := doc[bytes.LastIndexByte(doc[:at], '\n')+1 : at]
	bw := bufio.NewWriterSize(w, 64<<10)
	bw.Write(doc[:at+len(marker)-1])
	elemPrefix := string(indent) + "  "
	for i := range in.Findings {
		b, err := json.MarshalIndent(sarifResult(run, &in.Findings[i]), elemPrefix, "  ")
		if err != nil {
			return err
		}
		if i > 0 {
			bw.WriteByte(',')
		}
		bw.WriteByte('\n')
		bw.WriteString(elemPrefix)
		bw.Write(b)
	}
	if len(in.Findings) > 0 {
		bw.WriteByte('\n')
		bw.Write(indent)
	}
	bw.Write(doc[at+len(marker)-1:])
	return bw.Flush()
}

// sarifRun is the run without its results: the tool, every rule of the
// run, and the invocation (with the load errors).
func sarifRun(in Input) *sarif.Run {
	run := sarif.NewRunWithInformationURI("ngxlint", infoURI)
	if in.ToolVersion != "" {
		run.Tool.Driver.WithVersion(in.ToolVersion)
	}
	run.WithColumnKind("unicodeCodePoints")
	rs := in.Rules
	if rs == nil {
		rs = rule.All()
	}
	for _, r := range rs {
		d := run.AddRule(r.ID).
			WithName(camel(r.Slug)).
			WithShortDescription(sarif.NewMultiformatMessageString().WithText(r.Summary)).
			WithFullDescription(sarif.NewMultiformatMessageString().WithText(r.Doc.Problem)).
			WithHelpURI(infoURI + "/blob/main/docs/rules/" + r.ID + ".md").
			WithHelp(sarif.NewMultiformatMessageString().WithText(HelpText(r)).WithMarkdown(HelpMarkdown(r))).
			WithDefaultConfiguration(sarif.NewReportingConfiguration().WithLevel(level(r.Severity)))
		props := sarif.NewPropertyBag().WithTags([]string{"nginx", r.Slug})
		props.Add("security-severity", securitySeverity(r.Severity))
		props.Add("precision", "high")
		d.WithProperties(props)
	}
	for _, e := range in.Errors {
		run.AddInvocation(sarif.NewInvocation().WithExecutionSuccessful(false).
			AddToolExecutionNotification(sarif.NewNotification().
				WithLevel("error").
				WithMessage(sarif.NewTextMessage(e.Message)).
				AddLocation(sarif.NewLocationWithPhysicalLocation(sarif.NewPhysicalLocation().
					WithArtifactLocation(artifact(filepath.ToSlash(e.Path))).
					WithRegion(sarif.NewRegion().WithStartLine(max(1, e.Line)).WithStartColumn(max(1, e.Col)))))))
	}
	if len(in.Errors) == 0 {
		run.AddInvocation(sarif.NewInvocation().WithExecutionSuccessful(true))
	}
	return run
}

// sarifResult is one finding as a SARIF result of run.
func sarifResult(run *sarif.Run, f *rule.Finding) *sarif.Result {
	s := spanOf(f)
	uri := filepath.ToSlash(s.path)
	loc := sarif.NewPhysicalLocation().
		WithArtifactLocation(artifact(uri)).
		WithRegion(sarif.NewRegion().WithStartLine(s.line).WithStartColumn(s.col).WithEndLine(s.endLine).WithEndColumn(s.endCol).
			WithSnippet(sarif.NewArtifactContent().WithText(s.file.LineText(s.line))))
	res := sarif.NewRuleResult(f.Rule.ID).WithRuleIndex(run.GetRuleIndex(f.Rule.ID)).
		WithLevel(level(f.Severity)).
		WithMessage(sarif.NewTextMessage(f.Message)).
		AddLocation(sarif.NewLocationWithPhysicalLocation(loc))
	for _, st := range includedFrom(f) {
		res.AddRelatedLocation(sarif.NewLocationWithPhysicalLocation(sarif.NewPhysicalLocation().
			WithArtifactLocation(artifact(filepath.ToSlash(st.File))).
			WithRegion(sarif.NewRegion().WithStartLine(st.Line))).
			WithMessage(sarif.NewTextMessage("included from here")))
	}
	res.WithPartialFingerprints(map[string]string{"ngxlint/v1": fmt.Sprintf("%s:%s:%s", f.Rule.ID, uri, strings.TrimSpace(s.file.LineText(s.line)))})
	if f.Suppressed {
		res.AddSuppression(sarif.NewSuppression().WithKind("inSource").WithJustification(f.SuppressReason))
	}
	if f.Fix != nil {
		fx := sarif.NewFix().WithDescription(sarif.NewTextMessage(f.Fix.Description))
		for _, e := range f.Fix.Edits {
			fx.AddArtifactChange(sarif.NewArtifactChange().
				WithArtifactLocation(artifact(filepath.ToSlash(e.File.Path))).
				AddReplacement(sarif.NewReplacement().
					WithDeletedRegion(sarif.NewRegion().WithByteOffset(int(e.Start)).WithByteLength(int(e.End - e.Start))).
					WithInsertedContent(sarif.NewArtifactContent().WithText(e.NewText))))
		}
		res.AddFixe(fx)
	}
	return res
}

func artifact(uri string) *sarif.ArtifactLocation {
	a := sarif.NewSimpleArtifactLocation(uri)
	if !strings.HasPrefix(uri, "/") {
		a.WithURIBaseID("%SRCROOT%")
	}
	return a
}

func level(s rule.Severity) string {
	switch s {
	case rule.Error:
		return "error"
	case rule.Warning:
		return "warning"
	}
	return "note"
}

// securitySeverity feeds GitHub's severity buckets: a broken upstream is
// an outage, which code scanning should not file under "low".
func securitySeverity(s rule.Severity) string {
	switch s {
	case rule.Error:
		return "8.0"
	case rule.Warning:
		return "5.0"
	}
	return "2.0"
}

func camel(slug string) string {
	parts := strings.Split(slug, "-")
	for i, p := range parts {
		if p != "" {
			parts[i] = strings.ToUpper(p[:1]) + p[1:]
		}
	}
	return strings.Join(parts, "")
}
