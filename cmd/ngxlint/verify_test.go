package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// buildVerify builds ngxlint-verify into a directory of its own.
func buildVerify(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	out, err := exec.Command("go", "build", "-o", filepath.Join(dir, "ngxlint-verify"), "../ngxlint-verify").CombinedOutput()
	require.NoError(t, err, "%s", out)
	return dir
}

// TestVerifyForwards: `ngxlint verify` is ngxlint-verify found on PATH,
// with the same arguments, standard streams and exit status; its flags
// (and --help) are ngxlint-verify's.
func TestVerifyForwards(t *testing.T) {
	bin := buildVerify(t)
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	root := repoRoot(t)
	chdir(t, root)
	for _, tc := range []struct {
		name      string
		stdin     string
		args      []string
		code      int
		out, serr string
	}{
		{"usage error", "", []string{"verify", "--format", "xml", "fixtures/blog/broken.conf"}, 2, "", `--format "xml": want one of text, json`},
		{"unknown flag", "", []string{"verify", "--nope", "fixtures/blog/broken.conf"}, 2, "", "unknown flag: --nope"},
		{"config that does not load", "", []string{"verify", "fixtures/nope.conf"}, 3, "", "fixtures/nope.conf"},
		{"standard input", "http { server { location / { return 200 } } }\n", []string{"verify", "-"}, 3, "", "unexpected \"}\""},
		{"help lists the flags", "", []string{"verify", "--help"}, 0, "--edge-profile", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, code := cli(t, tc.stdin, tc.args...)
			assert.Equal(t, tc.code, code, "stdout:\n%s\nstderr:\n%s", out, errOut)
			assert.Contains(t, out, tc.out)
			assert.Contains(t, errOut, tc.serr)
		})
	}
}

// TestVerifyNotInstalled: without ngxlint-verify, verify exits 4 and says
// how to install it; --help still describes the command.
func TestVerifyNotInstalled(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	out, errOut, code := cli(t, "", "verify", "fixtures/blog/broken.conf")
	assert.Equal(t, 4, code, "stdout:\n%s\nstderr:\n%s", out, errOut)
	assert.Contains(t, errOut, "go install github.com/ngxlint/ngxlint/cmd/ngxlint-verify@")
	out, _, code = cli(t, "", "verify", "--help")
	assert.Equal(t, 0, code)
	assert.Contains(t, out, "mock TLS edges")
	assert.Contains(t, out, "go install github.com/ngxlint/ngxlint/cmd/ngxlint-verify@")
}

// TestVerifyNextToExecutable: installed side by side (go install puts
// both in GOBIN), ngxlint finds ngxlint-verify next to itself, also when
// run through a symbolic link, whatever PATH says.
func TestVerifyNextToExecutable(t *testing.T) {
	bin := buildVerify(t)
	out, err := exec.Command("go", "build", "-o", filepath.Join(bin, "ngxlint"), ".").CombinedOutput()
	require.NoError(t, err, "%s", out)
	link := filepath.Join(t.TempDir(), "ngxlint")
	require.NoError(t, os.Symlink(filepath.Join(bin, "ngxlint"), link))
	for _, exe := range []string{filepath.Join(bin, "ngxlint"), link} {
		cmd := exec.Command(exe, "verify", "--format", "xml", "../../fixtures/blog/broken.conf")
		cmd.Env = append(os.Environ(), "PATH="+t.TempDir())
		out, err := cmd.CombinedOutput()
		var ee *exec.ExitError
		require.ErrorAs(t, err, &ee, "%s", out)
		assert.Equal(t, 2, ee.ExitCode(), "%s: %s", exe, out)
		assert.Contains(t, string(out), `--format "xml": want one of text, json`)
	}
}
