package harness_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/moby/moby/client"
	"github.com/testcontainers/testcontainers-go"
	tcexec "github.com/testcontainers/testcontainers-go/exec"
	tclog "github.com/testcontainers/testcontainers-go/log"
	"github.com/testcontainers/testcontainers-go/network"

	"github.com/ngxlint/ngxlint/harness"
	"github.com/ngxlint/ngxlint/harness/edge"
	"github.com/ngxlint/ngxlint/harness/harnesstest"
	"github.com/ngxlint/ngxlint/harness/image"
	"github.com/ngxlint/ngxlint/harness/pki"
)

// The edge image packages this test binary, so it must dispatch to the edge.
func TestMain(m *testing.M) { harnesstest.Main(m) }

const errorLog = "/var/log/nginx/harness-error.log"

const nginxConf = `worker_processes 1;
error_log /var/log/nginx/harness-error.log info;
pid /run/nginx.pid;
events { worker_connections 64; }
http {
    access_log off;
    server {
        listen 80;
        location = /__harness/ready { return 200; }

        # The blog's mistake: no SNI to a CloudFront-like edge.
        location / { proxy_pass https://d1234567890.cloudfront.net; }

        # The fix.
        location /sni/ {
            proxy_pass https://d1234567890.cloudfront.net;
            proxy_ssl_server_name on;
            proxy_ssl_name example.com;
        }

        # The fix plus verification of the 2-intermediate chain. Session
        # reuse off: all these locations share one implicit upstream, and
        # nginx would resume the session /sni/ established without
        # verification, whose stored verify result is 20 (see below).
        location /verify/ {
            proxy_pass https://d1234567890.cloudfront.net;
            proxy_ssl_server_name on;
            proxy_ssl_name example.com;
            proxy_ssl_verify on;
            proxy_ssl_trusted_certificate /etc/nginx/harness-ca.pem;
            proxy_ssl_verify_depth 2;
            proxy_ssl_session_reuse off;
        }
        location /verify-reuse/ {
            proxy_pass https://d1234567890.cloudfront.net;
            proxy_ssl_server_name on;
            proxy_ssl_name example.com;
            proxy_ssl_verify on;
            proxy_ssl_trusted_certificate /etc/nginx/harness-ca.pem;
            proxy_ssl_verify_depth 2;
        }

        # An SNI-strict edge answers alert 112 (logged at [crit] by 1.22).
        location /strict/ { proxy_pass https://strict.cloudfront.net; }

        # SNI right, Host left at $proxy_host: the edge routes on Host.
        location /strict-sni/ {
            proxy_pass https://strict.cloudfront.net;
            proxy_ssl_server_name on;
            proxy_ssl_name example.com;
        }
        location /strict-sni-host/ {
            proxy_pass https://strict.cloudfront.net;
            proxy_ssl_server_name on;
            proxy_ssl_name example.com;
            proxy_set_header Host example.com;
        }
    }
}
`

func TestNginxAgainstEdge(t *testing.T) {
	p := harnesstest.RequireDocker(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	logger := testcontainers.WithLogger(tclog.TestLogger(t))
	progress := &testWriter{t}

	t0 := time.Now()
	nginxImg, err := image.EnsureNginx(ctx, p, os.Getenv("NGXLINT_NGINX_IMAGE"), progress)
	if err != nil {
		t.Fatal(err)
	}
	edgeImg, err := image.EnsureEdge(ctx, p, progress)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("images %s, %s ready in %s", nginxImg, edgeImg, time.Since(t0).Round(time.Millisecond))

	chain, err := pki.NewChain([]string{"example.com"}, 2)
	if err != nil {
		t.Fatal(err)
	}

	t1 := time.Now()
	nw, err := network.New(ctx, network.WithLabels(image.Labels()))
	testcontainers.CleanupNetwork(t, nw) // registered first: runs after the containers' cleanups
	if err != nil {
		t.Fatal(err)
	}

	// The two edges start concurrently; nginx must start after both (it
	// resolves literal proxy_pass hosts at load).
	edgeSpecs := []harness.EdgeSpec{{
		Image:   edgeImg,
		Aliases: []string{"d1234567890.cloudfront.net"},
		Config: edge.Config{
			Names: []string{"example.com"}, Profile: edge.ProfileCDN,
			CertPEM: chain.Leaf.CertPEM, KeyPEM: chain.Leaf.KeyPEM, ChainPEM: chain.Leaf.ChainPEM,
		},
		Customizers: []testcontainers.ContainerCustomizer{logger},
	}, {
		Image:       edgeImg,
		Aliases:     []string{"strict.cloudfront.net"},
		Config:      edge.Config{Names: []string{"example.com"}, Profile: edge.ProfileStrict, HostCheck: true},
		Customizers: []testcontainers.ContainerCustomizer{logger},
	}}
	edges := make([]*harness.Edge, len(edgeSpecs))
	errs := make([]error, len(edgeSpecs))
	var wg sync.WaitGroup
	for i, spec := range edgeSpecs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			edges[i], errs[i] = harness.RunEdge(ctx, nw, spec)
		}()
	}
	wg.Wait()
	for i := range edges {
		if edges[i] != nil {
			testcontainers.CleanupContainer(t, edges[i].Container, testcontainers.StopTimeout(0))
		}
	}
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	cdn, strict := edges[0], edges[1]

	ngx, err := harness.RunNginx(ctx, nw, harness.NginxSpec{
		Image:  nginxImg,
		Config: nginxConf,
		Files: []testcontainers.ContainerFile{{
			Reader: bytes.NewReader(chain.Root.CertPEM), ContainerFilePath: "/etc/nginx/harness-ca.pem", FileMode: 0o644,
		}},
		Customizers: []testcontainers.ContainerCustomizer{logger},
	})
	testcontainers.CleanupContainer(t, ngx.Container, testcontainers.StopTimeout(0))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("network + 2 edges + nginx up in %s", time.Since(t1).Round(time.Millisecond))

	// Every container carries the sweep labels and publishes on loopback only.
	for _, c := range []*testcontainers.DockerContainer{cdn.Container, strict.Container, ngx.Container} {
		ins, err := c.Inspect(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if ins.Config.Labels[image.LabelHarness] != "1" || ins.Config.Labels[image.LabelOwner] != image.Owner() {
			t.Errorf("%s: labels %v", c.GetContainerID()[:12], ins.Config.Labels)
		}
		for port, bindings := range ins.NetworkSettings.Ports {
			for _, b := range bindings {
				if b.HostIP.String() != "127.0.0.1" {
					t.Errorf("%s: %s published on %s", c.GetContainerID()[:12], port, b.HostIP)
				}
			}
		}
	}
	if !strings.HasPrefix(ngx.BaseURL, "http://127.0.0.1:") || !strings.HasPrefix(cdn.AdminURL, "http://127.0.0.1:") {
		t.Fatalf("non-loopback URLs %s %s", ngx.BaseURL, cdn.AdminURL)
	}

	client := &http.Client{Timeout: 20 * time.Second}
	// get sends GET path with Host example.com and returns the status, the
	// body and the error.log lines the request added.
	get := func(t *testing.T, path string) (int, string, string) {
		t.Helper()
		before := readFile(t, ngx, errorLog)
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, ngx.BaseURL+path, nil)
		req.Host = "example.com"
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		after := readFile(t, ngx, errorLog)
		if len(after) < len(before) {
			before = nil
		}
		return resp.StatusCode, string(body), string(after[len(before):])
	}
	lastConn := func(t *testing.T, e *harness.Edge, since int64) edge.LogEntry {
		t.Helper()
		entries, err := e.Log(ctx, since)
		if err != nil {
			t.Fatal(err)
		}
		for i := len(entries) - 1; i >= 0; i-- {
			if entries[i].Kind == "conn" {
				return entries[i]
			}
		}
		t.Fatalf("edge logged no connection after seq %d: %+v", since, entries)
		return edge.LogEntry{}
	}
	seq := func(t *testing.T, e *harness.Edge) int64 {
		entries, err := e.Log(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) == 0 {
			return 0
		}
		return entries[len(entries)-1].Seq
	}

	t.Run("no SNI: alert 40", func(t *testing.T) {
		since := seq(t, cdn)
		code, body, delta := get(t, "/")
		if code != http.StatusBadGateway {
			t.Errorf("status %d, want 502: %s", code, body)
		}
		if !strings.Contains(delta, "SSL alert number 40) while SSL handshaking to upstream") || !strings.Contains(delta, "[error]") {
			t.Errorf("error.log lacks the alert-40 line:\n%s", delta)
		}
		e := lastConn(t, cdn, since)
		if e.ClientHello == nil || e.ClientHello.HasSNI || e.Outcome != "rejected" || e.Alert != 40 || e.Reason != "no_sni" {
			t.Errorf("edge log: %+v hello %+v", e, e.ClientHello)
		}
		t.Logf("edge saw: has_sni=%v versions=%v outcome=%s alert=%d", e.ClientHello.HasSNI, e.ClientHello.Versions, e.Outcome, e.Alert)
	})

	t.Run("SNI example.com: 200", func(t *testing.T) {
		code, body, delta := get(t, "/sni/x?y=1")
		var echo edge.Request
		if err := json.Unmarshal([]byte(body), &echo); err != nil {
			t.Fatalf("status %d body %q: %v", code, body, err)
		}
		if code != 200 || echo.SNI != "example.com" || echo.ClientHello == nil || echo.ClientHello.SNI != "example.com" ||
			echo.URI != "/sni/x?y=1" || echo.TLSVersion != "TLSv1.2" {
			t.Errorf("status %d echo %+v", code, echo)
		}
		// nginx's defaults: HTTP/1.0, Host = $proxy_host.
		if echo.Proto != "HTTP/1.0" || echo.Host != "d1234567890.cloudfront.net" {
			t.Errorf("proto %s host %s", echo.Proto, echo.Host)
		}
		if strings.Contains(delta, "[error]") || strings.Contains(delta, "[crit]") {
			t.Errorf("unexpected error.log lines:\n%s", delta)
		}
	})

	t.Run("verify depth 2 accepts the pki chain", func(t *testing.T) {
		code, body, delta := get(t, "/verify/")
		if code != 200 {
			t.Errorf("status %d %s\n%s", code, body, delta)
		}
	})

	// Pins an nginx 1.22 behaviour that matters for harness isolation: a
	// verifying location resumes the session a non-verifying location
	// stored for the same upstream peer and fails with verify error 20 even
	// though the chain is fine.
	t.Run("session reuse carries an unverified session", func(t *testing.T) {
		since := seq(t, cdn)
		code, _, delta := get(t, "/verify-reuse/")
		e := lastConn(t, cdn, since)
		if code != http.StatusBadGateway || !strings.Contains(delta, "(20:unable to get local issuer certificate)") || !e.Resumed {
			t.Errorf("status %d resumed %v\n%s", code, e.Resumed, delta)
		}
	})

	t.Run("strict: alert 112 at crit", func(t *testing.T) {
		since := seq(t, strict)
		code, _, delta := get(t, "/strict/")
		if code != http.StatusBadGateway || !strings.Contains(delta, "[crit]") || !strings.Contains(delta, "alert number 112") {
			t.Errorf("status %d, error.log:\n%s", code, delta)
		}
		if e := lastConn(t, strict, since); e.ClientHello.HasSNI || e.Alert != 112 {
			t.Errorf("edge log: %+v", e)
		}
	})

	t.Run("host check: 403 unless Host is served", func(t *testing.T) {
		code, body, delta := get(t, "/strict-sni/")
		var echo edge.Request
		_ = json.Unmarshal([]byte(body), &echo)
		if code != http.StatusForbidden || echo.Host != "strict.cloudfront.net" || echo.SNI != "example.com" || delta != "" && strings.Contains(delta, "[error]") {
			t.Errorf("status %d echo %+v\n%s", code, echo, delta)
		}
		code, body, _ = get(t, "/strict-sni-host/")
		if code != 200 {
			t.Errorf("status %d %s", code, body)
		}
	})
}

func TestStreamModuleLoads(t *testing.T) {
	if os.Getenv("NGXLINT_NGINX_IMAGE") != "" {
		t.Skip("stream is built in (not a dynamic module) in nginx.org images")
	}
	if _, err := os.Stat("/usr/lib/nginx/modules/ngx_stream_module.so"); err != nil {
		t.Skipf("SKIP: libnginx-mod-stream not installed on the host: %v", err)
	}
	p := harnesstest.RequireDocker(t)
	ctx := context.Background()
	img, err := image.EnsureNginx(ctx, p, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	conf := "load_module /usr/lib/nginx/modules/ngx_stream_module.so;\n" +
		"error_log stderr;\nevents {}\nstream { server { listen 9000; return ok; } }\n" +
		"http { server { listen 80; location = /__harness/ready { return 200; } } }\n"
	ngx, err := harness.RunNginx(ctx, nil, harness.NginxSpec{Image: img, Config: conf})
	testcontainers.CleanupContainer(t, ngx.Container, testcontainers.StopTimeout(0))
	if err != nil {
		t.Fatal(err)
	}
	code, out, err := ngx.Container.Exec(ctx, []string{"nginx", "-t", "-c", harness.NginxConfPath}, tcexec.Multiplexed())
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(out)
	if code != 0 || !strings.Contains(string(b), "syntax is ok") {
		t.Fatalf("nginx -t rc=%d:\n%s", code, b)
	}
}

// TestSweep checks that Sweep removes resources of dead owners only.
func TestSweep(t *testing.T) {
	p := harnesstest.RequireDocker(t)
	ctx := context.Background()
	host, _ := os.Hostname()
	dead, err := network.New(ctx, network.WithLabels(map[string]string{
		image.LabelHarness: "1", image.LabelOwner: host + "/999999999/1",
	}))
	testcontainers.CleanupNetwork(t, dead)
	if err != nil {
		t.Fatal(err)
	}
	live, err := harness.NewNetwork(ctx)
	testcontainers.CleanupNetwork(t, live)
	if err != nil {
		t.Fatal(err)
	}
	if err := image.Sweep(ctx, p); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Client().NetworkInspect(ctx, dead.ID, client.NetworkInspectOptions{}); err == nil {
		t.Error("network of a dead owner survived Sweep")
	}
	if _, err := p.Client().NetworkInspect(ctx, live.ID, client.NetworkInspectOptions{}); err != nil {
		t.Errorf("network of this live process was swept: %v", err)
	}
}

func readFile(t *testing.T, n *harness.Nginx, path string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	b, err := n.ReadFile(ctx, path)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	return b
}

type testWriter struct{ t *testing.T }

func (w *testWriter) Write(b []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(b), "\n"))
	return len(b), nil
}
