package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A `# ngxlint:nginx-version` comment in the config sets the version when
// neither --nginx-version nor .ngxlint.yaml does; the flag wins.
func TestNginxVersionPrecedence(t *testing.T) {
	dir := t.TempDir()
	chdir(t, dir)
	conf := filepath.Join(dir, "nginx.conf")
	require.NoError(t, os.WriteFile(conf, []byte("# ngxlint:nginx-version 1.22.1\nevents {}\nhttp { server { location / { proxy_pass https://a.example.net; proxy_ssl_server_name on; } } }\n"), 0o644))

	out, _, code := cli(t, "", "lint", "--enable", "NGX108", conf)
	assert.Equal(t, 1, code, out)
	assert.Contains(t, out, "nginx 1.22.1's default proxy_ssl_protocols")

	out, _, _ = cli(t, "", "lint", "--nginx-version", "1.27.3", conf)
	assert.NotContains(t, out, "NGX108", "the flag wins over the comment")

	require.NoError(t, os.WriteFile(filepath.Join(dir, ".ngxlint.yaml"), []byte("nginx-version: 1.30.0\n"), 0o644))
	out, _, _ = cli(t, "", "lint", conf)
	assert.NotContains(t, out, "NGX108", ".ngxlint.yaml wins over the comment")
}
