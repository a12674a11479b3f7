package model_test

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

	"github.com/ngxlint/ngxlint/nginx/config"
	"github.com/ngxlint/ngxlint/nginx/model"
)

// label returns the text a fixture location answers with.
func label(s *model.Scope) string {
	if s == nil {
		return "<none>"
	}
	for _, d := range s.Own("return") {
		return d.Arg(1)
	}
	return "<unlabelled>"
}

func loadLocations(t *testing.T, port int, prefix string) *model.Model {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("..", "..", "fixtures", "locations", "nginx.conf"))
	require.NoError(t, err)
	s := strings.ReplaceAll(string(src), "{{PORT}}", fmt.Sprint(port))
	s = strings.ReplaceAll(s, "{{PREFIX}}", prefix)
	conf := filepath.Join(prefix, "nginx.conf")
	require.NoError(t, os.WriteFile(conf, []byte(s), 0o644))
	tree, diags := config.Load(context.Background(), conf, config.Options{})
	require.False(t, config.HasErrors(diags), "%v", diags)
	return model.Build(tree)
}

func uris(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "fixtures", "locations", "uris.txt"))
	require.NoError(t, err)
	return strings.Fields(string(b))
}

// TestLocationMatchingAgainstNginx starts the host's real nginx on
// loopback and checks that our matcher picks the location nginx picks for
// every URI of the fixture.
func TestLocationMatchingAgainstNginx(t *testing.T) {
	bin, err := exec.LookPath("nginx")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("nginx is not installed; scripts/setup.sh installs it")
		}
		t.Skip("SKIP: nginx is not installed (apt-get install nginx); location matching is not checked against it")
	}
	prefix := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(prefix, "tmp"), 0o755))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := ln.Addr().(*net.TCPAddr).Port
	require.NoError(t, ln.Close())
	m := loadLocations(t, port, prefix)

	cmd := exec.Command(bin, "-p", prefix, "-c", filepath.Join(prefix, "nginx.conf"), "-g", "daemon off;")
	out := &strings.Builder{}
	cmd.Stdout, cmd.Stderr = out, out
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _, _ = cmd.Process.Wait() })

	client := &http.Client{Timeout: 2 * time.Second}
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := client.Get(base + "/")
		if err == nil {
			resp.Body.Close()
			break
		}
		require.True(t, time.Now().Before(deadline), "nginx did not start: %v\n%s", err, out)
		time.Sleep(50 * time.Millisecond)
	}
	require.Len(t, m.Servers, 1)
	for _, u := range uris(t) {
		req, err := http.NewRequest("GET", base+u, nil)
		require.NoError(t, err)
		req.URL.Opaque = u // send the target exactly as written
		req.Host = "example.com"
		resp, err := client.Do(req)
		require.NoError(t, err, u)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		got := label(model.MatchLocation(m.Servers[0], model.NormalizeURI(u)))
		assert.Equal(t, string(body), got, "URI %s: nginx chose %q, ngxlint %q", u, body, got)
	}
}

func TestSampleURI(t *testing.T) {
	prefix := t.TempDir()
	m := loadLocations(t, 8080, prefix)
	srv := m.Servers[0]
	n := 0
	var walk func(s *model.Scope)
	walk = func(s *model.Scope) {
		for _, c := range s.Children {
			if c.Kind != model.KindLocation || model.LocOf(c).Modifier == "@" {
				continue
			}
			u, ok := model.SampleURI(srv, c)
			if ok {
				n++
				assert.Equal(t, label(c), label(model.MatchLocation(srv, u)), "sample %s for %s", u, model.LocOf(c))
			}
			walk(c)
		}
	}
	walk(srv)
	assert.GreaterOrEqual(t, n, 15, "most locations get a sample URI")
}

func TestMatchServer(t *testing.T) {
	src := `http {
  server { listen 80; server_name first.example; }
  server { listen 80 default_server; server_name default.example; }
  server { server_name example.com www.example.com; }
  server { server_name *.example.com; }
  server { server_name .example.org; }
  server { server_name mail.*; }
  server { server_name ~^(?<sub>api\d+)\.example\.net$; }
}`
	tree, diags := config.Parse(context.Background(), "s.conf", []byte(src), config.Options{})
	require.False(t, config.HasErrors(diags))
	m := model.Build(tree)
	name := func(s *model.Scope) string { return s.ServerNames()[0] }
	for host, want := range map[string]string{
		"example.com":        "example.com",
		"WWW.example.com:80": "example.com",
		"a.example.com":      "*.example.com",
		"example.org":        ".example.org",
		"x.example.org":      ".example.org",
		"mail.foo":           "mail.*",
		"api7.example.net":   `~^(?<sub>api\d+)\.example\.net$`,
		"unknown.test":       "default.example",
	} {
		assert.Equal(t, want, name(model.MatchServer(m.Servers, host)), host)
	}
}
