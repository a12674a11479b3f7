package edge

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ngxlint/ngxlint/harness/pki"
)

// TestHostNginx runs the host's nginx (Debian 1.22.1 + OpenSSL 3) against
// in-process edges on 127.0.0.1, without Docker. It pins the behaviours the
// container harness relies on: the exact error.log lines, and that the pki
// chains are accepted by OpenSSL with the right verify depth.
func TestHostNginx(t *testing.T) {
	bin := "/usr/sbin/nginx"
	if _, err := os.Stat(bin); err != nil {
		t.Skipf("SKIP: host nginx not installed (%v); apt-get install nginx to run this test", err)
	}
	chain, err := pki.NewChain([]string{"example.com"}, 2)
	if err != nil {
		t.Fatal(err)
	}
	cdn := startEdge(t, Config{Names: []string{"example.com"}, HostCheck: true,
		CertPEM: chain.Leaf.CertPEM, KeyPEM: chain.Leaf.KeyPEM, ChainPEM: chain.Leaf.ChainPEM})
	strict := startEdge(t, Config{Names: []string{"example.com"}, Profile: ProfileStrict})
	tls13 := startEdge(t, Config{Names: []string{"example.com"}, MinVersion: 0x0304})

	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "ca.pem"), chain.Root.CertPEM, 0o644); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	conf := fmt.Sprintf(`daemon off;
master_process off;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log info;
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path %[1]s/body;
    proxy_temp_path %[1]s/proxy;
    fastcgi_temp_path %[1]s/fastcgi;
    uwsgi_temp_path %[1]s/uwsgi;
    scgi_temp_path %[1]s/scgi;
    # Session reuse is off in the verifying locations: they share the
    # upstream peer with /sni/, and nginx would resume the session /sni/
    # stored without verification (verify result 20) instead of verifying.
    upstream d1234567890.cloudfront.net { server %[3]s; }
    upstream strict.cloudfront.net { server %[4]s; }
    upstream tls13.cloudfront.net { server %[5]s; }
    server {
        listen 127.0.0.1:%[2]d;
        location = /ready { return 200; }
        location /nosni/ { proxy_pass https://d1234567890.cloudfront.net; }
        location /sni/ {
            proxy_pass https://d1234567890.cloudfront.net;
            proxy_ssl_server_name on; proxy_ssl_name example.com;
            proxy_set_header Host $host;
        }
        location /verify1/ {
            proxy_pass https://d1234567890.cloudfront.net;
            proxy_ssl_server_name on; proxy_ssl_name example.com; proxy_set_header Host example.com;
            proxy_ssl_verify on; proxy_ssl_trusted_certificate %[1]s/ca.pem;
            proxy_ssl_session_reuse off;
        }
        location /verify2/ {
            proxy_pass https://d1234567890.cloudfront.net;
            proxy_ssl_server_name on; proxy_ssl_name example.com; proxy_set_header Host example.com;
            proxy_ssl_verify on; proxy_ssl_trusted_certificate %[1]s/ca.pem; proxy_ssl_verify_depth 2;
            proxy_ssl_session_reuse off;
        }
        location /strict/ { proxy_pass https://strict.cloudfront.net; }
        location /tls13/ {
            proxy_pass https://tls13.cloudfront.net;
            proxy_ssl_server_name on; proxy_ssl_name example.com;
        }
    }
}
`, dir, port, cdn.Addr(), strict.Addr(), tls13.Addr())
	if err := os.WriteFile(filepath.Join(dir, "nginx.conf"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, "-p", dir, "-c", filepath.Join(dir, "nginx.conf"), "-e", filepath.Join(dir, "error.log"))
	out := &strings.Builder{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); _ = cmd.Wait() })

	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get(base + "/ready")
		if err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(dir, "error.log"))
			t.Fatalf("nginx not ready: %v\n%s\n%s", err, out, log)
		}
		time.Sleep(50 * time.Millisecond)
	}
	logPath := filepath.Join(dir, "error.log")
	get := func(path string) (int, string, string) {
		t.Helper()
		before, _ := os.ReadFile(logPath)
		req, _ := http.NewRequest("GET", base+path, nil)
		req.Host = "example.com"
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		after, _ := os.ReadFile(logPath)
		return resp.StatusCode, string(body), string(after[len(before):])
	}

	code, _, delta := get("/nosni/")
	if code != 502 || !strings.Contains(delta, "[error]") ||
		!strings.Contains(delta, "SSL alert number 40) while SSL handshaking to upstream") {
		t.Errorf("nosni: %d\n%s", code, delta)
	}
	if e := lastConn(t, cdn); e.ClientHello == nil || e.ClientHello.HasSNI ||
		strings.Join(e.ClientHello.Versions, ",") != "TLSv1.2" || e.ClientHello.SupportedVersionsExt {
		t.Errorf("nosni edge log: %+v %+v", e, e.ClientHello)
	}

	code, body, _ := get("/sni/")
	var echo Request
	_ = json.Unmarshal([]byte(body), &echo)
	if code != 200 || echo.SNI != "example.com" || echo.Host != "example.com" || echo.TLSVersion != "TLSv1.2" {
		t.Errorf("sni: %d %s", code, body)
	}

	code, _, delta = get("/verify1/")
	if code != 502 || !strings.Contains(delta, "upstream SSL certificate verify error: (20:unable to get local issuer certificate)") {
		t.Errorf("verify depth 1: %d\n%s", code, delta)
	}
	code, body, delta = get("/verify2/")
	if code != 200 {
		t.Errorf("verify depth 2: %d %s\n%s", code, body, delta)
	}

	code, _, delta = get("/strict/")
	if code != 502 || !strings.Contains(delta, "[crit]") || !strings.Contains(delta, "SSL alert number 112)") {
		t.Errorf("strict: %d\n%s", code, delta)
	}

	code, _, delta = get("/tls13/")
	if code != 502 || !strings.Contains(delta, "SSL alert number 70)") {
		t.Errorf("tls13-only: %d\n%s", code, delta)
	}
	if e := lastConn(t, tls13); e.Outcome != "handshake_error" || e.Alert != 70 {
		t.Errorf("tls13 edge log: %+v", e)
	}
}
