package directives

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The differential test: cases generated from the table for the local
// nginx (every directive of the modules it has, in its contexts, with a
// valid and an invalid argument count, invalid values, repeats, and a
// context it is not allowed in) are written as tiny nginx.conf files, run
// through `nginx -t`, and nginx's verdict — accepted, or the first [emerg]
// and its line — is compared with what Scope.Check says of the same
// statements.
//
// The default is a deterministic sample: every directive valid in each of
// its allowed contexts, and once each with a refused argument count, an
// invalid value, a repeat and a context it is not allowed in.
// NGXLINT_DIRECTIVES_FULL=1 adds the refused count in every allowed context
// and every context it is not allowed in (about three times the cases).
// NGXLINT_DIRECTIVES_REPORT=FILE writes the counts and every disagreement as
// Markdown; NGXLINT_DIRECTIVES_ONLY (a regexp on names) and
// NGXLINT_DIRECTIVES_KINDS (valid,arity,value,dup,notallowed) narrow a run.
//
// Cases the model expects nginx to accept run 30 to a configuration and are
// bisected when one fails; the others run one per configuration, in two
// long-lived `unshare -m -n` shells with a private /etc/hosts, so nginx
// never resolves a name over the network.

// knownGaps are the disagreements the model does not close, each with its
// reason; keyed "kind module name" (module "*" for any). The test fails on
// any other disagreement, and on a gap whose cases ran and all agreed.
var knownGaps = map[string]string{
	// Handlers that refuse a second definition of the same name, path or
	// address anywhere in the block's parent, with messages of their own:
	// argument-level checks left to rules that see the whole tree.
	"dup * charset_map":                                   `handler: duplicate "charset_map" between the same charsets`,
	"dup * fastcgi_cache_path":                            `handler: the same cache path used twice`,
	"dup * proxy_cache_path":                              `handler: the same cache path used twice`,
	"dup * scgi_cache_path":                               `handler: the same cache path used twice`,
	"dup * uwsgi_cache_path":                              `handler: the same cache path used twice`,
	"dup * limit_conn_zone":                               `handler: zone already bound to a key`,
	"dup * limit_req_zone":                                `handler: zone already bound to a key`,
	"dup * listen":                                        `handler: duplicate listen address and port`,
	"dup ngx_stream_core_module server":                   `handler: two servers with the same listen address and port`,
	"dup ngx_mail_core_module server":                     `handler: two servers with the same listen address and port`,
	"dup * location":                                      `handler: duplicate location`,
	"dup * log_format":                                    `handler: duplicate log_format name`,
	"dup * lua_shared_dict":                               `handler: lua_shared_dict name already defined`,
	"dup * perl":                                          `handler: duplicate perl handler`,
	"dup * thread_pool":                                   `handler: duplicate thread pool name`,
	"dup * upstream":                                      `handler: duplicate upstream name`,
	"* ngx_stream_js_module js_fetch_ciphers":             debianNjsStreamSSL,
	"* ngx_stream_js_module js_fetch_protocols":           debianNjsStreamSSL,
	"* ngx_stream_js_module js_fetch_trusted_certificate": debianNjsStreamSSL,
	"* ngx_stream_js_module js_fetch_verify":              debianNjsStreamSSL,
	"* ngx_stream_js_module js_fetch_verify_depth":        debianNjsStreamSSL,
}

const debianNjsStreamSSL = "Debian's ngx_stream_js_module.so (njs 0.7.9) was built without NGX_STREAM_SSL: the binary has none of its fetch TLS directives, which njs's source has for builds with stream ssl"

func gapFor(kind, module, name string) (string, bool) {
	for _, k := range []string{kind + " " + module + " " + name, kind + " * " + name, "* " + module + " " + name,
		"* * " + name} {
		if r, ok := knownGaps[k]; ok {
			return r, true
		}
	}
	return "", false
}

// localNginx finds the local nginx, its build and the modules it can
// load, or skips the test.
func localNginx(t *testing.T) (bin string, build *Build, installed map[string]string) {
	bin, err := exec.LookPath("nginx")
	if err != nil {
		if _, e := os.Stat("/usr/sbin/nginx"); e != nil {
			t.Skip("SKIPPED: no nginx binary; run scripts/setup.sh to install Debian's nginx")
		}
		bin = "/usr/sbin/nginx"
	}
	if out, err := exec.Command("unshare", "-m", "-n", "true").CombinedOutput(); err != nil {
		t.Skipf("SKIPPED: `unshare -m -n` is not permitted here (%v: %s); the differential test needs a private network and /etc/hosts", err, out)
	}
	vout, err := exec.Command(bin, "-V").CombinedOutput()
	require.NoError(t, err)
	build, err = ParseNginxV(string(vout))
	require.NoError(t, err)
	modDir := "/usr/lib/nginx/modules"
	if m := regexp.MustCompile(`--modules-path=(\S+)`).FindStringSubmatch(string(vout)); m != nil {
		modDir = m[1]
	}
	sos, _ := filepath.Glob(filepath.Join(modDir, "*.so"))
	installed = map[string]string{} // module -> .so path
	for _, so := range sos {
		mods := ModulesInSO(so)
		if built := build.Dynamic[filepath.Base(so)]; len(built) > 0 {
			mods = built // what this build put in it (stream with or without ssl …)
		}
		for _, m := range mods {
			installed[m] = so
			if mod, _ := LookupModule(m); mod.ThirdParty {
				if v, ok := debianModuleVersion(so); ok {
					build.ModuleVersions[m] = v
				}
			}
		}
	}
	return bin, build, installed
}

func TestNginxDifferential(t *testing.T) {
	bin, build, installed := localNginx(t)
	tmp := t.TempDir()
	env := newCaseEnv(t, tmp)
	cases := generate(t, build, installed, os.Getenv("NGXLINT_DIRECTIVES_FULL") != "")
	require.NotEmpty(t, cases)

	want := make([]verdict, len(cases))
	for i, c := range cases {
		want[i] = c.expect(build, installed)
	}
	start := time.Now()
	jobs := planJobs(cases, want)
	res := runNginx(t, bin, tmp, env, jobs)
	got := make([]verdict, len(cases))
	runs, rounds := len(jobs), 1
	for len(jobs) > 0 {
		var next []*dcase
		for j, jb := range jobs {
			switch {
			case len(jb.cases) == 1:
				got[jb.cases[0]] = res[j]
			case res[j].ok:
				for _, i := range jb.cases {
					got[i] = verdict{ok: true}
				}
			default: // some case in the batch fails: bisect
				half := len(jb.cases) / 2
				for _, part := range [][]int{jb.cases[:half], jb.cases[half:]} {
					next = append(next, batchOf(cases, part, fmt.Sprintf("%s.%d", jb.id, len(next))))
				}
			}
		}
		jobs = next
		if len(jobs) > 0 {
			res = runNginx(t, bin, tmp, env, jobs)
			runs += len(jobs)
			rounds++
		}
	}
	elapsed := time.Since(start)

	type row struct {
		c         *dcase
		want, got verdict
		reason    string
	}
	var bad []row
	counts := map[string][2]int{}
	var stock, all, gaps [2]int
	usedGaps := map[string]bool{}   // gaps that explained a disagreement
	applicable := map[string]bool{} // gaps some case could have hit
	for i, c := range cases {
		if reason, ok := gapFor(c.kind, c.dir.Module, c.dir.Name); ok {
			applicable[reason] = true
		}
		agree := got[i] == want[i]
		n := counts[c.kind]
		n[0]++
		all[0]++
		if !c.thirdPt {
			stock[0]++
		}
		if agree {
			n[1]++
			all[1]++
			if !c.thirdPt {
				stock[1]++
			}
		} else {
			reason, known := gapFor(c.kind, c.dir.Module, c.dir.Name)
			if known {
				gaps[0]++
				usedGaps[reason] = true
			} else {
				reason = "UNEXPLAINED"
			}
			bad = append(bad, row{c, want[i], got[i], reason})
		}
		counts[c.kind] = n
	}
	pct := func(n [2]int) float64 { return 100 * float64(n[1]) / float64(max(n[0], 1)) }
	summary := fmt.Sprintf("nginx %s: %d cases (%d on stock modules), %d nginx -t runs in %d rounds, %s; agreement %d/%d = %.2f%% (stock %d/%d = %.2f%%); %d disagreements, %d of them known gaps",
		build.Version, all[0], stock[0], runs, rounds, elapsed.Round(time.Second), all[1], all[0], pct(all),
		stock[1], stock[0], pct(stock), len(bad), gaps[0])
	t.Log(summary)
	if path := os.Getenv("NGXLINT_DIRECTIVES_REPORT"); path != "" {
		var b strings.Builder
		b.WriteString(summary + "\n\n| case kind | cases | agree |\n|---|---|---|\n")
		kinds := make([]string, 0, len(counts))
		for k := range counts {
			kinds = append(kinds, k)
		}
		sort.Strings(kinds)
		for _, k := range kinds {
			fmt.Fprintf(&b, "| %s | %d | %d |\n", k, counts[k][0], counts[k][1])
		}
		b.WriteString("\n| case | directive | module | context | nginx -t | ngxlint | reason |\n|---|---|---|---|---|---|---|\n")
		for _, d := range bad {
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s |\n", d.c.kind, d.c.dir.Name, d.c.dir.Module, d.c.ctx,
				strings.ReplaceAll(d.got.String(), "|", "\\|"), strings.ReplaceAll(d.want.String(), "|", "\\|"), d.reason)
		}
		require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o644))
	}
	for _, d := range bad {
		if d.reason == "UNEXPLAINED" {
			t.Errorf("%s %s (%s) in %s: nginx -t %s; ngxlint %s\n%s", d.c.kind, d.c.dir.Name, d.c.dir.Module, d.c.ctx,
				d.got, d.want, d.c.render(env))
		}
	}
	if os.Getenv("NGXLINT_DIRECTIVES_ONLY") == "" && os.Getenv("NGXLINT_DIRECTIVES_KINDS") == "" {
		for k, reason := range knownGaps {
			if applicable[reason] && !usedGaps[reason] {
				t.Errorf("known gap %q (%s) no longer occurs: remove it", k, reason)
			}
		}
	}
}

// stmt is one statement of a generated configuration.
type stmt struct {
	name  string
	args  []string
	block bool
	body  []stmt
	raw   string // verbatim setup text, not checked by the model
}

// dcase is one generated configuration.
type dcase struct {
	id      string
	body    []stmt // the statements under test, inside the skeleton
	kind    string // valid, arity, value, dup, notallowed
	dir     *Directive
	ctx     Context
	sos     []string // load_module files, in order
	top     []stmt
	setup   map[Context]string
	thirdPt bool
	cases   []int // a job: the cases this configuration stands for
}

// batchSize bounds how many cases one configuration tests at once.
const batchSize = 30

// special directives shape the skeleton (a stream server's listen and
// return, an upstream's server …): their cases run alone.
var special = map[string]bool{"events": true, "http": true, "stream": true, "mail": true, "listen": true,
	"server": true, "return": true, "proxy_pass": true, "pass": true, "protocol": true, "auth_http": true,
	"content_by_lua": true, "content_by_lua_block": true, "content_by_lua_file": true}

// planJobs turns cases into nginx runs: the cases the model expects nginx
// to accept are batched per context and module set — an accepted batch
// accepts every case in it, a rejected one is retried case by case — and
// every other case runs alone.
func planJobs(cases []*dcase, want []verdict) []*dcase {
	var jobs []*dcase
	groups := map[string][]int{}
	var order []string
	for i, c := range cases {
		if !want[i].ok || special[c.dir.Name] || (c.kind != "valid" && c.kind != "dup") {
			jobs = append(jobs, batchOf(cases, []int{i}, c.id))
			continue
		}
		key := c.ctx.String() + "|" + strings.Join(c.sos, ",")
		if _, ok := groups[key]; !ok {
			order = append(order, key)
		}
		groups[key] = append(groups[key], i)
	}
	for _, key := range order {
		g := groups[key]
		for len(g) > 0 {
			n := min(batchSize, len(g))
			jobs = append(jobs, batchOf(cases, g[:n], "b"+cases[g[0]].id))
			g = g[n:]
		}
	}
	return jobs
}

// batchOf is the configuration that tests the cases idx together; they
// share a context and module set.
func batchOf(cases []*dcase, idx []int, id string) *dcase {
	if len(idx) == 1 {
		j := *cases[idx[0]]
		j.id, j.cases = id, idx
		return &j
	}
	first := cases[idx[0]]
	b := &dcase{id: id, kind: "batch", dir: first.dir, ctx: first.ctx, sos: first.sos, setup: map[Context]string{}, cases: idx}
	for _, i := range idx {
		c := cases[i]
		b.body = append(b.body, c.body...)
		for k, v := range c.setup {
			if !strings.Contains(b.setup[k], v) {
				b.setup[k] = strings.TrimPrefix(b.setup[k]+"\n"+v, "\n")
			}
		}
	}
	b.top = skeleton(b.ctx, b.body, "")
	return b
}

// setupContext is where a case's setup text goes: the top block of its
// group.
func setupContext(ctx Context) Context {
	switch groupOf(ctx) {
	case "stream":
		return Stream
	case "mail":
		return Mail
	case "core":
		return Main
	}
	return HTTP
}

// skeleton wraps body in the blocks that make context ctx.
func skeleton(ctx Context, body []stmt, name string) []stmt {
	blk := func(n string, args []string, b ...stmt) stmt { return stmt{name: n, args: args, block: true, body: b} }
	events := blk("events", nil)
	switch ctx {
	case Main:
		if name == "events" {
			return body
		}
		return append(body, events)
	case Events:
		return []stmt{blk("events", nil, body...)}
	case HTTP:
		return []stmt{events, blk("http", nil, body...)}
	case Server:
		return []stmt{events, blk("http", nil, blk("server", nil, body...))}
	case ServerIf:
		return []stmt{events, blk("http", nil, blk("server", nil, blk("if", []string{"($args)"}, body...)))}
	case Location:
		return []stmt{events, blk("http", nil, blk("server", nil, blk("location", []string{"/"}, body...)))}
	case LocationIf:
		return []stmt{events, blk("http", nil, blk("server", nil, blk("location", []string{"/"},
			blk("if", []string{"($args)"}, body...))))}
	case LimitExcept:
		return []stmt{events, blk("http", nil, blk("server", nil, blk("location", []string{"/"},
			blk("limit_except", []string{"GET"}, body...))))}
	case Upstream:
		if name != "server" {
			body = append(body, stmt{name: "server", args: []string{"127.0.0.1:1"}})
		}
		return []stmt{events, blk("http", nil, blk("upstream", []string{"u"}, body...))}
	case Stream:
		return []stmt{events, blk("stream", nil, body...)}
	case StreamServer:
		if name != "listen" {
			body = append([]stmt{{name: "listen", args: []string{"127.0.0.1:10001"}}}, body...)
		}
		if !streamContent[name] {
			body = append(body, stmt{name: "return", args: []string{"x"}})
		}
		return []stmt{events, blk("stream", nil, blk("server", nil, body...))}
	case StreamUpstream:
		if name != "server" {
			body = append(body, stmt{name: "server", args: []string{"127.0.0.1:1"}})
		}
		return []stmt{events, blk("stream", nil, blk("upstream", []string{"u"}, body...))}
	case Mail:
		return []stmt{events, blk("mail", nil, body...)}
	case MailServer:
		pre := []stmt{{name: "listen", args: []string{"127.0.0.1:10025"}}, {name: "protocol", args: []string{"smtp"}},
			{name: "auth_http", args: []string{"127.0.0.1:1"}}}
		var keep []stmt
		for _, p := range pre {
			if p.name != name {
				keep = append(keep, p)
			}
		}
		return []stmt{events, blk("mail", nil, blk("server", nil, append(keep, body...)...))}
	}
	panic("no skeleton for " + ctx.String())
}

// streamContent are the directives that give a stream server its content
// handler; every other stream server case gets a "return".
var streamContent = map[string]bool{"proxy_pass": true, "return": true, "pass": true, "content_by_lua": true,
	"content_by_lua_block": true, "content_by_lua_file": true}

// quote writes an argument so nginx's tokenizer reads it back unchanged.
func quote(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t\n;{}#\"'\\") {
		return s
	}
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// render writes the case's nginx.conf; lines[i] is the line of the i-th
// statement in walk order.
func (c *dcase) render(env *caseEnv) string {
	text, _ := c.renderLines(env)
	return text
}

func (c *dcase) renderLines(env *caseEnv) (string, []int) {
	text, lines, _ := c.renderAll(env)
	return text, lines
}

// renderAll also returns, per statement, the line its block closes on
// (its own line for a simple statement).
func (c *dcase) renderAll(env *caseEnv) (string, []int, []int) {
	var b strings.Builder
	line := 1
	var lines, ends []int
	for _, so := range c.sos {
		fmt.Fprintf(&b, "load_module %s;\n", so)
		line++
	}
	var walk func(ss []stmt, ctx Context, depth int)
	walk = func(ss []stmt, ctx Context, depth int) {
		ind := strings.Repeat("  ", depth)
		if s, ok := c.setup[ctx]; ok && ctx != Main {
			for _, l := range strings.Split(env.expand(s), "\n") {
				b.WriteString(ind + l + "\n")
				line++
			}
		}
		for _, s := range ss {
			b.WriteString(ind + s.name)
			for _, a := range s.args {
				b.WriteString(" " + quote(env.expand(a)))
			}
			lines = append(lines, line)
			ends = append(ends, line)
			me := len(ends) - 1
			if s.block {
				b.WriteString(" {\n")
				line++
				if s.raw != "" {
					b.WriteString(ind + "  " + env.expand(s.raw) + "\n")
					line++
				}
				child, _, _ := Child(ctx, s.name)
				walk(s.body, child, depth+1)
				b.WriteString(ind + "}\n")
				ends[me] = line
			} else {
				b.WriteString(";\n")
			}
			line++
		}
	}
	if s, ok := c.setup[Main]; ok {
		for _, l := range strings.Split(env.expand(s), "\n") {
			b.WriteString(l + "\n")
			line++
		}
	}
	walk(c.top, Main, 0)
	return b.String(), lines, ends
}

// expect is ngxlint's verdict on the case: the first problem a Scope walk
// finds, with its line.
func (c *dcase) expect(build *Build, installed map[string]string) verdict {
	b := &Build{Version: build.Version, Modules: map[string]bool{}, Features: map[string]bool{},
		ModuleVersions: build.ModuleVersions, Dynamic: build.Dynamic}
	for m, on := range build.Modules {
		b.Modules[m] = on
	}
	for f, on := range build.Features {
		b.Features[f] = on
	}
	for _, so := range c.sos {
		b.LoadModule(so)
	}
	set := setCache.get(b)
	_, lines, ends := c.renderAll(&caseEnv{})
	i := 0
	var res *verdict
	var walk func(ss []stmt, ctx Context)
	walk = func(ss []stmt, ctx Context) {
		sc := set.Scope(ctx)
		for _, s := range ss {
			if res != nil {
				return
			}
			ln := lines[i]
			i++
			if p := sc.Check(s.name, s.args, s.block); p != nil {
				if p.Code == Duplicate && p.Directive.BareDuplicate {
					ln = ends[i-1] // the Lua block handler has read up to its "}"
				}
				res = &verdict{msg: p.Message, line: ln}
				return
			}
			if s.block {
				child, opaque, ok := Child(ctx, s.name)
				if ok && !opaque {
					walk(s.body, child)
				} else {
					i += countStmts(s.body)
				}
			}
		}
	}
	walk(c.top, Main)
	if res != nil {
		return *res
	}
	return verdict{ok: true}
}

func countStmts(ss []stmt) int {
	n := 0
	for _, s := range ss {
		n += 1 + countStmts(s.body)
	}
	return n
}

// setCache shares Sets between cases with the same modules.
var setCache = &setsByKey{m: map[string]*Set{}}

type setsByKey struct {
	mu sync.Mutex
	m  map[string]*Set
}

func (c *setsByKey) get(b *Build) *Set {
	var keys []string
	for m, on := range b.Modules {
		if on {
			keys = append(keys, m)
		}
	}
	sort.Strings(keys)
	k := strings.Join(keys, ",")
	c.mu.Lock()
	defer c.mu.Unlock()
	if s, ok := c.m[k]; ok {
		return s
	}
	s := NewSet(b)
	c.m[k] = s
	return s
}

// runNginx writes every case and runs `nginx -t` on each, in two
// long-lived unshared shells (one per core), each with the private
// /etc/hosts mounted once.
func runNginx(t *testing.T, bin, tmp string, env *caseEnv, cases []*dcase) []verdict {
	if len(cases) == 0 {
		return nil
	}
	dirs := make([]string, len(cases))
	for i, c := range cases {
		d := filepath.Join(tmp, "c", c.id)
		require.NoError(t, os.MkdirAll(filepath.Join(d, "logs"), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(d, "nginx.conf"), []byte(c.render(env)), 0o644))
		dirs[i] = d
	}
	const workers = 2
	script := `mount --bind "$1" /etc/hosts || exit 99
while read -r d; do "$2" -t -q -p "$d/" -c "$d/nginx.conf" >"$d/out" 2>&1; echo $? >"$d/rc"; done`
	var wg sync.WaitGroup
	errs := make([]error, workers)
	for w := 0; w < workers; w++ {
		var list strings.Builder
		for i := w; i < len(dirs); i += workers {
			list.WriteString(dirs[i] + "\n")
		}
		wg.Add(1)
		go func(w int, list string) {
			defer wg.Done()
			cmd := exec.Command("unshare", "-m", "-n", "sh", "-c", script, "sh", env.hosts, bin)
			cmd.Stdin = strings.NewReader(list)
			out, err := cmd.CombinedOutput()
			if err != nil {
				errs[w] = fmt.Errorf("%v: %s", err, out)
			}
		}(w, list.String())
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	res := make([]verdict, len(cases))
	for i, d := range dirs {
		rc, err := os.ReadFile(filepath.Join(d, "rc"))
		require.NoError(t, err)
		out, _ := os.ReadFile(filepath.Join(d, "out"))
		if strings.TrimSpace(string(rc)) == "0" {
			res[i] = verdict{ok: true}
			continue
		}
		res[i] = verdict{msg: "(no [emerg]) " + strings.TrimSpace(string(out))}
		for _, l := range strings.Split(string(out), "\n") {
			if m := emergRe.FindStringSubmatch(strings.TrimSpace(l)); m != nil {
				v := verdict{msg: m[1]}
				if p := emergPos.FindStringSubmatchIndex(v.msg); p != nil {
					v.line, _ = strconv.Atoi(v.msg[p[4]:p[5]])
					v.msg = v.msg[:p[0]]
				}
				res[i] = v
				break
			}
		}
	}
	return res
}

// paramValues gives the parameters that take a value one nginx accepts.
var paramValues = map[string]string{"weight=": "2", "max_conns=": "1", "max_fails=": "1", "fail_timeout=": "1s",
	"backlog=": "10", "rcvbuf=": "8k", "sndbuf=": "8k", "so_keepalive=": "on", "fastopen=": "1", "setfib=": "1",
	"accept_filter=": "dataready", "route=": "a", "service=": "_http._tcp"}

// TestNginxParamsDifferential checks the parameter table the same way: each
// listen and upstream server parameter word, on the local nginx, is
// accepted or refused with `invalid parameter` as CheckParam says.
func TestNginxParamsDifferential(t *testing.T) {
	bin, build, installed := localNginx(t)
	tmp := t.TempDir()
	env := newCaseEnv(t, tmp)
	set := NewSet(func() *Build {
		b := *build
		b.Modules = map[string]bool{}
		for m, on := range build.Modules {
			b.Modules[m] = on
		}
		for m := range installed {
			b.Modules[m] = true
		}
		return &b
	}())
	tls := []stmt{{name: "ssl_certificate", args: []string{"{cert}"}}, {name: "ssl_certificate_key", args: []string{"{key}"}}}
	var cases []*dcase
	var want []verdict
	for _, p := range Params() {
		if _, ok := set.Find(p.Directive, map[string]Context{"ngx_http_core_module": Server,
			"ngx_stream_core_module": StreamServer, "ngx_mail_core_module": MailServer,
			"ngx_http_upstream_module": Upstream, "ngx_stream_upstream_module": StreamUpstream}[p.Module]); !ok {
			continue // module not on this machine
		}
		if p.Name == "ipv6only=" {
			continue // nginx -t binds an ipv6only socket, which needs an IPv6 address the private network lacks
		}
		word := p.Name + paramValues[p.Name]
		addr := "127.0.0.1:10090"
		s := stmt{name: p.Directive, args: []string{addr, word}}
		var ctx Context
		var body []stmt
		switch p.Module {
		case "ngx_http_core_module":
			ctx, body = Server, append([]stmt{s}, tls...)
		case "ngx_stream_core_module":
			ctx, body = StreamServer, append([]stmt{s}, tls...)
		case "ngx_mail_core_module":
			ctx, body = MailServer, append([]stmt{s}, tls...)
		case "ngx_http_upstream_module":
			ctx, body = Upstream, []stmt{s}
		case "ngx_stream_upstream_module":
			ctx, body = StreamUpstream, []stmt{s}
		}
		d, _ := set.Find(p.Directive, ctx)
		c := &dcase{id: "p" + strconv.Itoa(len(cases)), kind: "param", dir: d, ctx: ctx, setup: map[Context]string{}, body: body}
		if g := groupOf(ctx); g != "http" {
			c.sos = needs("ngx_"+g+"_module", installed, build.Modules)
		}
		skelName := p.Directive // the case's own listen replaces the skeleton's
		if p.Directive == "server" {
			skelName = "" // an upstream keeps its plain server: "backup" needs one
		}
		c.top = skeleton(ctx, body, skelName)
		w := c.expect(build, installed)
		if w.ok {
			if pr := set.CheckParam(p.Directive, p.Module, word); pr != nil {
				_, lines := c.renderLines(env)
				for i, st := range flatten(c.top) {
					if st.name == p.Directive && len(st.args) == 2 && st.args[1] == word {
						w = verdict{msg: pr.Message, line: lines[i]}
					}
				}
			}
		}
		cases = append(cases, c)
		want = append(want, w)
	}
	require.NotEmpty(t, cases)
	got := runNginx(t, bin, tmp, env, cases)
	agree := 0
	for i, c := range cases {
		if got[i] == want[i] {
			agree++
			continue
		}
		t.Errorf("%s %q (%s): nginx -t %s; ngxlint %s\n%s", c.dir.Name, c.body[0].args[1], c.dir.Module, got[i], want[i], c.render(env))
	}
	t.Logf("nginx %s parameters: %d cases, %d agree", build.Version, len(cases), agree)
}

// flatten lists statements in the order renderLines numbers them.
func flatten(ss []stmt) []stmt {
	var out []stmt
	for _, s := range ss {
		out = append(out, s)
		out = append(out, flatten(s.body)...)
	}
	return out
}
