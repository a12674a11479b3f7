package settings

import (
	"fmt"
	"strings"

	"github.com/ngxlint/ngxlint/lint"
	"github.com/ngxlint/ngxlint/nginx"
	"github.com/ngxlint/ngxlint/nginx/config"
	"github.com/ngxlint/ngxlint/rules/rule"
)

// Flags are the command line's overrides of the file, as typed; an empty
// value was not given. Merging them with a File is the one place where
// settings are parsed into the types the loader and the driver take, so
// that every command (and any program embedding ngxlint) merges alike.
type Flags struct {
	Prefix       string
	Maps         []string
	Context      string
	Enable       []string
	Disable      []string
	NginxVersion string
	FailOn       string
	TrustedCA    string
}

// ConfigOptions merges the loader's settings: prefix, snippet context and
// path mappings (the file's mappings resolve relative to the file).
func (f *File) ConfigOptions(fl Flags) (config.Options, error) {
	opts := config.Options{Prefix: f.Resolve(f.Prefix), Context: f.Context}
	if fl.Prefix != "" {
		opts.Prefix = fl.Prefix
	}
	if fl.Context != "" {
		opts.Context = fl.Context
	}
	if opts.Context != "" && !contains(config.Contexts, opts.Context) {
		return opts, fmt.Errorf("--context %q: want one of %s", opts.Context, strings.Join(config.Contexts, ", "))
	}
	maps := append([]string{}, fl.Maps...)
	for _, m := range f.Map {
		from, to, ok := strings.Cut(m, "=")
		if ok {
			m = from + "=" + f.Resolve(to)
		}
		maps = append(maps, m)
	}
	for _, m := range maps {
		mp, err := config.ParseMapping(m)
		if err != nil {
			return opts, err
		}
		opts.PathMap = append(opts.PathMap, mp)
	}
	return opts, nil
}

// LintOptions merges rule selection, severities, the nginx version, the
// proposed CA bundle and the failing severity. Flags win over the file;
// enable wins over disable at the same level.
func (f *File) LintOptions(fl Flags) (lint.Options, rule.Severity, error) {
	var lo lint.Options
	vs := f.NginxVersion
	if fl.NginxVersion != "" {
		vs = fl.NginxVersion
	}
	// Without a flag or setting, lint.Run takes the version the root
	// file declares (# ngxlint:nginx-version), else nginx.Latest.
	if vs != "" {
		v, err := nginx.ParseVersion(vs)
		if err != nil {
			return lo, 0, err
		}
		lo.Version = v
	}
	lo.Settings.TrustedCA = f.TrustedCA
	if fl.TrustedCA != "" {
		lo.Settings.TrustedCA = fl.TrustedCA
	}
	enabled := map[string]bool{}
	for _, r := range rule.All() {
		enabled[r.ID] = true
	}
	lo.Severity = map[string]rule.Severity{}
	set := func(keys []string, on bool, where string) error {
		for _, k := range keys {
			for _, k := range strings.Split(k, ",") {
				k = strings.TrimSpace(k)
				if k == "" {
					continue
				}
				r, ok := rule.Lookup(k)
				if !ok {
					return fmt.Errorf("%s: unknown rule %q (see 'ngxlint rules')", where, k)
				}
				enabled[r.ID] = on
			}
		}
		return nil
	}
	for k, rs := range f.Rules {
		r, ok := rule.Lookup(k)
		if !ok {
			return lo, 0, fmt.Errorf("%s: rules: unknown rule %q (see 'ngxlint rules')", f.Path, k)
		}
		if rs.Enabled != nil {
			enabled[r.ID] = *rs.Enabled
		}
		if rs.Severity != "" {
			s, err := rule.ParseSeverity(rs.Severity)
			if err != nil {
				return lo, 0, fmt.Errorf("%s: rules: %s: %w", f.Path, k, err)
			}
			lo.Severity[r.ID] = s
		}
	}
	for _, step := range []struct {
		keys  []string
		on    bool
		where string
	}{
		{f.Disable, false, f.Path + ": disable"},
		{f.Enable, true, f.Path + ": enable"},
		{fl.Disable, false, "--disable"},
		{fl.Enable, true, "--enable"},
	} {
		if err := set(step.keys, step.on, step.where); err != nil {
			return lo, 0, err
		}
	}
	for _, r := range rule.All() {
		if enabled[r.ID] {
			lo.Rules = append(lo.Rules, r)
		}
	}
	failOn := rule.Warning
	fs := f.FailOn
	if fl.FailOn != "" {
		fs = fl.FailOn
	}
	if fs != "" {
		s, err := rule.ParseSeverity(fs)
		if err != nil {
			return lo, 0, fmt.Errorf("--fail-on: %w", err)
		}
		failOn = s
	}
	return lo, failOn, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
