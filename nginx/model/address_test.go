package model

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/ngxlint/ngxlint/nginx/config"
)

func TestParseAddress(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Address
		str  string
	}{
		{"example.com", Address{Host: "example.com"}, "example.com"},
		{"example.com:8443", Address{Host: "example.com", Port: "8443"}, "example.com:8443"},
		{"[::1]:443", Address{Host: "::1", Port: "443"}, "[::1]:443"},
		{"[2001:db8::1]", Address{Host: "2001:db8::1"}, "[2001:db8::1]"},
		{"2001:db8::1", Address{Host: "2001:db8::1"}, "[2001:db8::1]"},
		{"unix:/run/app.sock", Address{Unix: "/run/app.sock"}, "unix:/run/app.sock"},
		{"10.0.0.1:80", Address{Host: "10.0.0.1", Port: "80"}, "10.0.0.1:80"},
	} {
		got := ParseAddress(tc.in)
		assert.Equal(t, tc.want, got, tc.in)
		assert.Equal(t, tc.str, got.String(), tc.in)
	}
}

func TestParseListenAddress(t *testing.T) {
	for _, tc := range []struct {
		in       string
		want     Address
		wildcard bool
	}{
		{"8080", Address{Port: "8080"}, true},
		{"*:80", Address{Host: "*", Port: "80"}, true},
		{"0.0.0.0:443", Address{Host: "0.0.0.0", Port: "443"}, true},
		{"[::]:443", Address{Host: "::", Port: "443"}, true},
		{"127.0.0.1", Address{Host: "127.0.0.1", Port: "80"}, false},
		{"localhost", Address{Host: "localhost", Port: "80"}, false},
		{"unix:/tmp/ngx.sock", Address{Unix: "/tmp/ngx.sock"}, false},
	} {
		got := ParseListenAddress(tc.in)
		assert.Equal(t, tc.want, got, tc.in)
		assert.Equal(t, tc.wildcard, got.IsWildcard(), tc.in)
	}
}

func TestParseListenAndUpstreamServer(t *testing.T) {
	tree, diags := config.Parse(context.Background(), "t.conf", []byte(`http {
  upstream b { server 10.0.0.1 backup; server app.internal:8443 resolve max_fails=3; server unix:/run/s.sock down; }
  server { listen 443 ssl default_server; listen [::]:443 quic; }
}`), config.Options{})
	if !assert.Empty(t, diags) {
		return
	}
	m := Build(tree)
	srv := m.Servers[0]
	ls := srv.Listens()
	if assert.Len(t, ls, 2) {
		assert.True(t, ls[0].SSL)
		assert.True(t, ls[0].DefaultServer)
		assert.Equal(t, "443", ls[0].Port)
		assert.True(t, ls[1].QUIC)
		assert.True(t, ls[1].IsIPv6())
	}
	ms := m.Upstreams["b"].Members()
	if assert.Len(t, ms, 3) {
		assert.True(t, ms[0].Backup)
		p, explicit := ms[0].EffectivePort()
		assert.Equal(t, "80", p)
		assert.False(t, explicit)
		assert.True(t, ms[1].Resolve)
		assert.Equal(t, []string{"resolve", "max_fails=3"}, ms[1].Params)
		assert.True(t, ms[2].Down)
		assert.True(t, ms[2].IsUnix())
	}
}

func TestPlainServerNames(t *testing.T) {
	plain, patterns := PlainServerNames([]string{"Example.com", "example.com", "_", "", "*.example.org", ".example.net", "~^www\\.", "$hostname", "www.example.*", "api.example.com"})
	assert.Equal(t, []string{"example.com", "api.example.com"}, plain)
	assert.Equal(t, []string{"*.example.org", ".example.net", "~^www\\.", "$hostname", "www.example.*"}, patterns)
}
