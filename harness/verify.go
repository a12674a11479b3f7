package harness

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/testcontainers/testcontainers-go"
	tcexec "github.com/testcontainers/testcontainers-go/exec"
	"github.com/testcontainers/testcontainers-go/network"
	"github.com/testcontainers/testcontainers-go/wait"

	"github.com/ngxlint/ngxlint/harness/edge"
	"github.com/ngxlint/ngxlint/harness/image"
	"github.com/ngxlint/ngxlint/harness/pki"
	"github.com/ngxlint/ngxlint/lint"
	"github.com/ngxlint/ngxlint/lint/fix"
	"github.com/ngxlint/ngxlint/nginx/config"
	"github.com/ngxlint/ngxlint/nginx/errlog"
	"github.com/ngxlint/ngxlint/nginx/model"

	// the checks the harness lints and fixes with, and whose log classes
	// it reports, register themselves with the framework
	_ "github.com/ngxlint/ngxlint/rules"
	"github.com/ngxlint/ngxlint/rules/rule"
)

// Options configure Verify.
type Options struct {
	// Root is the configuration to run (main config, directory, snippet).
	Root string
	Load config.Options
	Lint lint.Options
	// NginxImage is a user image such as nginx:1.27; empty builds one from
	// the host's nginx.
	NginxImage string
	// Upstreams overrides the served names per target host.
	Upstreams map[string][]string
	// Profile is the edge behaviour, one of Profiles(); "" is cdn.
	Profile string
	// Fix runs the lint fixes on a copy and verifies again ("after").
	Fix bool
	// FixSeverity is the least severe finding whose fix is applied (the
	// CLI's default is rule.DefaultFixSeverity).
	FixSeverity rule.Severity
	// Progress receives one line per step.
	Progress io.Writer
	// EdgeHook, when set, adjusts each target's edge before it starts. It
	// gets the run's CA, whose root nginx trusts at every
	// *_trusted_certificate path of the configuration (and of the fixed
	// one), the target host and the edge's configuration, which already
	// holds a leaf for the served names issued by that CA. Tests use it to
	// present an impostor (pki.SelfSigned), a chain with intermediates
	// (ca.NewIntermediate), or a TLS 1.3-only edge (MinVersion).
	EdgeHook func(ca *pki.CA, target string, cfg *edge.Config) error
}

// Report is verify's public JSON contract.
type Report struct {
	NginxImage   string            `json:"nginx_image"`
	NginxVersion string            `json:"nginx_version"`
	Upstreams    []*UpstreamReport `json:"upstreams"`
	Notes        []string          `json:"notes,omitempty"`
	// FixedConfigTest is `nginx -t` on the fixed tree, when --fix ran.
	FixedConfigTest string `json:"fixed_config_test,omitempty"`
}

// UpstreamReport is the verdict for one TLS upstream host.
type UpstreamReport struct {
	Target      string   `json:"target"`
	ServedNames []string `json:"served_names"`
	// NamesFrom says why those names were assumed.
	NamesFrom string   `json:"names_from"`
	Locations []Site   `json:"locations"`
	Before    *Outcome `json:"before"`
	After     *Outcome `json:"after,omitempty"`
	Verdict   string   `json:"verdict"`
	Reason    string   `json:"reason,omitempty"`
	Probes    []*Probe `json:"probes,omitempty"`
	port      int
	edge      *Edge
	proxies   []*model.Proxy
	impostor  bool
}

// Site is a config position.
type Site struct {
	File string `json:"file"`
	Line int    `json:"line"`
}

// Outcome is what one request through a location showed.
type Outcome struct {
	Status     int       `json:"status"`
	SNI        string    `json:"sni"`
	TLSVersion string    `json:"tls_version"`
	Host       string    `json:"host"`
	Log        []LogLine `json:"log"`
	// EdgeOutcome is the edge's view of the handshake: accepted,
	// rejected (alert), closed, reset, handshake_error, not_tls, or none
	// when nginx never connected.
	EdgeOutcome string            `json:"edge_outcome"`
	Headers     map[string]string `json:"headers,omitempty"`
	Request     string            `json:"request"`
	Error       string            `json:"error,omitempty"`
	ok          bool
	why         string
	impostor    bool
}

// LogLine is one classified error.log line of a request.
type LogLine struct {
	Class string   `json:"class"`
	Level string   `json:"level"`
	Rules []string `json:"rules"`
	Text  string   `json:"text"`
}

// Probe is one request planned for a proxying location.
type Probe struct {
	Site   Site     `json:"site"`
	Method string   `json:"method"`
	Host   string   `json:"host"`
	Path   string   `json:"path"`
	Port   int      `json:"port"`
	Stream bool     `json:"stream,omitempty"`
	Before *Outcome `json:"before,omitempty"`
	After  *Outcome `json:"after,omitempty"`
	proxy  *model.Proxy
	ssl    bool
}

// ProfileImpostor makes every edge an impostor: the right names, a
// self-signed certificate. A config passes when nginx refuses it.
const ProfileImpostor = "impostor"

// Profiles lists what --edge-profile accepts: the edge's behaviours and
// the impostor.
func Profiles() []edge.ProfileInfo {
	return append(slices.Clone(edge.Profiles), edge.ProfileInfo{Name: ProfileImpostor, Effect: "self-signed certificate: passes only if nginx refuses it"})
}

// CheckProfile reports whether p is one of Profiles().
func CheckProfile(p string) error {
	var names []string
	for _, q := range Profiles() {
		if q.Name == p {
			return nil
		}
		names = append(names, q.Name)
	}
	return fmt.Errorf("edge profile %q: want one of %s", p, strings.Join(names, ", "))
}

// Verdicts.
const (
	VerdictOK         = "ok"
	VerdictFixed      = "fixed"
	VerdictFailing    = "failing"
	VerdictReproduced = "reproduced"
	VerdictSkipped    = "skipped"
)

// ErrConfig wraps configuration load failures.
var ErrConfig = errors.New("configuration does not load")

// Verify runs the configuration in a real nginx against mock edges, one
// per TLS upstream host, reaching each under its real name so nginx's SNI
// behaviour is exactly production's. With Fix it applies ngxlint's fixes
// to a copy, reloads, and runs again.
func Verify(ctx context.Context, o Options) (rep *Report, err error) {
	progress := func(format string, args ...any) {
		if o.Progress != nil {
			fmt.Fprintf(o.Progress, "ngxlint verify: "+format+"\n", args...)
		}
	}
	if o.Profile == "" {
		o.Profile = edge.ProfileCDN
	}
	progress("loading %s", o.Root)
	tree, diags := config.Load(ctx, o.Root, o.Load)
	if tree == nil || config.HasErrors(diags) {
		for _, d := range diags {
			if d.Severity == config.SevError {
				return nil, fmt.Errorf("%w: %v", ErrConfig, d)
			}
		}
		return nil, ErrConfig
	}
	m := model.Build(tree)
	rep = &Report{}
	targets := plan(m, o, rep)

	p, err := image.Docker(ctx)
	if err != nil {
		return rep, err
	}
	defer p.Close()
	_ = image.Sweep(ctx, p)

	var nginxRef, edgeRef string
	var errN, errE error
	var wg sync.WaitGroup
	progress("preparing images (built locally, never pulled unless --nginx-image asks)")
	wg.Add(2)
	go func() { defer wg.Done(); nginxRef, errN = image.EnsureNginx(ctx, p, o.NginxImage, o.Progress) }()
	go func() { defer wg.Done(); edgeRef, errE = image.EnsureEdge(ctx, p, o.Progress) }()
	wg.Wait()
	if errN != nil {
		return rep, errN
	}
	if errE != nil {
		return rep, errE
	}
	rep.NginxImage = nginxRef

	// cleanup runs on success, failure, panic and cancellation (Ctrl-C):
	// it uses its own context because ctx may be done.
	var cleanups []func() // containers: removed in parallel
	var netCleanup func() // the network: removed last
	defer func() {
		var cw sync.WaitGroup
		for _, c := range cleanups {
			cw.Add(1)
			go func(c func()) { defer cw.Done(); c() }(c)
		}
		cw.Wait()
		if netCleanup != nil {
			netCleanup()
		}
	}()

	ca, err := pki.NewCA("ngxlint verify CA")
	if err != nil {
		return rep, err
	}

	progress("creating network")
	nw, err := NewNetwork(ctx)
	if err != nil {
		return rep, fmt.Errorf("harness: network: %w", err)
	}
	netCleanup = func() {
		cctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = nw.Remove(cctx)
	}

	// Every host name nginx resolves at load time must be an alias on
	// the network, or nginx refuses to start.
	aliasTaken := map[string]bool{}
	for _, t := range targets {
		aliasTaken[t.Target] = true
	}
	var sinkAliases []string
	for _, h := range hostnames(m) {
		if !aliasTaken[h] {
			aliasTaken[h] = true
			sinkAliases = append(sinkAliases, h)
		}
	}

	progress("starting %d edge container(s)", len(targets)+boolInt(len(sinkAliases) > 0))
	var mu sync.Mutex
	var startErr error
	// startEdge runs one edge in the background, recording its clean-up
	// and the first error.
	startEdge := func(spec EdgeSpec, into **Edge) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e, err := RunEdge(ctx, nw, spec)
			mu.Lock()
			defer mu.Unlock()
			if e != nil && e.Container != nil {
				cleanups = append(cleanups, func() { _ = e.Terminate() })
			}
			if err != nil && startErr == nil {
				startErr = err
			}
			if into != nil {
				*into = e
			}
		}()
	}
	for _, t := range targets {
		if t.Verdict == VerdictSkipped {
			continue
		}
		cfg, err := edgeConfig(ca, t, o)
		if err != nil {
			mu.Lock()
			startErr = err
			mu.Unlock()
			break // wait below for the edges already starting
		}
		startEdge(EdgeSpec{Image: edgeRef, Aliases: []string{t.Target}, Port: t.port, NoWait: true, Config: cfg}, &t.edge)
	}
	if len(sinkAliases) > 0 && startErr == nil {
		startEdge(EdgeSpec{Image: edgeRef, Aliases: sinkAliases, NoWait: true, Config: edge.Config{Names: sinkAliases, Profile: edge.ProfileLenient}}, nil)
	}
	wg.Wait()
	if startErr != nil {
		return rep, startErr
	}

	serverLeaf, err := ca.IssueLeaf(serverNames(m))
	if err != nil {
		return rep, err
	}
	stOpts := stageOptions{Generation: "1"}
	if o.NginxImage == "" {
		stOpts.LoadStream = true
		stOpts.ModuleDir = "/usr/lib/nginx/modules"
	}
	st, err := stage(tree, m, stOpts)
	if err != nil {
		return rep, err
	}

	progress("starting nginx (%s)", nginxRef)
	ngx, startLog, err := startNginx(ctx, nginxRef, nw, st, ca, serverLeaf)
	if first := ngx; first != nil {
		// first, not ngx: ngx is reassigned when the fixed configuration
		// runs in a second container, and this one must go too
		cleanups = append(cleanups, func() {
			_ = testcontainers.TerminateContainer(first, testcontainers.StopTimeout(0))
		})
	}
	running := err == nil
	if err != nil {
		if ctx.Err() != nil {
			return rep, ctx.Err()
		}
		progress("nginx did not start: %v", firstLine(err.Error()))
		fail := &Outcome{Error: "nginx did not start", Log: classify(startLog), EdgeOutcome: "none"}
		for _, t := range targets {
			if t.Verdict != VerdictSkipped {
				t.Before = fail
			}
		}
	} else {
		for _, t := range targets {
			if t.edge != nil {
				if err := t.edge.Ready(ctx); err != nil {
					return rep, err
				}
			}
		}
		rep.NginxVersion = nginxVersion(ctx, ngx)
		progress("probing %d location(s)", countProbes(targets))
		if err := runProbes(ctx, ngx, st, targets, false); err != nil {
			return rep, err
		}
	}

	if o.Fix {
		progress("applying ngxlint fixes to a copy")
		fixed, err := fixedTree(ctx, o)
		if err != nil {
			return rep, err
		}
		m2 := model.Build(fixed)
		stOpts.Generation = "2"
		st2, err := stage(fixed, m2, stOpts)
		if err != nil {
			return rep, err
		}
		if running {
			progress("reloading nginx with the fixed configuration")
			if err := copyPKI(ctx, ngx, st, st2, ca, serverLeaf); err != nil {
				return rep, err
			}
			rep.FixedConfigTest, err = reload(ctx, ngx, st, st2)
			if err != nil {
				return rep, err
			}
		} else {
			ngx2, startLog2, err := startNginx(ctx, nginxRef, nw, st2, ca, serverLeaf)
			if ngx2 != nil {
				cleanups = append(cleanups, func() {
					_ = testcontainers.TerminateContainer(ngx2, testcontainers.StopTimeout(0))
				})
			}
			if err != nil {
				fail := &Outcome{Error: "nginx did not start with the fixed configuration", Log: classify(startLog2), EdgeOutcome: "none"}
				for _, t := range targets {
					if t.Verdict != VerdictSkipped {
						t.After = fail
					}
				}
				ngx = nil
			} else {
				ngx = ngx2
				rep.FixedConfigTest = "ok"
			}
		}
		if ngx != nil {
			if err := runProbes(ctx, ngx, st2, targets, true); err != nil {
				return rep, err
			}
		}
	}
	for _, t := range targets {
		decide(t, o.Fix)
		rep.Upstreams = append(rep.Upstreams, t)
	}
	progress("done")
	return rep, nil
}

// edgeConfig is what one target's edge serves: a certificate from the
// run's CA for the served names (a self-signed one for the impostor
// profile), adjusted by the caller's hook.
func edgeConfig(ca *pki.CA, t *UpstreamReport, o Options) (edge.Config, error) {
	leaf, err := ca.IssueLeaf(t.ServedNames)
	if err != nil {
		return edge.Config{}, err
	}
	cfg := edge.Config{Names: t.ServedNames, Profile: o.Profile, CertPEM: leaf.CertPEM, KeyPEM: leaf.KeyPEM, HostCheck: true}
	if o.Profile == ProfileImpostor {
		// an attacker answering for the host: right names, a certificate
		// no CA vouches for
		fake, err := pki.SelfSigned(t.ServedNames)
		if err != nil {
			return edge.Config{}, err
		}
		cfg.Profile, cfg.CertPEM, cfg.KeyPEM = edge.ProfileLenient, fake.CertPEM, fake.KeyPEM
		t.impostor = true
	}
	if o.EdgeHook != nil {
		if err := o.EdgeHook(ca, t.Target, &cfg); err != nil {
			return edge.Config{}, err
		}
	}
	return cfg, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

func countProbes(ts []*UpstreamReport) int {
	n := 0
	for _, t := range ts {
		n += len(t.Probes)
	}
	return n
}

// plan finds the TLS upstream hosts, the names each edge serves, and one
// request per proxying location.
func plan(m *model.Model, o Options, rep *Report) []*UpstreamReport {
	byHost := map[string]*UpstreamReport{}
	var order []string
	addTarget := func(host, port string, p *model.Proxy) {
		host = strings.ToLower(host)
		t, ok := byHost[host]
		if !ok {
			t = &UpstreamReport{Target: host}
			t.port = 443
			if n, err := strconv.Atoi(port); err == nil && n > 0 {
				t.port = n
			}
			byHost[host] = t
			order = append(order, host)
		}
		t.proxies = append(t.proxies, p)
		pos := p.Directive.Pos()
		t.Locations = appendSite(t.Locations, Site{File: pos.Path, Line: pos.Line})
	}
	for _, p := range m.Proxies {
		if !p.TLS {
			continue
		}
		switch p.HostKind {
		case model.HostName:
			addTarget(p.Host, p.Port, p)
		case model.HostUpstream:
			n := 0
			for _, s := range p.Upstream.Servers {
				h, port := splitHP(s.Arg(0))
				if model.IsIP(h) || strings.HasPrefix(s.Arg(0), "unix:") {
					continue
				}
				addTarget(h, port, p)
				n++
			}
			if n == 0 {
				rep.Notes = append(rep.Notes, fmt.Sprintf("%s: upstream %s has only IP or unix servers; the harness cannot stand in for them", sitePos(p), p.Upstream.Name))
			}
		case model.HostVariable:
			n := 0
			for _, v := range p.Values {
				if v.Upstream != nil {
					for _, s := range v.Upstream.Servers {
						h, port := splitHP(s.Arg(0))
						if !model.IsIP(h) {
							addTarget(h, port, p)
							n++
						}
					}
				} else if v.Kind == model.HostName {
					addTarget(v.Host, p.Port, p)
					n++
				}
			}
			if n == 0 {
				rep.Notes = append(rep.Notes, fmt.Sprintf("%s: the proxy target %s is a variable whose values are unknown; not verified", sitePos(p), p.URL))
			}
		default:
			rep.Notes = append(rep.Notes, fmt.Sprintf("%s: %s targets an IP literal; the harness gives edges names, not addresses, so this upstream is not verified", sitePos(p), p.URL))
		}
	}
	var out []*UpstreamReport
	for _, h := range order {
		t := byHost[h]
		t.ServedNames, t.NamesFrom = servedNames(t, o.Upstreams)
		for _, p := range t.proxies {
			if pr := probeFor(p); pr != nil {
				t.Probes = append(t.Probes, pr)
			} else {
				rep.Notes = append(rep.Notes, fmt.Sprintf("%s: no request path reaches this location; not probed", sitePos(p)))
			}
		}
		if len(t.Probes) == 0 {
			t.Verdict = VerdictSkipped
			t.Reason = "no location proxying to it could be reached with a request"
		}
		out = append(out, t)
	}
	return out
}

func sitePos(p *model.Proxy) string {
	pos := p.Directive.Pos()
	return fmt.Sprintf("%s:%d", pos.Path, pos.Line)
}

func appendSite(ss []Site, s Site) []Site {
	for _, x := range ss {
		if x == s {
			return ss
		}
	}
	return append(ss, s)
}

// splitHP is model.ParseAddress as a host and a port.
func splitHP(hp string) (string, string) {
	a := model.ParseAddress(hp)
	return a.Host, a.Port
}

// servedNames infers the names the edge presents certificates for: the
// names a correct config must send. Override wins; else each proxy's
// proxy_ssl_name, else its literal Host header, else its server's only
// server_name.
func servedNames(t *UpstreamReport, override map[string][]string) ([]string, string) {
	if names, ok := override[t.Target]; ok && len(names) > 0 {
		return names, "given with --upstream"
	}
	var names, why []string
	add := func(n, reason string) {
		n = strings.ToLower(n)
		for _, x := range names {
			if x == n {
				return
			}
		}
		names = append(names, n)
		why = append(why, n+" ("+reason+")")
	}
	for _, p := range t.proxies {
		if d := p.Setting("ssl_name"); d != nil && !strings.Contains(d.Arg(0), "$") {
			h, _ := splitHP(d.Arg(0))
			add(h, fmt.Sprintf("%s at %s:%d", d.Name, d.File.Path, d.Pos().Line))
			continue
		}
		val, explicit := p.HostHeader()
		if explicit != nil && !strings.Contains(val, "$") && val != "" {
			h, _ := splitHP(val)
			add(h, fmt.Sprintf("the Host header set at %s:%d", explicit.File.Path, explicit.Pos().Line))
			continue
		}
		if s := p.Scope.Server(); s != nil {
			if plain, _ := model.PlainServerNames(s.ServerNames()); len(plain) == 1 {
				add(plain[0], "the server's only server_name")
				continue
			}
		}
	}
	if len(names) == 0 {
		return []string{t.Target}, "nothing in the configuration names the site; assumed the upstream host itself (pass --upstream HOST=NAME to say otherwise)"
	}
	return names, strings.Join(why, "; ")
}

// probeFor plans the request that exercises a proxy.
func probeFor(p *model.Proxy) *Probe {
	pos := p.Directive.Pos()
	pr := &Probe{Site: Site{File: pos.Path, Line: pos.Line}, Method: "GET", proxy: p}
	if p.Module == "stream" {
		pr.Stream = true
		pr.Path = "/"
		return pr
	}
	srv := p.Scope.Server()
	loc := p.Scope.Location()
	if srv == nil || loc == nil {
		return nil
	}
	if loc.Kind == model.KindLocation {
		u, ok := model.SampleURI(srv, loc)
		if !ok {
			return nil
		}
		pr.Path = u
	} else {
		pr.Path = "/"
	}
	pr.Host = "localhost"
	if plain, _ := model.PlainServerNames(srv.ServerNames()); len(plain) > 0 {
		pr.Host = plain[0]
	}
	return pr
}

// hostnames lists every host name nginx resolves at load time.
func hostnames(m *model.Model) []string {
	seen := map[string]bool{}
	var out []string
	add := func(h string) {
		h = strings.ToLower(h)
		if h == "" || model.IsIP(h) || strings.Contains(h, "$") || h == "localhost" || seen[h] {
			return
		}
		seen[h] = true
		out = append(out, h)
	}
	for _, p := range m.Proxies {
		if p.HostKind == model.HostName {
			add(p.Host)
		}
		for _, v := range p.Values {
			if v.Kind == model.HostName {
				add(v.Host)
			}
		}
	}
	for _, ups := range []map[string]*model.Upstream{m.Upstreams, m.StreamUpstreams} {
		for _, u := range ups {
			for _, s := range u.Servers {
				if strings.HasPrefix(s.Arg(0), "unix:") {
					continue
				}
				h, _ := splitHP(s.Arg(0))
				add(h)
			}
		}
	}
	// other upstream modules resolve their literal hosts at load time too
	// (php-fpm:9000 in a compose-style config, a memcached host, …);
	// upstream{} block names are not hosts
	config.Walk(m.Tree.Top(), func(d *config.Directive) bool {
		switch d.Name {
		case "fastcgi_pass", "scgi_pass", "memcached_pass", "grpc_pass", "uwsgi_pass":
			a := d.Arg(0)
			if _, rest, ok := strings.Cut(a, "://"); ok {
				a = rest
			}
			if strings.HasPrefix(a, "unix:") {
				return true
			}
			h, _ := splitHP(strings.SplitN(a, "/", 2)[0])
			if _, isBlock := m.Upstreams[strings.ToLower(h)]; !isBlock {
				add(h)
			}
		}
		return true
	})
	sort.Strings(out)
	return out
}

func serverNames(m *model.Model) []string {
	names := []string{"localhost"}
	for _, s := range m.Servers {
		for _, n := range s.ServerNames() {
			switch model.ServerNameKind(n) {
			case model.NameExact:
				names = append(names, n)
			case model.NameWildcard:
				if strings.HasPrefix(n, ".") {
					n = "*" + n
				}
				names = append(names, n)
			}
		}
	}
	return names
}

// startNginx runs nginx with the staged files.
func startNginx(ctx context.Context, ref string, nw *testcontainers.DockerNetwork, st *staged, ca *pki.CA, leaf *pki.Leaf) (*testcontainers.DockerContainer, string, error) {
	var files []testcontainers.ContainerFile
	addFile := func(p string, b []byte, mode int64) {
		files = append(files, testcontainers.ContainerFile{Reader: bytes.NewReader(b), ContainerFilePath: p, FileMode: mode})
	}
	names := make([]string, 0, len(st.Files))
	for n := range st.Files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		addFile(n, st.Files[n], 0o644)
	}
	for _, p := range st.CertPaths {
		addFile(p, leaf.FullChainPEM(), 0o644)
	}
	for _, p := range st.KeyPaths {
		addFile(p, leaf.KeyPEM, 0o600)
	}
	for _, p := range st.CAPaths {
		addFile(p, ca.RootPEM(), 0o644)
	}
	addFile(harnessErrorLog, nil, 0o666)
	addFile(harnessAccessLog, nil, 0o666)

	ports := []string{strconv.Itoa(HarnessPort) + "/tcp"}
	seen := map[int]bool{HarnessPort: true}
	for _, lp := range st.Ports {
		if !seen[lp.Port] {
			seen[lp.Port] = true
			ports = append(ports, strconv.Itoa(lp.Port)+"/tcp")
		}
	}
	opts := []testcontainers.ContainerCustomizer{
		testcontainers.WithLabels(image.Labels()),
		testcontainers.WithEntrypoint("nginx"),
		testcontainers.WithCmd("-c", st.ConfPath, "-g", "daemon off;"),
		testcontainers.WithFiles(files...),
		LoopbackPorts(ports...),
		testcontainers.WithWaitStrategy(
			wait.ForHTTP(readyPath).WithPort(strconv.Itoa(HarnessPort) + "/tcp").WithForcedIPv4LocalHost().
				WithStartupTimeout(30 * time.Second).WithPollInterval(50 * time.Millisecond),
		),
	}
	if nw != nil {
		opts = append(opts, networkOpt(nw))
	}
	c, err := testcontainers.Run(ctx, ref, opts...)
	if err != nil {
		return c, containerOutput(c), fmt.Errorf("harness: start nginx: %w%s", err, tailLogs(c))
	}
	return c, "", nil
}

func nginxVersion(ctx context.Context, c *testcontainers.DockerContainer) string {
	_, r, err := c.Exec(ctx, []string{"nginx", "-v"}, tcexec.Multiplexed())
	if err != nil {
		return ""
	}
	b, _ := io.ReadAll(r)
	s := strings.TrimSpace(string(b))
	if i := strings.Index(s, "nginx/"); i >= 0 {
		return strings.Fields(s[i+len("nginx/"):])[0]
	}
	return s
}

// copyPKI gives the paths the fixed configuration names for certificates,
// keys and CA bundles, and the running one does not, the harness's files
// (a fix that turns on verification names a bundle such as
// /etc/ssl/certs/ca-certificates.crt).
func copyPKI(ctx context.Context, c *testcontainers.DockerContainer, old, st *staged, ca *pki.CA, leaf *pki.Leaf) error {
	had := map[string]bool{}
	for _, l := range [][]string{old.CertPaths, old.KeyPaths, old.CAPaths} {
		for _, p := range l {
			had[p] = true
		}
	}
	for _, f := range []struct {
		paths []string
		data  []byte
		mode  int64
	}{{st.CertPaths, leaf.FullChainPEM(), 0o644}, {st.KeyPaths, leaf.KeyPEM, 0o600}, {st.CAPaths, ca.RootPEM(), 0o644}} {
		for _, p := range f.paths {
			if had[p] {
				continue
			}
			if err := c.CopyToContainer(ctx, f.data, p, f.mode); err != nil {
				return fmt.Errorf("harness: copy %s: %w", p, err)
			}
		}
	}
	return nil
}

// reload copies the fixed files in, checks them with nginx -t, and
// reloads, waiting until the new generation answers.
func reload(ctx context.Context, c *testcontainers.DockerContainer, old, st *staged) (string, error) {
	for p, b := range st.Files {
		if ob, ok := old.Files[p]; ok && bytes.Equal(ob, b) {
			continue
		}
		if err := c.CopyToContainer(ctx, b, p, 0o644); err != nil {
			return "", fmt.Errorf("harness: copy %s: %w", p, err)
		}
	}
	code, r, err := c.Exec(ctx, []string{"nginx", "-t", "-c", st.ConfPath}, tcexec.Multiplexed())
	if err != nil {
		return "", fmt.Errorf("harness: nginx -t: %w", err)
	}
	out, _ := io.ReadAll(r)
	if code != 0 {
		return strings.TrimSpace(string(out)), fmt.Errorf("harness: nginx -t rejects the fixed configuration:\n%s", out)
	}
	logStart, err := readContainerFile(ctx, c, harnessErrorLog)
	if err != nil {
		return "", err
	}
	code, r, err = c.Exec(ctx, []string{"nginx", "-c", st.ConfPath, "-s", "reload"}, tcexec.Multiplexed())
	if err != nil || code != 0 {
		b, _ := io.ReadAll(r)
		return "", fmt.Errorf("harness: nginx -s reload: %v %s", err, b)
	}
	base, err := loopbackURL(ctx, c, strconv.Itoa(HarnessPort)+"/tcp")
	if err != nil {
		return "", err
	}
	client := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := client.Get(base + readyPath)
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if string(b) == "2" {
				// The new workers answer, but old ones may still accept
				// on the stream listeners until they exit.
				waitOldWorkers(ctx, c, len(logStart))
				return "ok", nil
			}
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	return "", fmt.Errorf("harness: nginx did not load the fixed configuration within 20s")
}

// waitOldWorkers waits until every worker that began a graceful shutdown
// after the reload has exited (the master logs both at notice level).
func waitOldWorkers(ctx context.Context, c *testcontainers.DockerContainer, from int) {
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		b, err := readContainerFile(ctx, c, harnessErrorLog)
		if err == nil && len(b) >= from {
			s := string(b[from:])
			down := strings.Count(s, "gracefully shutting down")
			exited := strings.Count(s, "exited with code")
			if down > 0 && exited >= down {
				return
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// runProbes sends each planned request and records what nginx, the edge
// and error.log showed.
func runProbes(ctx context.Context, c *testcontainers.DockerContainer, st *staged, targets []*UpstreamReport, after bool) error {
	probeN := 0
	for _, t := range targets {
		if t.Verdict == VerdictSkipped || t.edge == nil {
			continue
		}
		for _, pr := range t.Probes {
			probeN++
			out, err := probeOnce(ctx, c, st, t, pr, fmt.Sprintf("p%d-%v", probeN, after))
			if err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				out = &Outcome{Error: err.Error()}
			}
			if after {
				pr.After = out
			} else {
				pr.Before = out
			}
		}
	}
	return nil
}

func probeOnce(ctx context.Context, c *testcontainers.DockerContainer, st *staged, t *UpstreamReport, pr *Probe, id string) (*Outcome, error) {
	port, ssl := pr.Port, pr.ssl
	for _, lp := range st.Ports {
		if pr.Port != 0 {
			break // the after run reuses the before run's port
		}
		if lp.Stream != pr.Stream {
			continue
		}
		if pr.Stream && lp.Server != nil && pr.proxy != nil && lp.Server != pr.proxy.Scope {
			continue
		}
		if !pr.Stream && lp.Server != nil && pr.proxy != nil && lp.Server != pr.proxy.Scope.Server() {
			continue
		}
		if port == 0 || (ssl && !lp.SSL) {
			port, ssl = lp.Port, lp.SSL
		}
	}
	if port == 0 {
		if pr.Stream {
			return nil, fmt.Errorf("the stream server has no TCP listen port the harness can publish")
		}
		port = 80
	}
	pr.Port, pr.ssl = port, ssl
	mp, err := c.MappedPort(ctx, strconv.Itoa(port)+"/tcp")
	if err != nil {
		return nil, err
	}
	addr := "127.0.0.1:" + strconv.Itoa(int(mp.Num()))
	before, err := readContainerFile(ctx, c, harnessErrorLog)
	if err != nil {
		return nil, err
	}
	seq := lastSeq(ctx, t.edge)
	out := &Outcome{}
	if pr.Stream {
		host := t.ServedNames[0]
		out.Request = fmt.Sprintf("TCP %s → GET / Host %s", strconv.Itoa(port), host)
		out.Status, err = rawHTTP(ctx, addr, host)
		if err != nil {
			out.Error = err.Error()
		}
		time.Sleep(150 * time.Millisecond)
	} else {
		scheme := "http"
		if ssl {
			scheme = "https"
		}
		out.Request = fmt.Sprintf("%s %s://%s%s (port %d)", pr.Method, scheme, pr.Host, pr.Path, port)
		out.Status, err = httpProbe(ctx, scheme, addr, pr.Host, pr.Path, id)
		if err != nil {
			out.Error = err.Error()
		}
		waitAccessLog(ctx, c, id)
	}
	after, err := readContainerFile(ctx, c, harnessErrorLog)
	if err != nil {
		return nil, err
	}
	if len(after) >= len(before) {
		out.Log = classify(string(after[len(before):]))
	}
	entries, _ := t.edge.Log(ctx, seq)
	fillEdge(out, entries)
	out.impostor = t.impostor
	out.ok, out.why = judge(out)
	return out, nil
}

func lastSeq(ctx context.Context, e *Edge) int64 {
	es, err := e.Log(ctx, 0)
	if err != nil || len(es) == 0 {
		return 0
	}
	return es[len(es)-1].Seq
}

func readContainerFile(ctx context.Context, c *testcontainers.DockerContainer, p string) ([]byte, error) {
	rc, err := c.CopyFileFromContainer(ctx, p)
	if err != nil {
		return nil, fmt.Errorf("harness: read %s: %w", p, err)
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

// waitAccessLog waits until nginx logged the probe: the log phase runs
// after the response, so error.log is complete for the request by then.
func waitAccessLog(ctx context.Context, c *testcontainers.DockerContainer, id string) {
	deadline := time.Now().Add(3 * time.Second)
	for time.Now().Before(deadline) {
		b, err := readContainerFile(ctx, c, harnessAccessLog)
		if err == nil && bytes.Contains(b, []byte(id+" ")) {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(20 * time.Millisecond):
		}
	}
}

var probeClient = &http.Client{
	Timeout: 30 * time.Second,
	Transport: &http.Transport{
		DisableKeepAlives: true,
		TLSClientConfig:   &tls.Config{InsecureSkipVerify: true}, //nolint:gosec // nginx's own listener with a generated cert
	},
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

func httpProbe(ctx context.Context, scheme, addr, host, p, id string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, scheme+"://"+addr+p, nil)
	if err != nil {
		return 0, err
	}
	req.Host = host
	req.Header.Set(probeHeader, id)
	resp, err := probeClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, nil
}

// rawHTTP speaks HTTP through a stream proxy: nginx forwards the bytes over
// TLS to the edge, which answers HTTP.
func rawHTTP(ctx context.Context, addr, host string) (int, error) {
	d := net.Dialer{Timeout: 5 * time.Second}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(15 * time.Second))
	if _, err := fmt.Fprintf(conn, "GET / HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", host); err != nil {
		return 0, err
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return 0, fmt.Errorf("no HTTP response through the stream proxy (%v)", err)
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

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

// fixedTree applies every safe fix in memory and reloads the tree.
func fixedTree(ctx context.Context, o Options) (*config.Tree, error) {
	res, err := fix.Tree(ctx, o.Root, o.Load, o.Lint, o.FixSeverity)
	if err != nil {
		return nil, fmt.Errorf("fix: %w", err)
	}
	return res.Tree, nil
}

func networkOpt(nw *testcontainers.DockerNetwork) testcontainers.ContainerCustomizer {
	return network.WithNetwork(nil, nw)
}
