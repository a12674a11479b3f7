package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
	tclog "github.com/testcontainers/testcontainers-go/log"

	"github.com/ngxlint/ngxlint/harness"
	"github.com/ngxlint/ngxlint/harness/edge"
	"github.com/ngxlint/ngxlint/harness/image"
)

func init() { extraCommands = append(extraCommands, newVerifyCmd) }

func newVerifyCmd() *cobra.Command {
	var o loadOpts
	var (
		doFix     bool
		format    string
		ngxImage  string
		upstreams []string
		profile   string
		verbose   bool
	)
	c := &cobra.Command{
		Use:   "verify [--fix] PATH",
		Short: "Run the config in a real nginx against mock CDN edges: reproduce the failure, prove the fix",
		Long: `Run the configuration in a throwaway nginx container against mock TLS edges that
behave like a CDN, one per TLS upstream host and reachable under its real name,
so nginx's SNI behaviour is exactly production's. One request goes through
every proxying location. With --fix, ngxlint's fixes are applied to a copy and
the requests run again.

The edges serve the names a correct configuration must send: proxy_ssl_name if
set, else the literal Host header, else the server's only server_name.
--upstream HOST=NAME[,NAME…] overrides them.

Verdicts: ok (worked as given), fixed (failed before, works after --fix),
failing (still fails), reproduced (failed; --fix not asked).

Needs a Docker engine. No image is ever pulled unless --nginx-image names one
that is missing locally; by default an image is built from the host's nginx.

Exit status: 0 every upstream ok or fixed; 1 otherwise; 2 usage; 3 the config
does not load; 4 Docker (or an nginx to put in the image) is unavailable.`,
		Example: `  ngxlint verify fixtures/blog/broken.conf
  ngxlint verify --fix fixtures/blog/broken.conf
  ngxlint verify --nginx-image nginx:1.27 --fix /etc/nginx`,
		Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			if !slices.Contains(harness.Formats, format) {
				return usagef("--format %q: want one of %s", format, strings.Join(harness.Formats, ", "))
			}
			lo, _, err := o.lintOptions()
			if err != nil {
				return err
			}
			copts, err := o.configOptions()
			if err != nil {
				return err
			}
			ups := map[string][]string{}
			for _, u := range upstreams {
				host, names, ok := strings.Cut(u, "=")
				if !ok || host == "" || names == "" {
					return usagef("--upstream %q: want HOST=NAME[,NAME…]", u)
				}
				for _, n := range strings.Split(names, ",") {
					if n = strings.TrimSpace(n); n != "" {
						ups[strings.ToLower(host)] = append(ups[strings.ToLower(host)], strings.ToLower(n))
					}
				}
			}
			if err := harness.CheckProfile(profile); err != nil {
				return usagef("--edge-profile: %v", err)
			}
			if !verbose {
				// testcontainers narrates every container step; the
				// progress lines say what matters
				tclog.SetDefault(tclog.NewNoopLogger())
			}
			fixSev, err := o.fixSeverity()
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(cmdContext(c), os.Interrupt, syscall.SIGTERM)
			defer stop()
			rep, err := harness.Verify(ctx, harness.Options{
				Root: args[0], Load: copts, Lint: lo, NginxImage: ngxImage,
				Upstreams: ups, Profile: profile, Fix: doFix, FixSeverity: fixSev, Progress: c.ErrOrStderr(),
			})
			switch {
			case errors.Is(err, harness.ErrConfig):
				return exit(exitConfig, err)
			case errors.Is(err, image.ErrDockerUnavailable):
				return exit(exitDocker, fmt.Errorf("%w\nngxlint verify runs nginx in containers: install Docker (Debian: apt-get install docker.io; then start dockerd) or point DOCKER_HOST at an engine", err))
			case errors.Is(err, image.ErrNoNginx), errors.Is(err, image.ErrImageUnavailable):
				return exit(exitDocker, err)
			case err != nil:
				if ctx.Err() != nil {
					return exit(130, fmt.Errorf("interrupted; containers and networks removed"))
				}
				return err
			}
			if err := rep.Write(c.OutOrStdout(), format); err != nil {
				return fmt.Errorf("write report: %w", err)
			}
			if !rep.Passed() {
				return exit(exitFindings, nil)
			}
			return nil
		},
	}
	o.register(c)
	o.registerFixSeverity(c)
	f := c.Flags()
	f.BoolVar(&doFix, "fix", false, "apply ngxlint's fixes to a copy and verify again")
	f.StringVarP(&format, "format", "f", "text", "output format: "+strings.Join(harness.Formats, ", "))
	f.StringVar(&ngxImage, "nginx-image", "", "nginx image to run, e.g. nginx:1.27 (default: built from the host's nginx)")
	f.StringArrayVar(&upstreams, "upstream", nil, "names an upstream host serves: HOST=NAME[,NAME…] (repeatable)")
	f.BoolVarP(&verbose, "verbose", "v", false, "show testcontainers' own log lines")
	f.StringVar(&profile, "edge-profile", "cdn", "edge behaviour: "+edge.ProfileHelp(harness.Profiles()))
	return c
}

func cmdContext(c *cobra.Command) context.Context {
	if ctx := c.Context(); ctx != nil {
		return ctx
	}
	return context.Background()
}
