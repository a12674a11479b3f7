package lint_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ngxlint/ngxlint/lint"
	"github.com/ngxlint/ngxlint/nginx"
	"github.com/ngxlint/ngxlint/nginx/config"
	"github.com/ngxlint/ngxlint/rules"
	"github.com/ngxlint/ngxlint/rules/rule"
)

func TestDeclaredVersion(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		ok, bad   bool
		want      nginx.Version
	}{
		{"none", "events {}\n", false, false, nginx.Version{}},
		{"first line", "# ngxlint:nginx-version 1.22.1\nevents {}\n", true, false, nginx.Version{Major: 1, Minor: 22, Patch: 1}},
		{"after the context line", "# ngxlint:context location\n# ngxlint:nginx-version 1.27.3  # want nothing\nproxy_pass http://a;\n", true, false, nginx.Version{Major: 1, Minor: 27, Patch: 3}},
		{"nginx/ prefix", "#ngxlint:nginx-version nginx/1.24.0\nevents {}\n", true, false, nginx.Version{Major: 1, Minor: 24, Patch: 0}},
		{"after the first statement: ignored", "events {}\n# ngxlint:nginx-version 1.22.1\n", false, false, nginx.Version{}},
		{"unparsable", "# ngxlint:nginx-version one\nevents {}\n", true, true, nginx.Version{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tree, diags := config.Parse(context.Background(), "t.conf", []byte(tc.src), config.Options{})
			require.False(t, config.HasErrors(diags), "%v", diags)
			v, ok, err := lint.DeclaredVersion(tree)
			assert.Equal(t, tc.ok, ok)
			assert.Equal(t, tc.bad, err != nil, "%v", err)
			if !tc.bad {
				assert.Equal(t, tc.want, v)
			}
		})
	}
}

// The declared version switches version-dependent rules; an explicit
// Options.Version (--nginx-version, .ngxlint.yaml) wins over it.
func TestDeclaredVersionDrivesRules(t *testing.T) {
	src := "# ngxlint:nginx-version 1.22.1\nevents {}\nhttp { server { location / { proxy_pass https://a.example.net; } } }\n"
	tree, diags := config.Parse(context.Background(), "t.conf", []byte(src), config.Options{})
	require.False(t, config.HasErrors(diags))
	only := []*rule.Rule{rules.NGX108}
	assert.Len(t, lint.Run(tree, lint.Options{Rules: only}).Findings, 1, "1.22.1's default protocols lack TLSv1.3")
	assert.Empty(t, lint.Run(tree, lint.Options{Rules: only, Version: nginx.Version{Major: 1, Minor: 27, Patch: 3}}).Findings, "the option wins")
}
