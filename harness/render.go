package harness

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// Formats lists what verify --format accepts. Like lint's (lint/report)
// and explain's renderers, text is for people and json is the public
// contract; each output kind has one rendering home.
var Formats = []string{"text", "json"}

// Write renders the report in the named format.
func (r *Report) Write(w io.Writer, format string) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	case "text", "":
		return r.text(w)
	}
	return fmt.Errorf("unknown format %q (want %s)", format, strings.Join(Formats, ", "))
}

// text is a table of verdicts, then each upstream's reason, names,
// locations and classified log lines.
func (r *Report) text(out io.Writer) error {
	w := &errWriter{w: out}
	if r.NothingToVerify {
		for _, n := range r.Notes {
			fmt.Fprintln(w, n)
		}
		return w.err
	}
	fmt.Fprintf(w, "nginx %s (%s)", r.NginxVersion, r.NginxImage)
	if r.ConfigNginxVersion != "" && r.ConfigNginxVersion != r.NginxVersion {
		fmt.Fprintf(w, "; the configuration is for nginx %s", r.ConfigNginxVersion)
	}
	fmt.Fprintln(w)
	if r.NginxError != "" {
		fmt.Fprintf(w, "nginx did not start: %s\n", r.NginxError)
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "UPSTREAM\tSERVED NAMES\tBEFORE\tAFTER\tVERDICT")
	for _, u := range r.Upstreams {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", u.Target, strings.Join(u.ServedNames, ","), outcomeText(u.Before), outcomeText(u.After), u.Verdict)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, u := range r.Upstreams {
		fmt.Fprintf(w, "\n%s: %s", u.Target, u.Verdict)
		if u.Reason != "" {
			fmt.Fprintf(w, " — %s", u.Reason)
		}
		fmt.Fprintln(w)
		if u.Member != "" {
			fmt.Fprintf(w, "  %s\n", u.Member)
		}
		fmt.Fprintf(w, "  served names: %s\n", u.NamesFrom)
		for _, l := range u.Locations {
			fmt.Fprintf(w, "  location: %s:%d\n", l.File, l.Line)
		}
		for _, pair := range []struct {
			name string
			o    *Outcome
		}{{"before", u.Before}, {"after", u.After}} {
			if pair.o == nil {
				continue
			}
			for _, l := range pair.o.Log {
				fmt.Fprintf(w, "  %s log: [%s] %s %v\n", pair.name, l.Level, l.Class, l.Rules)
			}
		}
	}
	for _, st := range r.Stubs {
		fmt.Fprintf(w, "stub: %s (%s)\n", st.Name, st.From)
	}
	for _, g := range r.Guards {
		fmt.Fprintf(w, "guard opened in the staged copy: %s\n", g)
	}
	for _, n := range r.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
	return w.err
}

func outcomeText(o *Outcome) string {
	if o == nil {
		return "-"
	}
	if o.Status == 0 && o.Error != "" {
		return "error"
	}
	sni := o.SNI
	if sni == "" {
		sni = "no SNI"
	} else {
		sni = "SNI " + sni
	}
	return fmt.Sprintf("%d (%s)", o.Status, sni)
}

// errWriter keeps the first write error, so a renderer checks once.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}
