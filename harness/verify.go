package harness

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/testcontainers/testcontainers-go"

	"github.com/ngxlint/ngxlint/harness/edge"
	"github.com/ngxlint/ngxlint/harness/image"
	"github.com/ngxlint/ngxlint/harness/pki"
	"github.com/ngxlint/ngxlint/lint"
	"github.com/ngxlint/ngxlint/lint/fix"
	"github.com/ngxlint/ngxlint/nginx"
	"github.com/ngxlint/ngxlint/nginx/config"
	"github.com/ngxlint/ngxlint/nginx/model"

	// the checks the harness lints and fixes with, and whose log classes
	// it reports, register themselves with the framework
	_ "github.com/ngxlint/ngxlint/rules"
	"github.com/ngxlint/ngxlint/rules/rule"
)

// Options configure Verify.
type Options struct {
	// Root is the configuration to run (main config, directory, snippet,
	// or "-" for Load.Stdin, which is read once).
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
	// PackageConf is the nginx package's configuration directory, whose
	// files stand in for the standard includes a repository lacks
	// (mime.types, proxy_params, fastcgi.conf); "" is /etc/nginx.
	PackageConf string
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

// ErrConfig wraps configuration load failures.
var ErrConfig = errors.New("configuration does not load")

// ErrNginxStart is returned when nginx refuses the configuration and
// there is no upstream a verdict could name the failure for.
var ErrNginxStart = errors.New("nginx did not start")

// Verify runs the configuration in a real nginx against stand-in edges,
// one per TLS upstream host, reached under its real name so nginx's SNI
// behaviour is exactly production's. With Fix it applies ngxlint's fixes
// to a copy, reloads, and runs again.
func Verify(ctx context.Context, o Options) (rep *Report, err error) {
	progress := func(format string, args ...any) {
		if o.Progress != nil {
			fmt.Fprintf(o.Progress, "ngxlint verify: "+format+"\n", args...)
		}
	}
	phase := time.Now()
	rep = &Report{Upstreams: []*UpstreamReport{}, Timings: map[string]int64{}}
	lap := func(name string) {
		rep.Timings[name] += time.Since(phase).Milliseconds()
		phase = time.Now()
	}
	if o.Profile == "" {
		o.Profile = edge.ProfileCDN
	}
	load, stubs, err := loader(o)
	if err != nil {
		return rep, err
	}
	progress("loading %s", o.Root)
	tree, diags := load(ctx, nil)
	if tree == nil || config.HasErrors(diags) {
		for _, d := range diags {
			if d.Severity == config.SevError {
				return rep, fmt.Errorf("%w: %v", ErrConfig, d)
			}
		}
		return rep, ErrConfig
	}
	rep.Stubs = stubs.list()
	m := model.Build(tree)
	declared := o.Lint.Version
	if declared == (nginx.Version{}) {
		if v, ok, err := lint.DeclaredVersion(tree); ok && err == nil {
			declared = v
		}
	}
	if declared != (nginx.Version{}) {
		rep.ConfigNginxVersion = declared.String()
	}
	targets := plan(m, o, rep)
	wireDown(targets)
	if len(targets) == 0 {
		rep.NothingToVerify = true
		rep.Notes = append(rep.Notes, "nothing to verify: the configuration proxies to no TLS upstream; no container was started")
		progress("nothing to verify: no TLS upstream")
		return rep, nil
	}

	p, err := image.Docker(ctx)
	if err != nil {
		return rep, err
	}
	defer func() { _ = p.Close() }()
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
	lap("images")

	// cleanup runs on success, failure, panic and cancellation (Ctrl-C):
	// it uses its own context because ctx may be done. Every resource of
	// the run carries its LabelRun, so the last step also removes what was
	// being created when the run was cut short.
	runID, err := newRunID()
	if err != nil {
		return rep, err
	}
	runLabels := map[string]string{image.LabelRun: runID}
	var mu sync.Mutex
	var cleanups []func() // containers: removed in parallel
	var netCleanup func() // the network: removed last
	defer func() {
		start := time.Now()
		var cw sync.WaitGroup
		mu.Lock()
		cs := slices.Clone(cleanups)
		mu.Unlock()
		for _, c := range cs {
			cw.Add(1)
			go func(c func()) { defer cw.Done(); c() }(c)
		}
		cw.Wait()
		if netCleanup != nil {
			netCleanup()
		}
		sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = image.SweepRun(sctx, p, runID)
		if ctx.Err() != nil {
			// a create request cut short by Ctrl-C may still complete in
			// the engine after the first sweep listed the run's resources
			time.Sleep(1500 * time.Millisecond)
			_ = image.SweepRun(sctx, p, runID)
		}
		rep.Timings["teardown"] = time.Since(start).Milliseconds()
	}()
	onCleanup := func(f func()) {
		mu.Lock()
		cleanups = append(cleanups, f)
		mu.Unlock()
	}

	ca, err := pki.NewCA("ngxlint verify CA")
	if err != nil {
		return rep, err
	}

	progress("creating network")
	// not cut short by Ctrl-C: a network the engine creates must come back
	// with its handle, so that the clean-up removes it
	nw, err := NewNetwork(context.WithoutCancel(ctx), runLabels)
	if err != nil {
		return rep, fmt.Errorf("harness: network: %w", err)
	}
	netCleanup = func() {
		cctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = nw.Remove(cctx)
	}
	if ctx.Err() != nil {
		return rep, ctx.Err()
	}
	lap("network")

	// Every host nginx resolves at load time must be an alias on the
	// network, or nginx refuses to start: each target gets its edge (even
	// one no request reaches), every other name a lenient stand-in that
	// also answers plain HTTP (an auth_request service, a fallback).
	taken := map[string]bool{}
	for _, t := range targets {
		if !t.ip {
			taken[t.host] = true
		}
	}
	sinkNames, sinkPorts := sinks(m, taken)
	progress("starting %d edge container(s)", countEdges(targets)+boolInt(len(sinkNames) > 0))
	var startErr error
	startEdge := func(spec EdgeSpec, into **Edge) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e, err := RunEdge(ctx, nw, spec)
			if e != nil && e.Container != nil {
				onCleanup(func() { _ = e.Terminate() })
			}
			mu.Lock()
			defer mu.Unlock()
			if err != nil && startErr == nil {
				startErr = err
			}
			if into != nil {
				*into = e
			}
		}()
	}
	edgeOf := map[string]*target{}
	for _, t := range targets {
		if t.ip {
			continue
		}
		if first, ok := edgeOf[t.host]; ok {
			// one host on two ports: the first target's edge serves both
			t.edge = first.edge
			continue
		}
		edgeOf[t.host] = t
		cfg, err := edgeConfig(ca, t, o)
		if err != nil {
			startErr = err
			break // wait below for the edges already starting
		}
		startEdge(EdgeSpec{Image: edgeRef, Aliases: []string{t.host}, Port: t.port, NoWait: true, Config: cfg, Labels: runLabels}, &t.edge)
	}
	if len(sinkNames) > 0 && startErr == nil {
		startEdge(EdgeSpec{Image: edgeRef, Aliases: sinkNames, NoWait: true, Config: edge.Config{Names: sinkNames, Profile: edge.ProfileLenient, Plain: sinkPorts}, Labels: runLabels}, nil)
	}
	wg.Wait()
	if startErr != nil {
		return rep, startErr
	}
	for _, t := range targets {
		if t.edge == nil {
			if first, ok := edgeOf[t.host]; ok {
				t.edge = first.edge
			}
		}
	}
	lap("edges")

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
	ngx, startLog, err := startNginx(ctx, nginxRef, nw, st, ca, serverLeaf, runLabels)
	if first := ngx; first != nil {
		// first, not ngx: ngx is reassigned when the fixed configuration
		// runs in a second container, and this one must go too
		onCleanup(func() { _ = testcontainers.TerminateContainer(first, testcontainers.StopTimeout(0)) })
	}
	running := err == nil
	if err != nil {
		if ctx.Err() != nil {
			return rep, ctx.Err()
		}
		lap("nginx")
		rep.NginxError = nginxMessage(startLog, err)
		progress("nginx did not start: %s", rep.NginxError)
		startFailed(targets, tree, o, rep, startLog, false)
	} else {
		for _, t := range targets {
			if t.edge != nil {
				if err := t.edge.Ready(ctx); err != nil {
					return rep, err
				}
				if t.addrs == nil {
					if t.addrs, err = t.edge.IPs(ctx); err != nil {
						return rep, err
					}
				}
			}
		}
		rep.NginxVersion = nginxVersion(ctx, ngx)
		lap("nginx")
		progress("probing %d location(s)", countProbes(targets))
		if err := runProbes(ctx, ngx, st, targets, false, nil); err != nil {
			return rep, err
		}
		lap("probes")
		if st, err = openGuards(ctx, ngx, tree, m, st, stOpts, targets, false, rep, ca, serverLeaf, progress); err != nil {
			return rep, err
		}
		lap("probes")
	}

	if o.Fix {
		progress("applying ngxlint fixes to a copy")
		fixed, err := fixedTree(ctx, o, load)
		if err != nil {
			return rep, err
		}
		m2 := model.Build(fixed)
		remap(targets, m, m2)
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
			if rep.FixedConfigTest, err = reload(ctx, ngx, st, st2); err != nil {
				if rep.FixedConfigTest == "" {
					return rep, err
				}
				startFailed(targets, fixed, o, rep, rep.FixedConfigTest, true)
				ngx = nil
			}
		} else {
			ngx2, startLog2, err := startNginx(ctx, nginxRef, nw, st2, ca, serverLeaf, runLabels)
			if ngx2 != nil {
				onCleanup(func() { _ = testcontainers.TerminateContainer(ngx2, testcontainers.StopTimeout(0)) })
			}
			if err != nil {
				rep.FixedConfigTest = nginxMessage(startLog2, err)
				startFailed(targets, fixed, o, rep, startLog2, true)
				ngx = nil
			} else {
				ngx = ngx2
				rep.FixedConfigTest = "ok"
				rep.NginxVersion = nginxVersion(ctx, ngx)
				for _, t := range targets {
					if t.edge != nil && t.addrs == nil {
						if t.addrs, err = t.edge.IPs(ctx); err != nil {
							return rep, err
						}
					}
				}
			}
		}
		lap("fix")
		if ngx != nil {
			if err := runProbes(ctx, ngx, st2, targets, true, nil); err != nil {
				return rep, err
			}
			if _, err = openGuards(ctx, ngx, fixed, m2, st2, stOpts, targets, true, rep, ca, serverLeaf, progress); err != nil {
				return rep, err
			}
		}
		lap("probes")
	}
	if rep.ConfigNginxVersion != "" && rep.NginxVersion != "" && rep.ConfigNginxVersion != rep.NginxVersion {
		rep.Notes = append(rep.Notes, fmt.Sprintf("the configuration is linted for nginx %s and the harness ran nginx %s: defaults that differ between them (TLS protocols, proxy_http_version) are %s's here; --nginx-image runs another version",
			rep.ConfigNginxVersion, rep.NginxVersion, rep.NginxVersion))
	}
	for _, t := range targets {
		decide(t, o.Fix)
		for _, pr := range t.probes {
			t.rep.Probes = append(t.rep.Probes, pr.rep)
		}
		rep.Upstreams = append(rep.Upstreams, t.rep)
	}
	progress("done")
	return rep, nil
}

// openGuards re-runs, with the access guards opened in a staged copy, the
// probes of targets no request reached; it says which guards it opened.
func openGuards(ctx context.Context, ngx *testcontainers.DockerContainer, tree *config.Tree, m *model.Model, st *staged, stOpts stageOptions,
	targets []*target, after bool, rep *Report, ca *pki.CA, leaf *pki.Leaf, progress func(string, ...any)) (*staged, error) {
	only := map[*target]bool{}
	for _, t := range targets {
		if t.edge == nil {
			continue
		}
		reached := false
		for _, pr := range t.probes {
			j := pr.before
			if after {
				j = pr.after
			}
			if j != nil && j.reached {
				reached = true
			}
		}
		if !reached {
			only[t] = true
		}
	}
	if len(only) == 0 {
		return st, nil
	}
	o := stOpts
	o.OpenGuards = true
	o.Generation = stOpts.Generation + "g"
	open, err := stage(tree, m, o)
	if err != nil {
		return st, err
	}
	if len(open.Guards) == 0 {
		return st, nil
	}
	progress("opening %d access guard(s) in the staged copy for %d upstream(s) no request reached", len(open.Guards), len(only))
	if err := copyPKI(ctx, ngx, st, open, ca, leaf); err != nil {
		return st, err
	}
	if _, err := reload(ctx, ngx, st, open); err != nil {
		return st, err
	}
	for _, g := range open.Guards {
		if !slices.Contains(rep.Guards, g) {
			rep.Guards = append(rep.Guards, g)
		}
	}
	if err := runProbes(ctx, ngx, open, targets, after, only); err != nil {
		return open, err
	}
	return open, nil
}

// remap points each target's probes at the fixed tree's proxies, so the
// after run finds their listen ports. Fixes add and change settings but
// never add or remove a proxy directive, so the n-th proxy of the fixed
// model is the n-th of the original.
func remap(targets []*target, m, m2 *model.Model) {
	if len(m.Proxies) != len(m2.Proxies) {
		return
	}
	index := make(map[*model.Proxy]int, len(m.Proxies))
	for i, p := range m.Proxies {
		index[p] = i
	}
	for _, t := range targets {
		for _, pr := range t.probes {
			if i, ok := index[pr.proxy]; ok {
				pr.proxy = m2.Proxies[i]
			}
		}
	}
}

// startFailed judges every probe of a run in which nginx refused the
// configuration: a target whose proxies carry a finding that predicts
// nginx's message failed (nginx refusing to start is the failure, as for
// NGX106); a configuration that needs a newer nginx than the harness
// runs is unverifiable; anything else is unverifiable with nginx's
// message.
func startFailed(targets []*target, tree *config.Tree, o Options, rep *Report, log string, after bool) {
	lines := classify(log)
	msg := rep.NginxError
	if after {
		msg = rep.FixedConfigTest
	}
	newer := needsNewer(lines, rep)
	classes := map[string]bool{}
	for _, l := range lines {
		classes[l.Class] = true
	}
	lo := o.Lint
	lo.Model = nil
	res := lint.Run(tree, lo)
	for _, t := range targets {
		predicted := ""
		for _, f := range res.Findings {
			if f.Suppressed || f.Node == nil {
				continue
			}
			for _, c := range f.Rule.LogClasses {
				if classes[c] && atProxies(f.Node, t) {
					predicted = f.Rule.ID
				}
			}
		}
		out := &Outcome{Error: "nginx did not start", Log: lines, EdgeOutcome: "none"}
		if after {
			out.Error = "nginx did not start with the fixed configuration"
		}
		var j *judged
		switch {
		case predicted != "":
			j = &judged{out: out, reached: true, why: fmt.Sprintf("nginx refuses to start (%s predicts it): %s", predicted, msg)}
		case newer != "":
			j = &judged{out: out, why: newer}
		default:
			j = &judged{out: out, why: "nginx did not start: " + msg}
		}
		for _, pr := range t.probes {
			if pr.unreachable != "" {
				continue
			}
			if after {
				pr.after, pr.rep.After = j, out
			} else {
				pr.before, pr.rep.Before = j, out
			}
		}
	}
}

// atProxies reports whether a finding's statement is one of t's proxies
// or in a location (or server, or upstream block) they use.
func atProxies(n *config.Directive, t *target) bool {
	for _, p := range t.proxies {
		if n == p.Directive {
			return true
		}
		for x := p.Directive.Parent; x != nil; x = x.Parent {
			if n.Parent == x {
				return true
			}
		}
		if p.Upstream != nil && (n == p.Upstream.Node || n.Parent == p.Upstream.Node) {
			return true
		}
	}
	return false
}

var reNewer = regexp.MustCompile(`(unknown directive|invalid parameter) "([^"]+)"`)

// needsNewer tells, from nginx's refusal, a configuration written for a
// newer nginx than the harness runs: the reason for unverifiable verdicts.
func needsNewer(lines []LogLine, rep *Report) string {
	for _, l := range lines {
		m := reNewer.FindStringSubmatch(l.Text)
		if m == nil {
			continue
		}
		v := rep.NginxVersion
		if v == "" {
			v = "the harness's nginx"
		} else {
			v = "nginx " + v
		}
		want := "a newer nginx"
		if rep.ConfigNginxVersion != "" {
			want = "nginx " + rep.ConfigNginxVersion
		}
		return fmt.Sprintf("newer-nginx: the configuration needs %s (%s %q), and the harness runs %s; run verify with --nginx-image of that version where a registry is reachable", want, m[1], m[2], v)
	}
	return ""
}

// nginxMessage is nginx's own [emerg] line from its start output, else
// the start error's first line.
func nginxMessage(log string, err error) string {
	for _, line := range strings.Split(log, "\n") {
		if strings.Contains(line, "[emerg]") {
			if i := strings.Index(line, "[emerg]"); i >= 0 {
				return "nginx: " + strings.TrimSpace(line[i:])
			}
		}
	}
	return firstLine(err.Error())
}

// edgeConfig is what one target's edge serves: a certificate from the
// run's CA for the served names (a self-signed one for the impostor
// profile), adjusted by the caller's hook.
func edgeConfig(ca *pki.CA, t *target, o Options) (edge.Config, error) {
	leaf, err := ca.IssueLeaf(t.rep.ServedNames)
	if err != nil {
		return edge.Config{}, err
	}
	cfg := edge.Config{Names: t.rep.ServedNames, Profile: o.Profile, CertPEM: leaf.CertPEM, KeyPEM: leaf.KeyPEM, HostCheck: true}
	if o.Profile == ProfileImpostor {
		// an attacker answering for the host: right names, a certificate
		// no CA vouches for
		fake, err := pki.SelfSigned(t.rep.ServedNames)
		if err != nil {
			return edge.Config{}, err
		}
		cfg.Profile, cfg.CertPEM, cfg.KeyPEM = edge.ProfileLenient, fake.CertPEM, fake.KeyPEM
		t.impostor = true
	}
	if o.EdgeHook != nil {
		if err := o.EdgeHook(ca, t.host, &cfg); err != nil {
			return edge.Config{}, err
		}
	}
	return cfg, nil
}

func countProbes(ts []*target) int {
	n := 0
	for _, t := range ts {
		for _, pr := range t.probes {
			if pr.unreachable == "" {
				n++
			}
		}
	}
	return n
}

func countEdges(ts []*target) int {
	seen := map[string]bool{}
	for _, t := range ts {
		if !t.ip {
			seen[t.host] = true
		}
	}
	return len(seen)
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

// stubSet records the stand-ins of a run's loads.
type stubSet struct {
	mu   sync.Mutex
	seen map[string]string
}

func (s *stubSet) list() []StubFile {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []StubFile{}
	for n, from := range s.seen {
		out = append(out, StubFile{Name: n, From: from})
	}
	slices.SortFunc(out, func(a, b StubFile) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// loader returns how the run loads the configuration, every time the
// same: standard input read once (the fix rounds load again), and the
// production-only includes a repository lacks stood in for, from the
// nginx package's own files where it has one of that name (mime.types,
// proxy_params, snippets/fastcgi-php.conf), else empty.
func loader(o Options) (func(ctx context.Context, overlay map[string][]byte) (*config.Tree, []config.Diagnostic), *stubSet, error) {
	var stdin []byte
	if o.Root == "-" {
		r := o.Load.Stdin
		if r == nil {
			r = os.Stdin
		}
		b, err := io.ReadAll(r)
		if err != nil {
			return nil, nil, fmt.Errorf("read standard input: %w", err)
		}
		stdin = b
	}
	pkg := o.PackageConf
	if pkg == "" {
		pkg = "/etc/nginx"
	}
	stubs := &stubSet{seen: map[string]string{}}
	missing := func(name string) ([]byte, string, bool) {
		rel := strings.TrimPrefix(path.Clean(filepath.ToSlash(name)), "/etc/nginx/")
		if rel == path.Clean(filepath.ToSlash(name)) {
			// relative to the conf prefix: try the package's file of the
			// same name below its conf directory
			rel = path.Base(name)
			if d := path.Base(path.Dir(name)); d == "snippets" || d == "modules-enabled" {
				rel = d + "/" + rel
			}
		}
		src, why := []byte{}, "stubbed: not in the repository"
		if b, err := os.ReadFile(filepath.Join(pkg, rel)); err == nil {
			src, why = b, "the nginx package's "+path.Join("/etc/nginx", rel)
		}
		stubs.mu.Lock()
		stubs.seen[name] = why
		stubs.mu.Unlock()
		return src, why, true
	}
	return func(ctx context.Context, overlay map[string][]byte) (*config.Tree, []config.Diagnostic) {
		co := o.Load
		co.Overlay = overlay
		co.Missing = missing
		if stdin != nil {
			co.Stdin = bytes.NewReader(stdin)
		}
		return config.Load(ctx, o.Root, co)
	}, stubs, nil
}

// fixedTree applies every safe fix in memory and returns the fixed tree.
func fixedTree(ctx context.Context, o Options, load fix.Loader) (*config.Tree, error) {
	res, err := fix.Converge(ctx, load, func(t *config.Tree) []rule.Finding {
		return lint.AtLeast(lint.Run(t, o.Lint).Findings, o.FixSeverity)
	}, 20)
	if err != nil {
		return nil, fmt.Errorf("fix: %w", err)
	}
	return res.Tree, nil
}

// newRunID names one run for LabelRun.
func newRunID() (string, error) {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}
