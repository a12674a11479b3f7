// Package cmdutil holds what the ngxlint and ngxlint-verify commands share:
// the options every command that reads a configuration takes (flags and
// .ngxlint.yaml, parsed once into typed options), the exit codes of the CI
// contract, and the root command both binaries run.
package cmdutil

import (
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ngxlint/ngxlint/lint"
	"github.com/ngxlint/ngxlint/lint/settings"
	"github.com/ngxlint/ngxlint/nginx"
	"github.com/ngxlint/ngxlint/nginx/config"
	"github.com/ngxlint/ngxlint/rules/rule"
)

// Options are the flags shared by every command that reads a config tree.
type Options struct {
	ConfigPath string
	Prefix     string
	Maps       []string
	Context    string
	Enable     []string
	Disable    []string
	Version    string
	FailOn     string
	TrustedCA  string
	FixSev     string

	file *settings.File
}

func (o *Options) Register(c *cobra.Command) {
	f := c.Flags()
	f.StringVar(&o.ConfigPath, "config", "", "path to .ngxlint.yaml (default: found by walking up from the working directory)")
	f.StringVar(&o.Prefix, "prefix", "", "nginx conf prefix: relative includes resolve against it (default: the main file's directory)")
	f.StringArrayVar(&o.Maps, "map", nil, "map a deployed path to a local one, e.g. /etc/nginx=./nginx (repeatable)")
	f.StringVar(&o.Context, "context", "", "what a snippet is: "+strings.Join(config.Contexts, ", "))
	f.StringSliceVar(&o.Enable, "enable", nil, "enable rules by ID or slug (repeatable, comma-separated)")
	f.StringSliceVar(&o.Disable, "disable", nil, "disable rules by ID or slug (repeatable, comma-separated)")
	f.StringVar(&o.Version, "nginx-version", "", "nginx version the config runs on (default "+nginx.Latest.String()+")")
	f.StringVar(&o.TrustedCA, "trusted-ca", "", "CA bundle path proposed by verification fixes (default "+rule.DefaultTrustedCA+")")
}

// SettingsFile loads .ngxlint.yaml; errors are usage errors (exit 2).
func (o *Options) SettingsFile() (*settings.File, error) {
	if o.file != nil {
		return o.file, nil
	}
	var f *settings.File
	var err error
	if o.ConfigPath != "" {
		f, err = settings.Load(o.ConfigPath)
	} else {
		wd, _ := os.Getwd()
		f, err = settings.Find(wd)
	}
	if err != nil {
		return nil, Exit(ExitUsage, err)
	}
	if f == nil {
		f = &settings.File{}
	}
	o.file = f
	return f, nil
}

// Flags are the command line's overrides of .ngxlint.yaml.
func (o *Options) Flags() settings.Flags {
	return settings.Flags{
		Prefix: o.Prefix, Maps: o.Maps, Context: o.Context, Enable: o.Enable, Disable: o.Disable,
		NginxVersion: o.Version, FailOn: o.FailOn, TrustedCA: o.TrustedCA,
	}
}

// ConfigOptions merges the loader's settings; errors are usage errors.
func (o *Options) ConfigOptions() (config.Options, error) {
	f, err := o.SettingsFile()
	if err != nil {
		return config.Options{}, err
	}
	opts, err := f.ConfigOptions(o.Flags())
	if err != nil {
		return opts, Exit(ExitUsage, err)
	}
	return opts, nil
}

// LintOptions resolves rule selection, severities and version; errors are
// usage errors.
func (o *Options) LintOptions() (lint.Options, rule.Severity, error) {
	f, err := o.SettingsFile()
	if err != nil {
		return lint.Options{}, 0, err
	}
	lo, failOn, err := f.LintOptions(o.Flags())
	if err != nil {
		return lo, 0, Exit(ExitUsage, err)
	}
	return lo, failOn, nil
}

// RegisterFixSeverity adds --severity, the least severe finding whose
// fix is applied (fix, verify --fix).
func (o *Options) RegisterFixSeverity(c *cobra.Command) {
	c.Flags().StringVar(&o.FixSev, "severity", rule.DefaultFixSeverity.String(), "apply fixes of findings at or above this severity: error, warning, info (info-level fixes such as proxy_ssl_verify on change behaviour)")
}

// FixSeverity parses --severity; errors are usage errors.
func (o *Options) FixSeverity() (rule.Severity, error) {
	s, err := rule.ParseSeverity(o.FixSev)
	if err != nil {
		return 0, Usagef("--severity: %v", err)
	}
	return s, nil
}
