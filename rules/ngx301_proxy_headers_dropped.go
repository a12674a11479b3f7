package rules

import (
	"fmt"
	"slices"
	"strings"

	"github.com/ngxlint/ngxlint/nginx"
	"github.com/ngxlint/ngxlint/nginx/config"
	"github.com/ngxlint/ngxlint/nginx/errlog"
	"github.com/ngxlint/ngxlint/nginx/model"
	"github.com/ngxlint/ngxlint/rules/rule"
)

// NGX301 catches nginx's "if and only if" inheritance of list directives:
// one proxy_set_header (or add_header, uwsgi_param, …) at an inner level
// silently drops every one set further out.
var NGX301 = rule.Register(&rule.Rule{
	ID:         "NGX301",
	Slug:       "proxy-headers-dropped",
	Severity:   rule.Warning,
	Summary:    "An inner proxy_set_header (grpc_set_header, *_hide_header, *_pass_header, uwsgi_param, fastcgi_param, add_header) drops the outer level's list",
	LogClasses: []string{errlog.SlugPrematureClose},
	Doc: rule.Doc{
		Problem: "A location (or `if`, nested location, server) sets its own `proxy_set_header`, while an enclosing level " +
			"sets others. nginx inherits these lists \"if and only if there are no directives defined on the current " +
			"level\", so the inner one replaces the whole outer list. The same holds, each list on its own, for " +
			"`grpc_set_header`, `proxy_hide_header`, `proxy_pass_header` (and their grpc and uwsgi forms), " +
			"`uwsgi_param`, `fastcgi_param`, `add_header` and `add_trailer`.",
		Why: "Nothing is logged and `nginx -t` is happy. The dropped `Host` falls back to `$proxy_host`, the proxy_pass " +
			"host, so a CDN routing on Host answers 403 or serves another site; dropped `X-Forwarded-For`/`-Proto` " +
			"break client IPs, redirects and rate limits; a dropped `add_header` loses security headers " +
			"(Strict-Transport-Security, Content-Security-Policy) on exactly the locations that add one header; a " +
			"dropped `uwsgi_param`/`fastcgi_param` list loses REQUEST_METHOD and friends. The message names the " +
			"entries lost, Host and X-Forwarded-* first. The fix repeats them at the inner level. " +
			"`add_header_inherit merge` or `off` (1.29.3+) in effect at the inner level is honoured as deliberate; the " +
			"fix does not use `merge`, which older nginx rejects and which would send a redefined header twice.",
		Bad: `server {
    listen 80;
    server_name example.com;
    proxy_set_header Host example.com;
    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    location / {
        proxy_set_header X-Trace 1;  # want NGX301
        proxy_pass https://d1234567890.cloudfront.net;
    }
}`,
		Good: `server {
    listen 80;
    server_name example.com;
    proxy_set_header Host example.com;
    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    location / {
        proxy_set_header Host example.com;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Trace 1;
        proxy_pass https://d1234567890.cloudfront.net;
    }
}`,
		Context: "http",
		Versions: "All versions. `add_header_inherit` and `add_trailer_inherit` exist from 1.29.3: with --nginx-version " +
			"1.29.3 or later their `merge` (and `off`) are honoured and the message mentions `merge`; earlier " +
			"versions reject the directives, and ngxlint ignores them.",
	},
	Run: runNGX301,
})

// listFamily is an array directive nginx inherits as a whole.
type listFamily struct {
	name string
	// users are the handler directives whose requests use the list; nil
	// for lists that apply to every response (add_header).
	users []string
	// module is the model.Proxy module of those handlers ("" for none).
	module string
	// inherit is the 1.29.3 directive that changes the inheritance.
	inherit string
	// caseSensitive keys: CGI parameter names.
	caseSensitive bool
}

var listFamilies = []listFamily{
	{name: "proxy_set_header", users: []string{"proxy_pass"}, module: "proxy"},
	{name: "proxy_hide_header", users: []string{"proxy_pass"}, module: "proxy"},
	{name: "proxy_pass_header", users: []string{"proxy_pass"}, module: "proxy"},
	{name: "grpc_set_header", users: []string{"grpc_pass"}, module: "grpc"},
	{name: "grpc_hide_header", users: []string{"grpc_pass"}, module: "grpc"},
	{name: "grpc_pass_header", users: []string{"grpc_pass"}, module: "grpc"},
	{name: "uwsgi_param", users: []string{"uwsgi_pass"}, module: "uwsgi", caseSensitive: true},
	{name: "uwsgi_hide_header", users: []string{"uwsgi_pass"}, module: "uwsgi"},
	{name: "uwsgi_pass_header", users: []string{"uwsgi_pass"}, module: "uwsgi"},
	{name: "fastcgi_param", users: []string{"fastcgi_pass"}, caseSensitive: true},
	{name: "add_header", inherit: "add_header_inherit"},
	{name: "add_trailer", inherit: "add_trailer_inherit"},
}

var familyByName = func() map[string]listFamily {
	m := map[string]listFamily{}
	for _, f := range listFamilies {
		m[f.name] = f
	}
	return m
}()

// inheritVersion is the first nginx with add_header_inherit.
var inheritVersion = nginx.Version{Major: 1, Minor: 29, Patch: 3}

func runNGX301(pass *rule.Pass) {
	m := pass.Model
	for _, s := range m.Scopes {
		if s.Parent == nil || s.Kind == model.KindHTTP || s.Kind == model.KindStream || s.Kind == model.KindUpstream {
			continue
		}
		var seen []string // the families looked at in this scope, a handful
		for _, d := range s.Dirs {
			fam, ok := familyByName[d.Name]
			if !ok || slices.Contains(seen, d.Name) {
				continue
			}
			seen = append(seen, d.Name)
			own := s.Own(fam.name)
			outer, from := s.Parent.EffectiveList(fam.name)
			if len(outer) == 0 {
				continue
			}
			if fam.inherit != "" && pass.Version.AtLeast(inheritVersion) {
				if d := s.Effective(fam.inherit); d != nil && !strings.EqualFold(d.Arg(0), "on") {
					continue // merge: appended; off: dropped on purpose
				}
			}
			if !listUsed(m, s, fam) {
				continue
			}
			// lists hold a handful of entries: compared pairwise
			same := func(a, b string) bool {
				if fam.caseSensitive {
					return a == b
				}
				return strings.EqualFold(a, b)
			}
			var lost []*config.Directive
			for _, d := range outer {
				if !slices.ContainsFunc(own, func(o *config.Directive) bool { return same(o.Arg(0), d.Arg(0)) }) {
					lost = append(lost, d)
				}
			}
			if len(lost) == 0 {
				continue
			}
			reportDropped(pass, s, fam, own, outer, from, lost)
		}
	}
}

// listUsed reports whether the list s defines is the one some request
// handler uses: a proxy of the family's module (or a handler directive)
// in s or below whose effective list comes from s. add_header applies to
// every response.
func listUsed(m *model.Model, s *model.Scope, fam listFamily) bool {
	if fam.users == nil {
		return true
	}
	if fam.module != "" {
		return listSources(m, fam)[s]
	}
	var walk func(x *model.Scope) bool
	walk = func(x *model.Scope) bool {
		for _, u := range fam.users {
			if len(x.Own(u)) > 0 {
				if _, from := x.EffectiveList(fam.name); from == s {
					return true
				}
			}
		}
		for _, c := range x.Children {
			if walk(c) {
				return true
			}
		}
		return false
	}
	return walk(s)
}

// listSources are the scopes whose fam list is the effective one of some
// proxy of the family's module, computed once per model and family.
func listSources(m *model.Model, fam listFamily) map[*model.Scope]bool {
	return model.Cached(m, listSourcesKey(fam.name), func(m *model.Model) map[*model.Scope]bool {
		out := map[*model.Scope]bool{}
		for _, p := range m.Proxies {
			if p.Module != fam.module {
				continue
			}
			if _, from := p.Scope.EffectiveList(fam.name); from != nil {
				out[from] = true
			}
		}
		return out
	})
}

type listSourcesKey string

func reportDropped(pass *rule.Pass, s *model.Scope, fam listFamily, own, outer []*config.Directive, from *model.Scope, lost []*config.Directive) {
	names := make([]string, 0, len(lost))
	for _, d := range lost {
		n := d.Arg(0)
		if !slices.ContainsFunc(names, func(m string) bool { return strings.EqualFold(m, n) }) {
			names = append(names, n)
		}
	}
	slices.SortStableFunc(names, func(a, b string) int { return headerRank(a) - headerRank(b) })
	for i, n := range names {
		if strings.EqualFold(n, "Host") && (fam.name == "proxy_set_header" || fam.name == "grpc_set_header") {
			names[i] = n + " (now the proxy_pass host, $proxy_host)"
		}
	}
	level := string(from.Kind)
	if from.Kind == model.KindMain {
		level = "top"
	}
	msg := fmt.Sprintf("%s here drops the %d %s entr%s set at %s (%s level), which nginx inherits only when this level sets none: %s no longer appl%s here; repeat %s here",
		fam.name, len(outer), fam.name, plural(len(outer), "y", "ies"), at(outer[0]), level, strings.Join(names, ", "),
		plural(len(names), "ies", "y"), plural(len(names), "it", "them"))
	first := own[0]
	// a statement from a file included in several places: edit at the
	// include line of this scope instead
	for sharedFile(pass.Model, first.File) && first.File.Via != nil {
		first = first.File.Via
	}
	var fix *rule.Fix
	if sharedFile(pass.Model, first.File) && (s.Node == nil || first.File != s.Node.File) {
		msg += fmt.Sprintf(" (no automatic fix: %s is included more than once)", first.File.Path)
	} else {
		// Repeating the entries works on every version; add_header_inherit
		// merge would break nginx older than 1.29.3 and double any
		// redefined header, so it is only mentioned.
		lines := make([]string, 0, len(lost))
		for _, d := range lost {
			lines = append(lines, statement(d))
		}
		fix = &rule.Fix{Description: fmt.Sprintf("repeat the %d lost %s entr%s here", len(lost), fam.name, plural(len(lost), "y", "ies")),
			Edits: []rule.Edit{insertAt(first, true, lines)}}
		if fam.inherit != "" && pass.Version.AtLeast(inheritVersion) && len(lost) == len(outer) {
			msg += fmt.Sprintf(" (or, on nginx %s, `%s merge;`)", pass.Version, fam.inherit)
		}
	}
	pass.Report(own[0], msg, fix)
}

// headerRank orders lost names: Host, then X-Forwarded-*, X-Real-IP, then
// the rest as they were.
func headerRank(n string) int {
	switch {
	case strings.EqualFold(n, "host"):
		return 0
	case len(n) >= len("x-forwarded-") && strings.EqualFold(n[:len("x-forwarded-")], "x-forwarded-"):
		return 1
	case strings.EqualFold(n, "x-real-ip") || strings.EqualFold(n, "forwarded"):
		return 2
	}
	return 3
}

// statement renders a directive as a line of its own: `name args…;`.
func statement(d *config.Directive) string {
	n := len(d.Name) + 1
	for i := range d.Args {
		n += 1 + int(d.Args[i].End-d.Args[i].Start)
	}
	var b strings.Builder
	b.Grow(n)
	b.WriteString(d.Name)
	for i := range d.Args {
		b.WriteByte(' ')
		b.WriteString(d.RawArg(i))
	}
	b.WriteByte(';')
	return b.String()
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
