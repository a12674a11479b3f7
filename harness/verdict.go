package harness

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/ngxlint/ngxlint/harness/edge"
	"github.com/ngxlint/ngxlint/nginx/errlog"
	"github.com/ngxlint/ngxlint/rules/rule"
)

// classify turns error.log text into classified lines (warn and above).
func classify(text string) []LogLine {
	out := []LogLine{}
	for _, line := range strings.Split(text, "\n") {
		e, ok := errlog.Parse([]byte(line))
		if !ok || e.Level < errlog.LevelWarn {
			continue
		}
		ll := LogLine{Level: e.Level.String(), Text: strings.TrimSpace(line), Rules: []string{}}
		if c, ok := errlog.Classify(e); ok {
			ll.Class = c.Slug
			for _, r := range rule.ForLogClass(c.Slug) {
				ll.Rules = append(ll.Rules, r.ID)
			}
		} else {
			ll.Class = errlog.SlugUnclassified
		}
		out = append(out, ll)
	}
	return out
}

// fillEdge copies what the edge saw into the outcome.
func fillEdge(o *Outcome, es []edge.LogEntry) {
	o.EdgeOutcome = "none"
	for _, e := range es {
		switch e.Kind {
		case "conn":
			if o.EdgeOutcome == "none" || o.EdgeOutcome == "accepted" {
				o.EdgeOutcome = e.Outcome
				if e.ClientHello != nil {
					o.SNI = e.ClientHello.SNI
				}
				if e.TLSVersion != "" {
					o.TLSVersion = e.TLSVersion
				}
			}
		case "request":
			if r := e.Request; r != nil {
				o.Host = r.Host
				o.SNI = r.SNI
				o.TLSVersion = r.TLSVersion
				o.Headers = map[string]string{}
				for k, v := range r.Headers {
					o.Headers[k] = v
				}
				if r.XForwardedFor != "" {
					o.Headers["X-Forwarded-For"] = r.XForwardedFor
				}
				if r.XRealIP != "" {
					o.Headers["X-Real-Ip"] = r.XRealIP
				}
				if r.XForwardedProto != "" {
					o.Headers["X-Forwarded-Proto"] = r.XForwardedProto
				}
				o.EdgeOutcome = "accepted"
			}
		}
	}
}

// judge decides whether a request got through to the upstream, or, facing
// an impostor edge, whether nginx refused it.
func judge(o *Outcome) (bool, string) {
	if o.impostor {
		for _, l := range o.Log {
			if l.Class == "ssl-verify-error" || l.Class == "ssl-name-mismatch" {
				return true, ""
			}
		}
		if o.EdgeOutcome == "accepted" && o.Host != "" {
			return false, "nginx accepted an impostor's self-signed certificate: the upstream is never authenticated (NGX105)"
		}
	}
	for _, l := range o.Log {
		if l.Level == "error" || l.Level == "crit" || l.Level == "alert" || l.Level == "emerg" {
			return false, fmt.Sprintf("%s [%s]: %s", l.Class, l.Level, shortLog(l.Text))
		}
	}
	if o.Error != "" {
		return false, o.Error
	}
	switch {
	case o.EdgeOutcome == "accepted" && o.Host == "" && o.Status >= 400:
		return false, fmt.Sprintf("the upstream answered %d before the request reached the site: nginx sent a malformed request (a duplicated header such as Host, for instance)", o.Status)
	case o.EdgeOutcome == "rejected":
		return false, "the edge refused the handshake (SNI " + quoteOr(o.SNI, "none") + ")"
	case o.Host == "" && o.Status >= 500:
		return false, fmt.Sprintf("status %d, the request never reached the edge", o.Status)
	case o.Status == http.StatusForbidden || o.Status == http.StatusMisdirectedRequest:
		if o.Host != "" {
			return false, fmt.Sprintf("the edge answered %d: Host %q is not a name it serves", o.Status, o.Host)
		}
	case o.Status >= 500 || o.Status == 0:
		return false, fmt.Sprintf("status %d", o.Status)
	}
	return true, ""
}

func shortLog(s string) string {
	if i := strings.Index(s, "*"); i >= 0 && i < 60 {
		if j := strings.IndexByte(s[i:], ' '); j > 0 {
			s = s[i+j+1:]
		}
	}
	if i := strings.Index(s, ", client:"); i > 0 {
		s = s[:i]
	}
	return s
}

func quoteOr(s, alt string) string {
	if s == "" {
		return alt
	}
	return strconv.Quote(s)
}

// decide sets the upstream's verdict from its probes.
func decide(t *UpstreamReport, fixAsked bool) {
	if t.Verdict == VerdictSkipped {
		return
	}
	pick := func(get func(*Probe) *Outcome) *Outcome {
		var first *Outcome
		for _, pr := range t.Probes {
			o := get(pr)
			if o == nil {
				continue
			}
			if first == nil {
				first = o
			}
			if !o.ok {
				return o
			}
		}
		return first
	}
	if t.Before == nil {
		t.Before = pick(func(p *Probe) *Outcome { return p.Before })
	}
	if fixAsked && t.After == nil {
		t.After = pick(func(p *Probe) *Outcome { return p.After })
	}
	okOf := func(o *Outcome) (bool, string) {
		if o == nil {
			return false, "not run"
		}
		if o.why == "" && !o.ok {
			return judge(o)
		}
		return o.ok, o.why
	}
	bok, bwhy := okOf(t.Before)
	switch {
	case bok:
		t.Verdict = VerdictOK
	case !fixAsked:
		t.Verdict = VerdictReproduced
		t.Reason = bwhy
	default:
		aok, awhy := okOf(t.After)
		if aok {
			t.Verdict = VerdictFixed
			t.Reason = bwhy
		} else {
			t.Verdict = VerdictFailing
			t.Reason = awhy
		}
	}
}
