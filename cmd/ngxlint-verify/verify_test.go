package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ngxlint/ngxlint/harness/harnesstest"
)

func TestVerifyUsage(t *testing.T) {
	chdir(t, repoRoot(t))
	for _, args := range [][]string{
		{"verify"},
		{"verify", "--format", "xml", "fixtures/blog/broken.conf"},
		{"verify", "--upstream", "nohost", "fixtures/blog/broken.conf"},
		{"verify", "--edge-profile", "weird", "fixtures/blog/broken.conf"},
	} {
		_, errOut, code := cli(t, "", args...)
		assert.Equal(t, 2, code, "%v: %s", args, errOut)
	}
}

// TestVerifyCLIReproduces runs `ngxlint verify` in-process against real
// containers: the blog's broken config is reproduced (exit 1).
func TestVerifyCLIReproduces(t *testing.T) {
	harnesstest.RequireDocker(t)
	chdir(t, repoRoot(t))
	out, errOut, code := cli(t, "", "verify", "--format", "json", "fixtures/blog/broken.conf")
	require.Equal(t, 1, code, "stderr:\n%s", errOut)
	var rep struct {
		NginxImage   string `json:"nginx_image"`
		NginxVersion string `json:"nginx_version"`
		Upstreams    []struct {
			Target      string   `json:"target"`
			ServedNames []string `json:"served_names"`
			Locations   []struct {
				File string
				Line int
			} `json:"locations"`
			Before struct {
				Status int    `json:"status"`
				SNI    string `json:"sni"`
				Log    []struct {
					Class, Level, Text string
					Rules              []string
				} `json:"log"`
			} `json:"before"`
			Verdict string `json:"verdict"`
		} `json:"upstreams"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &rep), out)
	assert.NotEmpty(t, rep.NginxImage)
	assert.NotEmpty(t, rep.NginxVersion)
	require.Len(t, rep.Upstreams, 1)
	u := rep.Upstreams[0]
	assert.Equal(t, "d1234567890.cloudfront.net", u.Target)
	assert.Equal(t, []string{"d1234567890.cloudfront.net", "example.com"}, u.ServedNames)
	assert.Equal(t, "fixtures/blog/broken.conf", u.Locations[0].File)
	assert.Equal(t, 11, u.Locations[0].Line)
	assert.Equal(t, 502, u.Before.Status)
	assert.Equal(t, "reproduced", u.Verdict)
	require.NotEmpty(t, u.Before.Log)
	assert.Contains(t, u.Before.Log[0].Rules, "NGX101")
}

// TestVerifyWithoutDocker hides the Docker socket in a private mount
// namespace: verify must exit 4 and say how to get Docker.
func TestVerifyWithoutDocker(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("SKIP: hiding the Docker socket needs root (unshare -m)")
	}
	bin := t.TempDir() + "/ngxlint-verify"
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	require.NoError(t, err, "%s", out)
	cmd := exec.Command("unshare", "-m", "sh", "-c", `mount -t tmpfs none /run && exec "$0" verify ../../fixtures/blog/broken.conf`, bin)
	cmd.Env = append(os.Environ(), "DOCKER_HOST=")
	outb, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	require.ErrorAs(t, err, &ee, "%s", outb)
	if ee.ExitCode() == 1 && len(outb) < 200 {
		t.Skipf("SKIP: cannot make a private mount namespace here: %s", outb)
	}
	assert.Equal(t, 4, ee.ExitCode(), "%s", outb)
	assert.Contains(t, string(outb), "install Docker")
}
