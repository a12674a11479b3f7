package model

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ngxlint/ngxlint/nginx/config"
)

func TestPlatformOf(t *testing.T) {
	for host, want := range map[string]string{
		"d1234567890.cloudfront.net":                    "Amazon CloudFront",
		"contoso-h7bqc4d2ezf3gxa9.z01.azurefd.net":      "Azure Front Door",
		"example-blog.global.ssl.fastly.net":            "Fastly",
		"acme-assets.s3.eu-west-1.amazonaws.com":        "Amazon S3",
		"acme-assets.s3.amazonaws.com":                  "Amazon S3",
		"s3.eu-west-1.amazonaws.com":                    "Amazon S3",
		"acme.s3-website-eu-west-1.amazonaws.com":       "Amazon S3",
		"internal-api-1234.eu-west-1.elb.amazonaws.com": "Elastic Load Balancing",
		"orders-api-3kq9x2lmna-ew.a.run.app":            "Google Cloud Run",
		"origin.example.com":                            "",
		"dynamodb.eu-west-1.amazonaws.com":              "",
	} {
		p, ok := PlatformOf(host)
		assert.Equal(t, want != "", ok, host)
		assert.Equal(t, want, p.Name, host)
	}
}

// served lints src and asks the policy about the first TLS proxy's host.
func served(t *testing.T, src string) Served {
	t.Helper()
	tree, diags := config.Parse(context.Background(), "nginx.conf", []byte(src), config.Options{})
	require.False(t, config.HasErrors(diags), "%v", diags)
	m := Build(tree)
	var target string
	var ps []*Proxy
	for _, p := range m.Proxies {
		if !p.TLS {
			continue
		}
		h := p.Host
		if p.Upstream != nil {
			h = ParseAddress(p.Upstream.Servers[0].Arg(0)).Host
		} else if p.HostKind == HostVariable {
			for _, v := range p.Values {
				if v.Upstream != nil {
					h = ParseAddress(v.Upstream.Servers[0].Arg(0)).Host
				} else {
					h = v.Host
				}
				break
			}
		}
		if target == "" {
			target = h
		}
		if h == target {
			ps = append(ps, p)
		}
	}
	require.NotEmpty(t, ps)
	return m.ServedNames(target, ps)
}

func TestServedNames(t *testing.T) {
	for _, tc := range []struct {
		name     string
		conf     string
		want     []string
		complete bool
	}{
		{"cloudfront custom domain through $host",
			`server { server_name www.example.org; location / { proxy_pass https://d1.cloudfront.net; proxy_ssl_server_name on; proxy_ssl_name www.example.org; proxy_set_header Host $host; } }`,
			[]string{"d1.cloudfront.net", "www.example.org"}, true},
		{"front door's $proxy_host settings",
			`server { server_name app.contoso.com; location / { proxy_pass https://web-abc.z01.azurefd.net; proxy_ssl_server_name on; proxy_ssl_name $proxy_host; proxy_set_header Host $proxy_host; } }`,
			[]string{"web-abc.z01.azurefd.net"}, true},
		{"sni on, default host",
			`server { server_name help.example.com; location / { proxy_pass https://d7.cloudfront.net; proxy_ssl_server_name on; } }`,
			[]string{"d7.cloudfront.net"}, true},
		{"s3 serves only its own name",
			`server { server_name media.acme.example; location / { proxy_pass https://b.s3.eu-west-1.amazonaws.com; proxy_ssl_server_name on; proxy_ssl_name media.acme.example; proxy_set_header Host $host; } }`,
			[]string{"b.s3.eu-west-1.amazonaws.com"}, true},
		{"upstream block name is no served name",
			`upstream api_alb { server internal-api-1.eu-west-1.elb.amazonaws.com:443; }
			 server { server_name api.example.com; location / { proxy_pass https://api_alb; proxy_ssl_server_name on; proxy_set_header Host $host; } }`,
			[]string{"internal-api-1.eu-west-1.elb.amazonaws.com", "api.example.com"}, true},
		{"$host with two names",
			`server { server_name example.shop www.example.shop; location / { proxy_pass https://d8.cloudfront.net; proxy_ssl_server_name on; proxy_ssl_name $host; proxy_set_header Host $host; } }`,
			[]string{"d8.cloudfront.net", "example.shop", "www.example.shop"}, true},
		{"canary map of names",
			`map $cookie_canary $site { default www.example.net; 1 canary.example.net; }
			 server { server_name www.example.net; location / { proxy_pass https://d3.cloudfront.net; proxy_ssl_server_name on; proxy_ssl_name $site; proxy_set_header Host $site; } }`,
			[]string{"d3.cloudfront.net", "www.example.net", "canary.example.net"}, true},
		{"a computed name cannot be told",
			`server { server_name ~^(?<sub>.+)\.example\.com$; location / { proxy_pass https://d9.cloudfront.net; proxy_ssl_server_name on; proxy_ssl_name $host; } }`,
			[]string{"d9.cloudfront.net"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := served(t, "http {\n"+tc.conf+"\n}\n")
			assert.Equal(t, tc.want, s.Names, strings.Join(s.Why, "; "))
			assert.Equal(t, tc.complete, s.Complete, strings.Join(s.Why, "; "))
		})
	}
}
