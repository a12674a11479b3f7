package model

import (
	"fmt"
	"slices"
	"strings"
)

// Platform is a kind of TLS upstream service, told by its host name. Every
// platform serves its own host name (d111.cloudfront.net answers for
// d111.cloudfront.net); CustomDomains says whether it also serves the names
// its owner attaches (a CDN's alternate domain names), routed by SNI and
// Host. S3's REST endpoint serves only its own names: a site's name sent
// to it is refused or read as a bucket.
type Platform struct {
	Name          string
	CustomDomains bool
	match         func(host string) bool
}

func suffixes(ss ...string) func(string) bool {
	return func(h string) bool {
		for _, s := range ss {
			if strings.HasSuffix(h, s) {
				return true
			}
		}
		return false
	}
}

// isS3 matches S3's REST and website endpoints: bucket.s3.amazonaws.com,
// bucket.s3.eu-west-1.amazonaws.com, bucket.s3-eu-west-1.amazonaws.com,
// s3.eu-west-1.amazonaws.com (path style), bucket.s3-website.… .
func isS3(h string) bool {
	if !strings.HasSuffix(h, ".amazonaws.com") {
		return false
	}
	for _, l := range strings.Split(h, ".") {
		if l == "s3" || strings.HasPrefix(l, "s3-") {
			return true
		}
	}
	return false
}

// Platforms are the services ngxlint recognises by name; the first match
// wins. A host that matches none is an origin of its own: it serves its
// own name and the names the configuration sends to it on purpose.
var Platforms = []Platform{
	{Name: "Amazon S3", CustomDomains: false, match: isS3},
	{Name: "Google Cloud Storage", CustomDomains: false, match: func(h string) bool { return h == "storage.googleapis.com" }},
	{Name: "Amazon CloudFront", CustomDomains: true, match: suffixes(".cloudfront.net")},
	{Name: "Azure Front Door", CustomDomains: true, match: suffixes(".azurefd.net", ".azureedge.net")},
	{Name: "Fastly", CustomDomains: true, match: suffixes(".fastly.net", ".fastlylb.net")},
	{Name: "Akamai", CustomDomains: true, match: suffixes(".edgekey.net", ".edgesuite.net", ".akamaized.net")},
	{Name: "Elastic Load Balancing", CustomDomains: true, match: suffixes(".elb.amazonaws.com")},
	{Name: "Google Cloud Run", CustomDomains: true, match: suffixes(".run.app")},
}

// PlatformOf returns the platform a host name belongs to.
func PlatformOf(host string) (Platform, bool) {
	h := strings.ToLower(strings.TrimSuffix(host, "."))
	for _, p := range Platforms {
		if p.match(h) {
			return p, true
		}
	}
	return Platform{}, false
}

// Served is the policy's answer for one upstream host: the names it
// serves (for SNI and for Host), why, and whether the configuration told
// all of them (Complete is false when a name comes from a value ngxlint
// cannot enumerate; the user then says which with --upstream HOST=NAMES).
type Served struct {
	Names    []string
	Why      []string
	Complete bool
}

// ServedNames decides which names an upstream host serves, the one policy
// the rules' advice and the harness's stand-in edges share. The host's own
// name always; on a platform that takes custom domains (and on an origin
// of its own), every name the configuration sends to it on purpose, as
// SNI or as Host: a literal proxy_ssl_name or Host, each value a map or
// set gives them, the server's names behind $host. Names nginx sends by
// mistake are not among them: an upstream{} block's name (`backend` is no
// host), an IP literal.
func (m *Model) ServedNames(host string, proxies []*Proxy) Served {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	s := Served{Names: []string{host}, Complete: true}
	pf, known := PlatformOf(host)
	if known {
		s.Why = append(s.Why, fmt.Sprintf("%s (the %s host's own name)", host, pf.Name))
	} else {
		s.Why = append(s.Why, host+" (the upstream's own name)")
	}
	if known && !pf.CustomDomains {
		s.Why = append(s.Why, pf.Name+" serves no other name")
		return s
	}
	add := func(n, why string) {
		n = strings.ToLower(strings.TrimSuffix(n, "."))
		if !hostLike(n) || slices.Contains(s.Names, n) {
			return
		}
		s.Names = append(s.Names, n)
		s.Why = append(s.Why, n+" ("+why+")")
	}
	for _, p := range proxies {
		blockName := ""
		if p.Upstream != nil {
			blockName = strings.ToLower(p.Upstream.Name)
		}
		if sni, _ := p.Flag("ssl_server_name", false); sni {
			d := p.Setting("ssl_name")
			val, where := "$proxy_host", "the default SNI"
			if d != nil {
				val, where = d.Arg(0), fmt.Sprintf("%s at %s:%d", d.Name, d.File.Path, d.Pos().Line)
			}
			vals, complete := m.NameValues(p, val)
			s.Complete = s.Complete && complete
			for _, v := range vals {
				if v != blockName {
					add(v, where)
				}
			}
		}
		if p.Module == "proxy" || p.Module == "grpc" {
			val, d := p.HostHeader()
			where := "the default Host"
			if d != nil {
				where = fmt.Sprintf("the Host header set at %s:%d", d.File.Path, d.Pos().Line)
			}
			vals, complete := m.NameValues(p, val)
			s.Complete = s.Complete && complete
			for _, v := range vals {
				if v != blockName {
					add(v, where)
				}
			}
		}
	}
	return s
}

// NameValues lists the host names a name-valued setting of p (its
// *_ssl_name or Host header) can take, port stripped: a literal is itself;
// $proxy_host is the target (an upstream{} block's name); $host and
// $http_host are the server's names; $server_name its first name; a
// variable set with set or map is each value it can be given. complete is
// false when some value cannot be told (a pattern server_name, a
// computed value).
func (m *Model) NameValues(p *Proxy, val string) (names []string, complete bool) {
	complete = true
	seen := map[string]bool{}
	add := func(n string) {
		n = ParseAddress(n).Host
		if n != "" && !seen[n] {
			seen[n] = true
			names = append(names, n)
		}
	}
	var walk func(val string, depth int)
	walk = func(val string, depth int) {
		switch {
		case val == "":
			return
		case !strings.Contains(val, "$"):
			add(val)
			return
		case IsProxyHost(val):
			if p.HostKind == HostVariable {
				if !p.KnownValues() {
					complete = false
				}
				for _, v := range p.Values {
					if v.Upstream != nil {
						add(v.Upstream.Name)
					} else if v.Kind != HostVariable {
						add(v.Host)
					}
				}
				return
			}
			add(p.DefaultSSLName())
			return
		}
		switch HostBase(val) {
		case "$host", "$http_host":
			srv := p.Scope.Server()
			if srv == nil {
				complete = false
				return
			}
			plain, patterns := PlainServerNames(srv.ServerNames())
			if len(patterns) > 0 || len(plain) == 0 {
				complete = false
			}
			for _, n := range plain {
				add(n)
			}
			return
		case "$server_name":
			if srv := p.Scope.Server(); srv != nil {
				if plain, _ := PlainServerNames(srv.ServerNames()); len(plain) > 0 {
					add(plain[0])
					return
				}
			}
			complete = false
			return
		}
		name, ok := singleVariable(HostBase(val))
		if !ok || depth > 3 {
			complete = false
			return
		}
		raws := m.rawValues(p.Scope, name, p.Module == "stream")
		if len(raws) == 0 {
			complete = false
		}
		for _, r := range raws {
			walk(r.text, depth+1)
		}
	}
	walk(val, 0)
	return names, complete
}

// hostLike reports whether n can be a DNS host name a certificate names:
// dotted labels of letters, digits and hyphens, not an IP literal.
func hostLike(n string) bool {
	if n == "" || !strings.Contains(n, ".") || IsIP(n) {
		return false
	}
	for i := 0; i < len(n); i++ {
		c := n[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '*') {
			return false
		}
	}
	return true
}
