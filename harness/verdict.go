package harness

import (
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

// state is what a target's probes of one run showed.
type state int

const (
	notExercised state = iota
	passed
	failed
)

// summarize folds a target's probes of one run (before or after the fix):
// failed when one failed, passed when every one that reached it passed,
// notExercised when none reached it; with the outcome to show and why.
func summarize(t *target, after bool) (state, *Outcome, string) {
	var st state
	var out *Outcome
	var why, unreached string
	for _, pr := range t.probes {
		j := pr.before
		if after {
			j = pr.after
		}
		if pr.unreachable != "" {
			if unreached == "" {
				unreached = pr.unreachable
			}
			continue
		}
		if j == nil {
			continue
		}
		switch {
		case j.reached && !j.ok:
			if st != failed {
				st, out, why = failed, j.out, j.why
			}
		case j.reached && j.ok:
			if st == notExercised {
				st, out, why = passed, j.out, ""
			}
		default:
			if out == nil {
				out = j.out
			}
			if unreached == "" {
				unreached = j.why
			}
		}
	}
	if st == notExercised {
		why = unreached
		if why == "" {
			why = "no request reached it"
		}
	}
	return st, out, why
}

// decide sets a target's verdict. ok and fixed need a run whose requests
// reached the target's edge and completed; a target no request reached is
// unverifiable, with the reason.
func decide(t *target, fixAsked bool) {
	r := t.rep
	b, bout, bwhy := summarize(t, false)
	r.Before = bout
	if !fixAsked {
		switch b {
		case passed:
			r.Verdict = VerdictOK
		case failed:
			r.Verdict, r.Reason = VerdictReproduced, bwhy
		default:
			r.Verdict, r.Reason = VerdictUnverifiable, bwhy
		}
		return
	}
	switch b {
	case passed:
		r.VerdictWithoutFix = VerdictOK
	case failed:
		r.VerdictWithoutFix = VerdictReproduced
	default:
		r.VerdictWithoutFix = VerdictUnverifiable
	}
	a, aout, awhy := summarize(t, true)
	r.After = aout
	switch {
	case b == failed && a == passed:
		r.Verdict, r.Reason = VerdictFixed, bwhy
	case b == failed && a == failed:
		r.Verdict, r.Reason = VerdictFailing, awhy
	case b == failed:
		r.Verdict, r.Reason = VerdictUnverifiable, "reproduced ("+bwhy+"), but after the fix no request reached it: "+awhy
	case b == passed && a == failed:
		r.Verdict, r.Reason = VerdictFailing, "the fix broke it: "+awhy
	case b == passed:
		r.Verdict = VerdictOK
	case a == passed:
		r.Verdict, r.Reason = VerdictOK, "reached only after the fix ("+bwhy+" before)"
	case a == failed:
		r.Verdict, r.Reason = VerdictFailing, awhy
	default:
		r.Verdict, r.Reason = VerdictUnverifiable, bwhy
	}
}
