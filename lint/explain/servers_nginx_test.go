package explain_test

import (
	"context"
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

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ngxlint/ngxlint/lint/explain"
	"github.com/ngxlint/ngxlint/nginx/config"
	"github.com/ngxlint/ngxlint/nginx/errlog"
	"github.com/ngxlint/ngxlint/nginx/model"
)

// serversConf has one server per server_name kind; each answers its label.
const serversConf = `worker_processes 1;
pid {{PREFIX}}/nginx.pid;
error_log {{PREFIX}}/error.log;
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path {{PREFIX}}/tmp/body;
    proxy_temp_path {{PREFIX}}/tmp/proxy;
    fastcgi_temp_path {{PREFIX}}/tmp/fastcgi;
    uwsgi_temp_path {{PREFIX}}/tmp/uwsgi;
    scgi_temp_path {{PREFIX}}/tmp/scgi;
    server { listen 127.0.0.1:{{PORT}}; server_name first.example; return 200 "first"; }
    server { listen 127.0.0.1:{{PORT}} default_server; server_name _; return 200 "default"; }
    server { listen 127.0.0.1:{{PORT}}; server_name example.com www.example.com; return 200 "exact"; }
    server { listen 127.0.0.1:{{PORT}}; server_name *.example.org; return 200 "lead"; }
    server { listen 127.0.0.1:{{PORT}}; server_name *.a.example.org; return 200 "lead-longer"; }
    server { listen 127.0.0.1:{{PORT}}; server_name www.example.org; return 200 "exact-org"; }
    server { listen 127.0.0.1:{{PORT}}; server_name .example.net; return 200 "dot"; }
    server { listen 127.0.0.1:{{PORT}}; server_name mail.*; return 200 "trail"; }
    server { listen 127.0.0.1:{{PORT}}; server_name mail.example.*; return 200 "trail-longer"; }
    server { listen 127.0.0.1:{{PORT}}; server_name ~^api\d+\.example\.io$; return 200 "regex-digits"; }
    server { listen 127.0.0.1:{{PORT}}; server_name ~^api; return 200 "regex-api"; }
    server { listen 127.0.0.1:{{PORT}}; server_name ~^CASE\.example\.io$; return 200 "regex-caseless"; }
}
`

// TestServerMatchingAgainstNginx starts the host's nginx and checks that
// a log line whose "server:" field names no server is mapped, by its
// Host, to the server nginx itself picks for that Host.
func TestServerMatchingAgainstNginx(t *testing.T) {
	bin, err := exec.LookPath("nginx")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("nginx is not installed; scripts/setup.sh installs it")
		}
		t.Skip("SKIP: nginx is not installed (apt-get install nginx); server matching is not checked against it")
	}
	prefix := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(prefix, "tmp"), 0o755))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := ln.Addr().(*net.TCPAddr).Port
	require.NoError(t, ln.Close())
	src := strings.ReplaceAll(serversConf, "{{PORT}}", fmt.Sprint(port))
	src = strings.ReplaceAll(src, "{{PREFIX}}", prefix)
	conf := filepath.Join(prefix, "nginx.conf")
	require.NoError(t, os.WriteFile(conf, []byte(src), 0o644))
	tree, diags := config.Load(context.Background(), conf, config.Options{})
	require.False(t, config.HasErrors(diags), "%v", diags)
	ix := explain.NewIndex(model.Build(tree))

	cmd := exec.Command(bin, "-p", prefix, "-c", conf, "-g", "daemon off;")
	out := &strings.Builder{}
	cmd.Stdout, cmd.Stderr = out, out
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _, _ = cmd.Process.Wait() })
	client := &http.Client{Timeout: 2 * time.Second}
	base := fmt.Sprintf("http://127.0.0.1:%d/", port)
	for deadline := time.Now().Add(10 * time.Second); ; {
		resp, err := client.Get(base)
		if err == nil {
			resp.Body.Close()
			break
		}
		require.True(t, time.Now().Before(deadline), "nginx did not start: %v\n%s", err, out)
		time.Sleep(50 * time.Millisecond)
	}

	label := func(host string) string {
		for _, s := range ix.Model().Servers {
			line := fmt.Sprintf(`2026/11/26 01:00:00 [error] 1#1: *1 upstream prematurely closed connection while reading response header from upstream, client: 127.0.0.1, server: no-such-name, request: "GET / HTTP/1.1", upstream: "http://127.0.0.1:1/", host: "%s"`, host)
			e, ok := errlog.Parse([]byte(line))
			require.True(t, ok)
			m := ix.Map(&e)
			if m.Server == s {
				for _, d := range s.Own("return") {
					return d.Arg(1)
				}
			}
		}
		return "<none>"
	}
	hosts := []string{
		"example.com", "WWW.Example.COM", "example.com:8080", "example.com.",
		"x.example.org", "x.a.example.org", "a.example.org", "www.example.org", "example.org",
		"example.net", "y.example.net", "mail.foo", "mail.example.com", "mail.example",
		"api7.example.io", "apix.example.io", "case.example.io", "first.example", "unknown.test", "127.0.0.1",
	}
	for _, h := range hosts {
		req, err := http.NewRequest("GET", base, nil)
		require.NoError(t, err)
		req.Host = h
		resp, err := client.Do(req)
		require.NoError(t, err, h)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		assert.Equal(t, string(body), label(h), "Host %q: nginx chose %q", h, body)
	}
}
