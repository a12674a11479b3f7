package rules

import (
	"fmt"
	"strings"

	"github.com/ngxlint/ngxlint/nginx/config"
	"github.com/ngxlint/ngxlint/nginx/model"
	"github.com/ngxlint/ngxlint/rules/rule"
)

// NGX302 catches proxy_pass_header lines that do nothing: they only
// un-hide response fields nginx hides, and most fields are not hidden.
var NGX302 = rule.Register(&rule.Rule{
	ID:       "NGX302",
	Slug:     "proxy-pass-header-noop",
	Severity: rule.Info,
	Summary:  "proxy_pass_header names a field nginx does not hide (hidden by default: Date, Server, X-Pad, X-Accel-*): it does nothing",
	Doc: rule.Doc{
		Problem: "`proxy_pass_header Authorization;` (or grpc_, uwsgi_, fastcgi_pass_header) names a field that is " +
			"neither hidden by default (proxy: Date, Server, X-Pad, X-Accel-*; grpc: Date, Server, X-Accel-*; uwsgi: " +
			"X-Accel-*; fastcgi: Status, X-Accel-*) nor listed in an effective `proxy_hide_header`.",
		Why: "`proxy_pass_header` lets a *response* field through that nginx would otherwise hide from the client. " +
			"It has nothing to do with request headers: those go upstream anyway (`proxy_pass_request_headers on`). " +
			"The blog's `proxy_pass_header Authorization;` is such a line. Harmless, but it suggests a fix that is " +
			"not there, and as a list directive it still drops any outer `proxy_pass_header` (NGX301). The fix " +
			"deletes it when that changes nothing: when it is not the level's only `proxy_pass_header` or no outer " +
			"level has any. Info.",
		Bad: `proxy_pass https://d1234567890.cloudfront.net;
proxy_set_header Host $host;
proxy_pass_header Authorization;  # want NGX302`,
		Good: `proxy_pass https://d1234567890.cloudfront.net;
proxy_set_header Host $host;
proxy_pass_header Server;`,
		Context:  "location",
		Versions: "All versions.",
	},
	Run: runNGX302,
})

// hiddenByDefault lists the response fields each module hides.
var hiddenByDefault = map[string][]string{
	"proxy_":   {"Date", "Server", "X-Pad", "X-Accel-Expires", "X-Accel-Redirect", "X-Accel-Limit-Rate", "X-Accel-Buffering", "X-Accel-Charset"},
	"grpc_":    {"Date", "Server", "X-Accel-Expires", "X-Accel-Redirect", "X-Accel-Limit-Rate", "X-Accel-Buffering", "X-Accel-Charset"},
	"uwsgi_":   {"X-Accel-Expires", "X-Accel-Redirect", "X-Accel-Limit-Rate", "X-Accel-Buffering", "X-Accel-Charset"},
	"fastcgi_": {"Status", "X-Accel-Expires", "X-Accel-Redirect", "X-Accel-Limit-Rate", "X-Accel-Buffering", "X-Accel-Charset"},
}

func runNGX302(pass *rule.Pass) {
	for _, s := range pass.Model.Scopes {
		for _, d := range s.Dirs {
			pre, ok := strings.CutSuffix(d.Name, "pass_header")
			hidden, known := hiddenByDefault[pre]
			if !ok || !known {
				continue
			}
			own := s.Own(d.Name)
			field := d.Arg(0)
			if containsFold(hidden, field) || hiddenHere(s, pre, field) {
				continue
			}
			msg := fmt.Sprintf("%spass_header %s does nothing: it only lets through response fields nginx hides (%s), and %s is not one of them%s; remove it",
				pre, field, hiddenSummary(pre), field, requestNote(field))
			// removing it changes nothing while an entry that works stays
			// at this level, or when no outer level has a list to inherit
			kept := 0
			for _, o := range own {
				if containsFold(hidden, o.Arg(0)) || hiddenHere(s, pre, o.Arg(0)) {
					kept++
				}
			}
			var fix *rule.Fix
			outer, _ := scopeParentList(s, pre+"pass_header")
			if kept > 0 || len(outer) == 0 {
				fix = &rule.Fix{Description: fmt.Sprintf("remove the no-op %spass_header %s", pre, field), Edits: []rule.Edit{removal(d)}}
			} else {
				msg += fmt.Sprintf(" (no automatic fix: it is this level's only %spass_header, so removing it would bring back the outer list at %s, see NGX301)", pre, at(outer[0]))
			}
			pass.Report(d, msg, fix)
		}
	}
}

// hiddenHere reports whether an effective *_hide_header at s hides field.
func hiddenHere(s *model.Scope, pre, field string) bool {
	list, _ := s.EffectiveList(pre + "hide_header")
	for _, d := range list {
		if strings.EqualFold(d.Arg(0), field) {
			return true
		}
	}
	return false
}

func scopeParentList(s *model.Scope, name string) ([]*config.Directive, *model.Scope) {
	if s.Parent == nil {
		return nil, nil
	}
	return s.Parent.EffectiveList(name)
}

func hiddenSummary(pre string) string {
	switch pre {
	case "proxy_":
		return "Date, Server, X-Pad, X-Accel-*, and proxy_hide_header fields"
	case "grpc_":
		return "Date, Server, X-Accel-*, and grpc_hide_header fields"
	case "uwsgi_":
		return "X-Accel-*, and uwsgi_hide_header fields"
	}
	return "Status, X-Accel-*, and fastcgi_hide_header fields"
}

// requestNote explains request-only fields.
func requestNote(field string) string {
	switch strings.ToLower(field) {
	case "authorization", "cookie", "host", "user-agent", "referer", "x-forwarded-for", "x-real-ip", "accept", "accept-encoding", "proxy-authorization":
		return fmt.Sprintf(" (%s is a request header, which nginx forwards upstream anyway)", field)
	}
	return ""
}
