package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The README documents `ngxlint completion bash|zsh|fish` (cobra's).
func TestCompletion(t *testing.T) {
	for _, tc := range []struct {
		shell, marker string
	}{
		{"bash", "__start_ngxlint"},
		{"zsh", "#compdef ngxlint"},
		{"fish", "complete -c ngxlint"},
	} {
		t.Run(tc.shell, func(t *testing.T) {
			out, errOut, code := cli(t, "", "completion", tc.shell)
			require.Equal(t, 0, code, errOut)
			assert.Contains(t, out, tc.marker)
		})
	}
	// What the scripts ask the binary: the subcommands and a command's flags.
	out, _, code := cli(t, "", "__complete", "")
	require.Equal(t, 0, code)
	names := map[string]bool{}
	for _, line := range strings.Split(out, "\n") {
		name, _, _ := strings.Cut(line, "\t")
		names[name] = true
	}
	for _, c := range []string{"lint", "fix", "rules", "explain", "verify", "version", "completion"} {
		assert.True(t, names[c], "%s is offered: %q", c, out)
	}
	out, _, code = cli(t, "", "__complete", "lint", "--fail")
	require.Equal(t, 0, code)
	assert.Contains(t, out, "--fail-on\t")
}
