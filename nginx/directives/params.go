package directives

import (
	"bufio"
	"fmt"
	"strings"
	"sync"
)

// Param is one parameter word a directive's own handler accepts: the
// listen and upstream server parameters nginx checks after the argument
// count (data/params.tsv). Name ends in "=" for parameters that take a
// value ("weight=").
type Param struct {
	Directive, Module, Name string
	Since, Until            Version
	// Build is the #if around the parameter in nginx's source, "" if none:
	// NGX_HAVE_SETFIB (FreeBSD only), NGX_HAVE_TCP_FASTOPEN (Linux has it),
	// NGX_HTTP_UPSTREAM_ZONE (the zone module) …
	Build  string
	Source string
}

var (
	paramsOnce sync.Once
	params     []Param
)

// Params returns every parameter row the tables know, for every version.
func Params() []Param {
	paramsOnce.Do(func() {
		f, err := dataFS.Open("data/params.tsv")
		if err != nil {
			panic(err)
		}
		defer func() { _ = f.Close() }() // embedded, read-only
		sc := bufio.NewScanner(f)
		for line := 1; sc.Scan(); line++ {
			t := sc.Text()
			if t == "" || t[0] == '#' {
				continue
			}
			x := strings.Split(t, "\t")
			if len(x) != 7 {
				panic(fmt.Sprintf("data/params.tsv:%d: %d fields, want 7", line, len(x)))
			}
			p := Param{Directive: x[0], Module: x[1], Name: x[2], Source: x[6]}
			for i, dst := range []*Version{&p.Since, &p.Until} {
				if x[3+i] != "-" {
					if *dst, err = ParseVersion(x[3+i]); err != nil {
						panic(fmt.Sprintf("data/params.tsv:%d: %v", line, err))
					}
				}
			}
			if x[5] != "-" {
				p.Build = x[5]
			}
			params = append(params, p)
		}
	})
	return params
}

// buildHolds says whether a parameter's #if holds for the set's build on
// Linux, the platform configurations are linted for.
func (s *Set) buildHolds(cond string) bool {
	switch cond {
	case "":
		return true
	case "NGX_HAVE_SETFIB":
		return false
	case "NGX_HAVE_TCP_FASTOPEN":
		return true
	case "NGX_HTTP_UPSTREAM_ZONE":
		return s.build.Modules["ngx_http_upstream_zone_module"]
	case "NGX_STREAM_UPSTREAM_ZONE":
		return s.build.Modules["ngx_stream_upstream_zone_module"]
	case "NGX_HTTP_UPSTREAM_STICKY", "NGX_HTTP_UPSTREAM_SID":
		return s.build.Modules["ngx_http_upstream_sticky_module"]
	}
	return true // unknown condition: do not report what may be there
}

// CheckParam judges one parameter word of a listen or upstream server
// directive (module tells http, stream and mail apart). It returns nil for a
// word the build accepts, for the address argument, and for directives
// without a parameter table; otherwise nginx's `invalid parameter "X"` with
// a Hint when another version has it ("resolve" on an upstream server
// before 1.27.3).
func (s *Set) CheckParam(directive, module, word string) *Problem {
	var rows []Param
	for _, p := range Params() {
		if p.Directive == directive && p.Module == module {
			rows = append(rows, p)
		}
	}
	if len(rows) == 0 {
		return nil
	}
	var matched []Param
	for _, p := range rows {
		if word == p.Name || strings.HasSuffix(p.Name, "=") && strings.HasPrefix(word, p.Name) {
			matched = append(matched, p)
		}
	}
	if len(matched) == 0 {
		return nil // not a parameter word: an address, or a value nginx checks itself
	}
	var hint string
	for _, p := range matched {
		if !s.build.Version.In(p.Since, p.Until) {
			if !p.Since.IsZero() && s.build.Version.Less(p.Since) {
				hint = fmt.Sprintf("%q appeared in nginx %s (this is %s)", p.Name, p.Since, s.build.Version)
			} else {
				hint = fmt.Sprintf("%q was removed in nginx %s (this is %s)", p.Name, p.Until, s.build.Version)
			}
			continue
		}
		if !s.buildHolds(p.Build) {
			hint = fmt.Sprintf("%q needs %s in the nginx build", p.Name, p.Build)
			continue
		}
		return nil
	}
	msg := fmt.Sprintf("invalid parameter %q", word)
	if directive == "listen" && (module == "ngx_stream_core_module" || module == "ngx_mail_core_module") &&
		!s.build.Version.IsZero() && s.build.Version.Less(V(1, 25, 5)) {
		// the stream and mail listen handlers' wording before 1.25.5
		msg = fmt.Sprintf("the invalid %q parameter", word)
	}
	return &Problem{Code: InvalidValue, Message: msg, Arg: -1, Hint: hint}
}
