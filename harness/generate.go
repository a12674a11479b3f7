package harness

import (
	"fmt"
	"strings"

	ngx "github.com/tufanbarisyildirim/gonginx/config"
	"github.com/tufanbarisyildirim/gonginx/dumper"
)

// The configuration text the harness adds (its log format and readiness
// server, and the main file wrapped around a snippet) is built with
// gonginx's config model and written by its dumper: generating is what
// that library does well. The user's own files are never re-dumped; they
// get byte-range edits only, so their lines and comments stay as written.

func dir(name string, args ...string) *ngx.Directive {
	d := &ngx.Directive{Name: name}
	for _, a := range args {
		d.Parameters = append(d.Parameters, ngx.Parameter{Value: a})
	}
	return d
}

func blockDir(name string, args []string, children ...ngx.IDirective) *ngx.Directive {
	d := dir(name, args...)
	d.Block = &ngx.Block{Directives: children}
	return d
}

// style never sorts: order matters in nginx (location regexes, includes).
var style = &dumper.Style{Indent: 4, DisableLuaFormatting: true}

// harnessHTTPDirectives are the statements the harness adds inside http:
// a log format and access log to see when a request is fully logged, and
// a server on its own port answering the config generation, to know when
// a reload has taken effect.
func harnessHTTPDirectives(gen string) []ngx.IDirective {
	return []ngx.IDirective{
		dir("log_format", "ngxlint_probe", `'$http_x_ngxlint_probe $status'`),
		dir("access_log", harnessAccessLog, "ngxlint_probe"),
		blockDir("server", nil,
			dir("listen", fmt.Sprint(HarnessPort)),
			blockDir("location", []string{"=", readyPath},
				dir("return", "200", `"`+gen+`"`),
			),
		),
	}
}

// harnessHTTPInline renders the harness statements on one line, so they
// can follow `http {` without moving the user's line numbers.
func harnessHTTPInline(gen string) string {
	var parts []string
	for _, d := range harnessHTTPDirectives(gen) {
		parts = append(parts, oneLine(dumper.DumpDirective(d, style)))
	}
	return " " + strings.Join(parts, " ")
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// errorLogDirective is the main-level error_log the harness reads.
func errorLogDirective() string {
	return dumper.DumpDirective(dir("error_log", harnessErrorLog, "info"), style)
}

// wrapperConfig builds a main nginx.conf around a snippet declared as
// http, server or location context.
func wrapperConfig(context, snippet string, needListen bool, gen string) string {
	inc := dir("include", snippet)
	var body ngx.IDirective
	switch context {
	case "http":
		body = inc
	case "server":
		var kids []ngx.IDirective
		if needListen {
			kids = append(kids, dir("listen", "80"))
		}
		body = blockDir("server", nil, append(kids, inc)...)
	case "location":
		body = blockDir("server", nil,
			dir("listen", "80", "default_server"),
			blockDir("location", []string{"/"}, inc),
		)
	}
	http := blockDir("http", nil, append(harnessHTTPDirectives(gen), body)...)
	conf := &ngx.Config{Block: &ngx.Block{Directives: []ngx.IDirective{
		blockDir("events", nil),
		http,
		dir("error_log", harnessErrorLog, "info"),
	}}}
	return dumper.DumpConfig(conf, style) + "\n"
}
