package harness

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	tcexec "github.com/testcontainers/testcontainers-go/exec"

	"github.com/ngxlint/ngxlint/harness/pki"
	"github.com/testcontainers/testcontainers-go"
)

// startNginx runs nginx with the staged files.
func startNginx(ctx context.Context, ref string, nw *testcontainers.DockerNetwork, st *staged, ca *pki.CA, leaf *pki.Leaf, labels map[string]string) (*testcontainers.DockerContainer, string, error) {
	var files []testcontainers.ContainerFile
	addFile := func(p string, b []byte, mode int64) {
		files = append(files, testcontainers.ContainerFile{Reader: bytes.NewReader(b), ContainerFilePath: p, FileMode: mode})
	}
	names := make([]string, 0, len(st.Files))
	for n := range st.Files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		addFile(n, st.Files[n], 0o644)
	}
	for _, p := range st.CertPaths {
		addFile(p, leaf.FullChainPEM(), 0o644)
	}
	for _, p := range st.KeyPaths {
		addFile(p, leaf.KeyPEM, 0o600)
	}
	for _, p := range st.CAPaths {
		addFile(p, ca.RootPEM(), 0o644)
	}
	addFile(harnessErrorLog, nil, 0o666)
	addFile(harnessAccessLog, nil, 0o666)

	var ports []string
	for _, lp := range st.Ports {
		ports = append(ports, strconv.Itoa(lp.Port)+"/tcp")
	}
	n, err := RunNginx(ctx, nw, NginxSpec{
		Image: ref, ConfPath: st.ConfPath, Files: files,
		ReadyPath: readyPath, ReadyPort: strconv.Itoa(HarnessPort) + "/tcp", Ports: ports, Labels: labels,
	})
	if err != nil {
		if n == nil {
			return nil, "", err
		}
		return n.Container, containerOutput(n.Container), err
	}
	return n.Container, "", nil
}

func nginxVersion(ctx context.Context, c *testcontainers.DockerContainer) string {
	_, r, err := c.Exec(ctx, []string{"nginx", "-v"}, tcexec.Multiplexed())
	if err != nil {
		return ""
	}
	b, _ := io.ReadAll(r)
	s := strings.TrimSpace(string(b))
	if i := strings.Index(s, "nginx/"); i >= 0 {
		return strings.Fields(s[i+len("nginx/"):])[0]
	}
	return s
}

// copyPKI gives the paths the fixed configuration names for certificates,
// keys and CA bundles, and the running one does not, the harness's files
// (a fix that turns on verification names a bundle such as
// /etc/ssl/certs/ca-certificates.crt).
func copyPKI(ctx context.Context, c *testcontainers.DockerContainer, old, st *staged, ca *pki.CA, leaf *pki.Leaf) error {
	had := map[string]bool{}
	for _, l := range [][]string{old.CertPaths, old.KeyPaths, old.CAPaths} {
		for _, p := range l {
			had[p] = true
		}
	}
	for _, f := range []struct {
		paths []string
		data  []byte
		mode  int64
	}{{st.CertPaths, leaf.FullChainPEM(), 0o644}, {st.KeyPaths, leaf.KeyPEM, 0o600}, {st.CAPaths, ca.RootPEM(), 0o644}} {
		for _, p := range f.paths {
			if had[p] {
				continue
			}
			if err := c.CopyToContainer(ctx, f.data, p, f.mode); err != nil {
				return fmt.Errorf("harness: copy %s: %w", p, err)
			}
		}
	}
	return nil
}

// reload copies the fixed files in, checks them with nginx -t, and
// reloads, waiting until the new generation answers.
func reload(ctx context.Context, c *testcontainers.DockerContainer, old, st *staged) (string, error) {
	for p, b := range st.Files {
		if ob, ok := old.Files[p]; ok && bytes.Equal(ob, b) {
			continue
		}
		if err := c.CopyToContainer(ctx, b, p, 0o644); err != nil {
			return "", fmt.Errorf("harness: copy %s: %w", p, err)
		}
	}
	code, r, err := c.Exec(ctx, []string{"nginx", "-t", "-c", st.ConfPath}, tcexec.Multiplexed())
	if err != nil {
		return "", fmt.Errorf("harness: nginx -t: %w", err)
	}
	out, _ := io.ReadAll(r)
	if code != 0 {
		return strings.TrimSpace(string(out)), fmt.Errorf("harness: nginx -t rejects the fixed configuration:\n%s", out)
	}
	logStart, err := readContainerFile(ctx, c, harnessErrorLog)
	if err != nil {
		return "", err
	}
	code, r, err = c.Exec(ctx, []string{"nginx", "-c", st.ConfPath, "-s", "reload"}, tcexec.Multiplexed())
	if err != nil || code != 0 {
		b, _ := io.ReadAll(r)
		return "", fmt.Errorf("harness: nginx -s reload: %v %s", err, b)
	}
	base, err := loopbackURL(ctx, c, strconv.Itoa(HarnessPort)+"/tcp")
	if err != nil {
		return "", err
	}
	client := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := client.Get(base + readyPath)
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if string(b) == st.Generation {
				// The new workers answer, but old ones may still accept
				// on the stream listeners until they exit.
				waitOldWorkers(ctx, c, len(logStart))
				return "ok", nil
			}
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	return "", fmt.Errorf("harness: nginx did not load the fixed configuration within 20s")
}

// waitOldWorkers waits until every worker that began a graceful shutdown
// after the reload has exited (the master logs both at notice level).
func waitOldWorkers(ctx context.Context, c *testcontainers.DockerContainer, from int) {
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		b, err := readContainerFile(ctx, c, harnessErrorLog)
		if err == nil && len(b) >= from {
			s := string(b[from:])
			down := strings.Count(s, "gracefully shutting down")
			exited := strings.Count(s, "exited with code")
			if down > 0 && exited >= down {
				return
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(20 * time.Millisecond):
		}
	}
}
