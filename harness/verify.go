package harness

import (
	"context"
	"errors"
	"fmt"
	"io"
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
	"github.com/ngxlint/ngxlint/nginx/config"
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

// fixedTree applies every safe fix in memory and reloads the tree.
func fixedTree(ctx context.Context, o Options) (*config.Tree, error) {
	res, err := fix.Tree(ctx, o.Root, o.Load, o.Lint, o.FixSeverity)
	if err != nil {
		return nil, fmt.Errorf("fix: %w", err)
	}
	return res.Tree, nil
}
