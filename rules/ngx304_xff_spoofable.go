package rules

import (
	"fmt"
	"strings"

	"github.com/ngxlint/ngxlint/rules/rule"
)

// NGX304 catches client addresses forwarded from what the client sent
// instead of what nginx saw.
var NGX304 = rule.Register(&rule.Rule{
	ID:       "NGX304",
	Slug:     "xff-spoofable",
	Severity: rule.Warning,
	Summary:  "X-Forwarded-For (or X-Real-IP) set from $http_x_forwarded_for instead of $proxy_add_x_forwarded_for ($remote_addr)",
	Doc: rule.Doc{
		Problem: "`proxy_set_header X-Forwarded-For $http_x_forwarded_for;`, or `X-Real-IP` set from " +
			"`$http_x_forwarded_for` or `$http_x_real_ip` (proxy_set_header or grpc_set_header), with no realip " +
			"module set-up (`set_real_ip_from`) in effect.",
		Why: "Those variables are the request's own headers: the client writes them. The upstream then sees a chain " +
			"without the address nginx actually saw, or an X-Real-IP the client made up, and its IP allow-lists, " +
			"rate limits and audit logs trust it. `$proxy_add_x_forwarded_for` appends the real peer address " +
			"(`$remote_addr`) to what came in; `X-Real-IP $remote_addr` is the peer itself. Behind a trusted load " +
			"balancer, configure the realip module (`set_real_ip_from`, `real_ip_header`) so `$remote_addr` is the " +
			"client; with it in effect this rule stays quiet. The fix swaps the value.",
		Bad: `proxy_pass http://app.example.net:8080;
proxy_set_header X-Forwarded-For $http_x_forwarded_for;  # want NGX304`,
		Good: `proxy_pass http://app.example.net:8080;
proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;`,
		Context:  "location",
		Versions: "All versions.",
	},
	Run: runNGX304,
})

func runNGX304(pass *rule.Pass) {
	for _, s := range pass.Model.Scopes {
		for _, d := range s.Dirs {
			name := d.Name
			if name != "proxy_set_header" && name != "grpc_set_header" {
				continue
			}
			if len(d.Args) < 2 {
				continue
			}
			field, v := d.Arg(0), strings.ToLower(d.Arg(1))
			if strings.HasPrefix(v, "${") && strings.HasSuffix(v, "}") {
				v = "$" + v[2:len(v)-1]
			}
			var want string
			switch {
			case strings.EqualFold(field, "X-Forwarded-For") && v == "$http_x_forwarded_for":
				want = "$proxy_add_x_forwarded_for"
			case strings.EqualFold(field, "X-Real-IP") && (v == "$http_x_forwarded_for" || v == "$http_x_real_ip"):
				want = "$remote_addr"
			default:
				continue
			}
			if s.Effective("set_real_ip_from") != nil {
				continue // behind a trusted proxy: $remote_addr is the client
			}
			msg := fmt.Sprintf("%s %s %s forwards what the client wrote, not the address nginx saw: the upstream trusts a client-made address; use %s (or the realip module behind a trusted proxy)",
				name, field, d.Arg(1), want)
			fix := &rule.Fix{Description: fmt.Sprintf("forward %s", want), Edits: []rule.Edit{{File: d.File, Start: d.Args[1].Start, End: d.Args[1].End, NewText: want}}}
			pass.Report(d, msg, fix)
		}
	}
}
