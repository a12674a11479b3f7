package harness_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/moby/moby/client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ngxlint/ngxlint/harness"
	"github.com/ngxlint/ngxlint/harness/harnesstest"
	"github.com/ngxlint/ngxlint/harness/image"
	"github.com/ngxlint/ngxlint/rules/rule"
)

func fixture(parts ...string) string {
	return filepath.Join(append([]string{"..", "fixtures"}, parts...)...)
}

func verify(t *testing.T, o harness.Options) *harness.Report {
	t.Helper()
	rep := runVerify(t, o)
	require.Len(t, rep.Upstreams, 1, "notes: %v", rep.Notes)
	return rep
}

// runVerify runs harness.Verify against real containers and logs the
// whole report when the test fails.
func runVerify(t *testing.T, o harness.Options) *harness.Report {
	t.Helper()
	harnesstest.RequireDocker(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	rep, err := harness.Verify(ctx, o)
	require.NoError(t, err)
	t.Cleanup(func() {
		if t.Failed() {
			b, _ := json.MarshalIndent(rep, "", "  ")
			t.Logf("verify report:\n%s", b)
		}
	})
	return rep
}

func logHas(o *harness.Outcome, s string) bool {
	for _, l := range o.Log {
		if strings.Contains(l.Text, s) {
			return true
		}
	}
	return false
}

// The blog's config without the two directives: 502 and alert 40 with no
// SNI before; 200 with SNI and Host example.com and the forwarded headers
// after --fix.
func TestVerifyBlogBrokenFix(t *testing.T) {
	rep := verify(t, harness.Options{Root: fixture("blog", "broken.conf"), Fix: true, FixSeverity: rule.DefaultFixSeverity})
	u := rep.Upstreams[0]
	assert.Equal(t, "d1234567890.cloudfront.net", u.Target)
	// CloudFront serves its own name and the site's alternate name
	assert.Equal(t, []string{"d1234567890.cloudfront.net", "example.com"}, u.ServedNames)
	require.NotNil(t, u.Before)
	assert.Equal(t, 502, u.Before.Status)
	assert.Empty(t, u.Before.SNI, "edge saw no SNI")
	assert.Equal(t, "rejected", u.Before.EdgeOutcome)
	assert.True(t, logHas(u.Before, "alert number 40) while SSL handshaking to upstream"), "%+v", u.Before.Log)
	assert.Equal(t, "ssl-alert-40-handshake-failure", u.Before.Log[0].Class)
	assert.Contains(t, u.Before.Log[0].Rules, "NGX101")
	require.NotNil(t, u.After)
	assert.Equal(t, 200, u.After.Status)
	assert.Equal(t, "example.com", u.After.SNI)
	assert.Equal(t, "example.com", u.After.Host)
	for _, h := range []string{"X-Forwarded-For", "X-Real-Ip", "X-Forwarded-Proto"} {
		assert.NotEmpty(t, u.After.Headers[h], h)
	}
	assert.Empty(t, u.After.Log)
	assert.Equal(t, harness.VerdictFixed, u.Verdict)
	assert.Equal(t, "ok", rep.FixedConfigTest, "nginx -t accepts the fixed tree")
	assert.NotEmpty(t, rep.NginxVersion)
}

// onlySiteName says, as --upstream does, that the edge serves only the
// site's name (the blog's premise), not CloudFront's own.
var onlySiteName = map[string][]string{"d1234567890.cloudfront.net": {"example.com"}}

func TestVerifySNIWithoutName(t *testing.T) {
	rep := verify(t, harness.Options{Root: fixture("verify", "sni-no-name.conf"), Upstreams: onlySiteName, Fix: true, FixSeverity: rule.DefaultFixSeverity})
	u := rep.Upstreams[0]
	assert.Equal(t, 502, u.Before.Status)
	assert.Equal(t, "d1234567890.cloudfront.net", u.Before.SNI)
	assert.Equal(t, 200, u.After.Status)
	assert.Equal(t, "example.com", u.After.SNI)
	assert.Equal(t, harness.VerdictFixed, u.Verdict)
}

func TestVerifyUpstreamBlock(t *testing.T) {
	rep := verify(t, harness.Options{Root: fixture("verify", "upstream-block.conf"), Fix: true, FixSeverity: rule.DefaultFixSeverity})
	u := rep.Upstreams[0]
	assert.Equal(t, "backend", u.Before.SNI, "nginx sends the block's name")
	assert.Equal(t, 502, u.Before.Status)
	assert.Equal(t, 200, u.After.Status)
	assert.Equal(t, "example.com", u.After.SNI)
	assert.Equal(t, harness.VerdictFixed, u.Verdict)
}

func TestVerifyBlogFixedIsOK(t *testing.T) {
	rep := verify(t, harness.Options{Root: fixture("blog", "fixed.conf")})
	u := rep.Upstreams[0]
	assert.Equal(t, 200, u.Before.Status)
	assert.Equal(t, "example.com", u.Before.SNI)
	assert.Equal(t, harness.VerdictOK, u.Verdict)
}

func TestVerifyStrictEdgeAlert112(t *testing.T) {
	rep := verify(t, harness.Options{Root: fixture("verify", "sni-no-name.conf"), Upstreams: onlySiteName, Profile: "strict"})
	u := rep.Upstreams[0]
	assert.Equal(t, harness.VerdictReproduced, u.Verdict)
	require.NotEmpty(t, u.Before.Log)
	l := u.Before.Log[0]
	assert.Contains(t, l.Text, "alert number 112")
	assert.Equal(t, "crit", l.Level, "nginx 1.22 logs alert 112 at [crit]")
	assert.Equal(t, "ssl-alert-112-unrecognized-name", l.Class)
}

func TestVerifyCertificateDoesNotMatch(t *testing.T) {
	rep := verify(t, harness.Options{
		Root:      fixture("verify", "verify-wrong-name.conf"),
		Profile:   "lenient",
		Upstreams: map[string][]string{"d1234567890.cloudfront.net": {"example.com"}},
	})
	u := rep.Upstreams[0]
	assert.Equal(t, 502, u.Before.Status)
	assert.True(t, logHas(u.Before, `upstream SSL certificate does not match "wrong.example.com"`), "%+v", u.Before.Log)
	assert.Equal(t, "ssl-name-mismatch", u.Before.Log[0].Class)
}

func TestVerifyStream(t *testing.T) {
	if _, err := os.Stat("/usr/lib/nginx/modules/ngx_stream_module.so"); err != nil {
		t.Skip("SKIP: Debian's nginx stream module is not installed (apt-get install libnginx-mod-stream); the stream case cannot run")
	}
	rep := verify(t, harness.Options{Root: fixture("verify", "stream.conf"), Fix: true, FixSeverity: rule.DefaultFixSeverity})
	u := rep.Upstreams[0]
	assert.Equal(t, "rejected", u.Before.EdgeOutcome)
	assert.Empty(t, u.Before.SNI)
	assert.True(t, logHas(u.Before, "alert number 40) while SSL handshaking to upstream"), "%+v", u.Before.Log)
	assert.Contains(t, u.Before.Log[0].Text, "bytes from/to client")
	assert.Equal(t, 200, u.After.Status)
	assert.Equal(t, "d1234567890.cloudfront.net", u.After.SNI)
	assert.Equal(t, harness.VerdictFixed, u.Verdict)
}

// TestVerifyInterruptCleansUp interrupts a running `ngxlint verify --fix`
// with SIGINT at ten points of its run and checks each time that it exits
// and that no container or network it labelled survives, including one
// that was still being created. The signal goes to ngxlint alone, which
// must pass it on to the ngxlint-verify it runs (the containers' owner).
func TestVerifyInterruptCleansUp(t *testing.T) {
	p := harnesstest.RequireDocker(t)
	dir := t.TempDir()
	bin := filepath.Join(dir, "ngxlint")
	for _, pkg := range []string{"ngxlint", "ngxlint-verify"} {
		build := exec.Command("go", "build", "-o", filepath.Join(dir, pkg), "../cmd/"+pkg)
		out, err := build.CombinedOutput()
		require.NoError(t, err, "%s", out)
	}

	for _, point := range []struct {
		after string
		delay time.Duration
	}{
		{"preparing images", 0},
		{"creating network", 0},
		{"creating network", 100 * time.Millisecond},
		{"edge container", 0},
		{"edge container", 250 * time.Millisecond},
		{"starting nginx", 0},
		{"starting nginx", 300 * time.Millisecond},
		{"probing", 0},
		{"applying ngxlint fixes", 0},
		{"reloading nginx", 0},
	} {
		t.Run(fmt.Sprintf("%s+%s", point.after, point.delay), func(t *testing.T) {
			cmd := exec.Command(bin, "verify", "--fix", fixture("blog", "broken.conf"))
			stderr, err := cmd.StderrPipe()
			require.NoError(t, err)
			require.NoError(t, cmd.Start())
			// the containers' owner is ngxlint-verify, ngxlint's child
			var child string
			for i := 0; i < 250 && child == ""; i++ {
				// any of its threads may have started it
				tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", cmd.Process.Pid))
				for _, task := range tasks {
					b, _ := os.ReadFile(task)
					child += strings.TrimSpace(string(b))
				}
				time.Sleep(20 * time.Millisecond)
			}
			require.NotEmpty(t, child, "ngxlint started no ngxlint-verify")
			owner := fmt.Sprintf("/%s/", strings.Fields(child)[0])
			sc := bufio.NewScanner(stderr)
			interrupted := false
			for sc.Scan() {
				if strings.Contains(sc.Text(), point.after) {
					time.Sleep(point.delay)
					require.NoError(t, cmd.Process.Signal(syscall.SIGINT))
					interrupted = true
					break
				}
			}
			go func() {
				for sc.Scan() {
				}
			}()
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case <-done:
			case <-time.After(90 * time.Second):
				_ = cmd.Process.Kill()
				t.Fatal("verify did not exit after SIGINT")
			}
			require.True(t, interrupted, "verify never printed %q", point.after)

			ctx := context.Background()
			cs, err := p.Client().ContainerList(ctx, client.ContainerListOptions{All: true})
			require.NoError(t, err)
			for _, c := range cs.Items {
				if strings.Contains(c.Labels["ngxlint.harness.owner"], owner) {
					t.Errorf("container %s (%s) of the interrupted run survived", c.ID[:12], c.State)
				}
			}
			ns, err := p.Client().NetworkList(ctx, client.NetworkListOptions{})
			require.NoError(t, err)
			for _, n := range ns.Items {
				if strings.Contains(n.Labels["ngxlint.harness.owner"], owner) {
					t.Errorf("network %s of the interrupted run survived", n.Name)
				}
			}
		})
	}
}

// TestVerifyUserImage takes the --nginx-image path: the image is used as
// given (nothing is built), here a local tag standing in for nginx:1.27.
func TestVerifyUserImage(t *testing.T) {
	p := harnesstest.RequireDocker(t)
	ctx := context.Background()
	ref, err := image.EnsureNginx(ctx, p, "", nil)
	require.NoError(t, err)
	const userRef = "ngxlint-test/nginx:user"
	_, err = p.Client().ImageTag(ctx, client.ImageTagOptions{Source: ref, Target: userRef})
	require.NoError(t, err)
	t.Cleanup(func() {
		_, _ = p.Client().ImageRemove(context.Background(), userRef, client.ImageRemoveOptions{})
	})
	rep := verify(t, harness.Options{Root: fixture("blog", "fixed.conf"), NginxImage: userRef})
	assert.Equal(t, userRef, rep.NginxImage)
	assert.Equal(t, harness.VerdictOK, rep.Upstreams[0].Verdict)
}

// TestVerifySnippet runs a location snippet: the harness wraps it in a
// generated main config (gonginx's model and dumper).
func TestVerifySnippet(t *testing.T) {
	rep := verify(t, harness.Options{Root: fixture("verify", "snippet-location.conf"), Fix: true, FixSeverity: rule.DefaultFixSeverity})
	u := rep.Upstreams[0]
	assert.Equal(t, "assets.example.net", u.Target)
	assert.Equal(t, 502, u.Before.Status)
	assert.Empty(t, u.Before.SNI)
	assert.Equal(t, 200, u.After.Status)
	assert.Equal(t, "assets.example.net", u.After.SNI)
	assert.Equal(t, harness.VerdictFixed, u.Verdict)
}

// TestVerifyDuplicateHost proves NGX305: two Host headers reach the edge,
// which answers 400 before routing; nginx logs nothing.
func TestVerifyDuplicateHost(t *testing.T) {
	rep := verify(t, harness.Options{Root: fixture("verify", "duplicate-host.conf")})
	u := rep.Upstreams[0]
	assert.Equal(t, 400, u.Before.Status)
	assert.Equal(t, "example.com", u.Before.SNI, "TLS is fine")
	assert.Empty(t, u.Before.Log, "nothing in error.log")
	assert.Equal(t, harness.VerdictReproduced, u.Verdict)
	assert.Contains(t, u.Reason, "malformed request")
}

// TestVerifyOtherUpstreamHosts: hosts of fastcgi_pass and memcached_pass
// must resolve for nginx to start.
func TestVerifyOtherUpstreamHosts(t *testing.T) {
	rep := verify(t, harness.Options{Root: fixture("verify", "compose-hosts.conf")})
	assert.Equal(t, harness.VerdictOK, rep.Upstreams[0].Verdict)
}
