package main

import (
	"errors"
	"fmt"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
	tclog "github.com/testcontainers/testcontainers-go/log"

	"github.com/ngxlint/ngxlint/cmd/internal/cmdutil"
	"github.com/ngxlint/ngxlint/harness"
	"github.com/ngxlint/ngxlint/harness/edge"
	"github.com/ngxlint/ngxlint/harness/image"
)

func newVerifyCmd() *cobra.Command {
	var o cmdutil.Options
	var (
		doFix     bool
		format    string
		ngxImage  string
		upstreams []string
		profile   string
		verbose   bool
	)
	c := cmdutil.VerifyCommand()
	c.Args = cobra.ExactArgs(1)
	c.RunE = func(c *cobra.Command, args []string) error {
		if !slices.Contains(harness.Formats, format) {
			return cmdutil.Usagef("--format %q: want one of %s", format, strings.Join(harness.Formats, ", "))
		}
		lo, _, err := o.LintOptions()
		if err != nil {
			return err
		}
		copts, err := o.ConfigOptions()
		if err != nil {
			return err
		}
		ups := map[string][]string{}
		for _, u := range upstreams {
			host, names, ok := strings.Cut(u, "=")
			if !ok || host == "" || names == "" {
				return cmdutil.Usagef("--upstream %q: want HOST=NAME[,NAME…]", u)
			}
			for _, n := range strings.Split(names, ",") {
				if n = strings.TrimSpace(n); n != "" {
					ups[strings.ToLower(host)] = append(ups[strings.ToLower(host)], strings.ToLower(n))
				}
			}
		}
		if err := harness.CheckProfile(profile); err != nil {
			return cmdutil.Usagef("--edge-profile: %v", err)
		}
		if !verbose {
			// testcontainers narrates every container step; the
			// progress lines say what matters
			tclog.SetDefault(tclog.NewNoopLogger())
		}
		fixSev, err := o.FixSeverity()
		if err != nil {
			return err
		}
		ctx, stop := signal.NotifyContext(cmdutil.CmdContext(c), os.Interrupt, syscall.SIGTERM)
		defer stop()
		rep, err := harness.Verify(ctx, harness.Options{
			Root: args[0], Load: copts, Lint: lo, NginxImage: ngxImage,
			Upstreams: ups, Profile: profile, Fix: doFix, FixSeverity: fixSev, Progress: c.ErrOrStderr(),
		})
		switch {
		case errors.Is(err, harness.ErrConfig):
			return cmdutil.Exit(cmdutil.ExitConfig, err)
		case errors.Is(err, image.ErrDockerUnavailable):
			return cmdutil.Exit(cmdutil.ExitDocker, fmt.Errorf("%w\nngxlint verify runs nginx in containers: install Docker (Debian: apt-get install docker.io; then start dockerd) or point DOCKER_HOST at an engine", err))
		case errors.Is(err, image.ErrNoNginx), errors.Is(err, image.ErrImageUnavailable):
			return cmdutil.Exit(cmdutil.ExitDocker, err)
		case err != nil:
			if ctx.Err() != nil {
				return cmdutil.Exit(130, fmt.Errorf("interrupted; containers and networks removed"))
			}
			return err
		}
		if err := rep.Write(c.OutOrStdout(), format); err != nil {
			return fmt.Errorf("write report: %w", err)
		}
		// 0 only when every upstream is ok or fixed (and at least one was
		// verified), or there was nothing to verify and the report says so
		if !rep.Passed() {
			return cmdutil.Exit(cmdutil.ExitFindings, nil)
		}
		return nil
	}
	o.Register(c)
	o.RegisterFixSeverity(c)
	f := c.Flags()
	f.BoolVar(&doFix, "fix", false, "apply ngxlint's fixes to a copy and verify again")
	f.StringVarP(&format, "format", "f", "text", "output format: "+strings.Join(harness.Formats, ", "))
	f.StringVar(&ngxImage, "nginx-image", "", "nginx image to run, e.g. nginx:1.27 (default: built from the host's nginx)")
	f.StringArrayVar(&upstreams, "upstream", nil, "names an upstream host serves: HOST=NAME[,NAME…] (repeatable)")
	f.BoolVarP(&verbose, "verbose", "v", false, "show testcontainers' own log lines")
	f.StringVar(&profile, "edge-profile", "cdn", "edge behaviour: "+edge.ProfileHelp(harness.Profiles()))
	return c
}
