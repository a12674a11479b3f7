package directives

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// debianV is `nginx -V` of Debian 12's nginx 1.22.1 (abridged cc/ld opts).
const debianV = `nginx version: nginx/1.22.1
built with OpenSSL 3.0.11 19 Sep 2023
TLS SNI support enabled
configure arguments: --with-cc-opt='-g -O2 -fstack-protector-strong' --prefix=/usr/share/nginx --conf-path=/etc/nginx/nginx.conf --modules-path=/usr/lib/nginx/modules --with-compat --with-debug --with-pcre-jit --with-http_ssl_module --with-http_stub_status_module --with-http_realip_module --with-http_auth_request_module --with-http_v2_module --with-http_dav_module --with-http_slice_module --with-threads --with-http_addition_module --with-http_flv_module --with-http_gunzip_module --with-http_gzip_static_module --with-http_mp4_module --with-http_random_index_module --with-http_secure_link_module --with-http_sub_module --with-mail_ssl_module --with-stream_ssl_module --with-stream_ssl_preread_module --with-stream_realip_module --with-http_geoip_module=dynamic --with-http_image_filter_module=dynamic --with-http_perl_module=dynamic --with-http_xslt_module=dynamic --with-mail=dynamic --with-stream=dynamic --with-stream_geoip_module=dynamic
`

func debianSet(t *testing.T, loads ...string) *Set {
	t.Helper()
	b, err := ParseNginxV(debianV)
	require.NoError(t, err)
	for _, l := range loads {
		require.True(t, b.LoadModule(l), l)
	}
	return NewSet(b)
}

func TestVersion(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Version
		err  bool
	}{
		{"1.25.1", V(1, 25, 1), false},
		{"nginx/1.22.1", V(1, 22, 1), false},
		{"v0.10.23", V(0, 10, 23), false},
		{"1:0.10.23-1+deb12u1", V(0, 10, 23), false},
		{"1.0.0~rc-3", V(1, 0, 0), false},
		{"1.22", V(1, 22, 0), false},
		{"1", Version{}, true},
		{"1.x.2", Version{}, true},
	} {
		got, err := ParseVersion(tc.in)
		if tc.err {
			assert.Error(t, err, tc.in)
			continue
		}
		require.NoError(t, err, tc.in)
		assert.Equal(t, tc.want, got, tc.in)
	}
	assert.True(t, V(1, 25, 1).In(V(1, 25, 1), Version{}))
	assert.False(t, V(1, 25, 0).In(V(1, 25, 1), Version{}))
	assert.False(t, V(1, 25, 1).In(Version{}, V(1, 25, 1)), "until is exclusive")
	assert.True(t, Version{}.In(V(1, 25, 1), V(1, 26, 0)), "an unknown version is in every range")
}

func TestArgs(t *testing.T) {
	for _, tc := range []struct {
		rule    string
		allowed []int
		refused []int
		min     int
		max     int
	}{
		{"0", []int{0}, []int{1, 2}, 0, 0},
		{"1", []int{1}, []int{0, 2}, 1, 1},
		{"1-2", []int{1, 2}, []int{0, 3}, 1, 2},
		{"1,3", []int{1, 3}, []int{0, 2, 4}, 1, 3},
		{"1-4", []int{1, 4}, []int{0, 5}, 1, 4},
		{"flag", []int{1}, []int{0, 2}, 1, 1},
		{"1+", []int{1, 9, 20}, []int{0}, 1, -1},
		{"2+", []int{2, 20}, []int{0, 1}, 2, -1},
		{"any", []int{0, 1, 30}, nil, 0, -1},
		{"1-7", []int{7}, []int{8}, 1, 7}, // NGX_CONF_MAX_ARGS
	} {
		a, err := ParseArgs(tc.rule)
		require.NoError(t, err, tc.rule)
		assert.Equal(t, tc.rule, a.String())
		for _, n := range tc.allowed {
			assert.True(t, a.Allows(n), "%s allows %d", tc.rule, n)
		}
		for _, n := range tc.refused {
			assert.False(t, a.Allows(n), "%s refuses %d", tc.rule, n)
		}
		assert.Equal(t, tc.min, a.Min(), tc.rule)
		assert.Equal(t, tc.max, a.Max(), tc.rule)
	}
	for _, bad := range []string{"", "x", "8", "2-1", "1-9"} {
		_, err := ParseArgs(bad)
		assert.Error(t, err, bad)
	}
}

func TestContext(t *testing.T) {
	c, ok := ParseContext("http,server,location,lif")
	require.True(t, ok)
	assert.Equal(t, HTTP|Server|Location|LocationIf, c)
	assert.Equal(t, "http,server,location,lif", c.String())
	assert.Equal(t, "any", Any.String())
	_, ok = ParseContext("http,nowhere")
	assert.False(t, ok)

	for _, tc := range []struct {
		parent Context
		name   string
		child  Context
		opaque bool
		ok     bool
	}{
		{Main, "http", HTTP, false, true},
		{HTTP, "server", Server, false, true},
		{Stream, "server", StreamServer, false, true},
		{Mail, "server", MailServer, false, true},
		{Server, "if", ServerIf, false, true},
		{Location, "if", LocationIf, false, true},
		{Location, "location", Location, false, true},
		{Location, "limit_except", LimitExcept, false, true},
		{HTTP, "upstream", Upstream, false, true},
		{Stream, "upstream", StreamUpstream, false, true},
		{HTTP, "map", HTTP, true, true},
		{Location, "content_by_lua_block", Location, true, true},
		{HTTP, "location", 0, false, false},
		{LocationIf, "if", 0, false, false},
	} {
		child, opaque, ok := Child(tc.parent, tc.name)
		assert.Equal(t, tc.ok, ok, "%s in %s", tc.name, tc.parent)
		if ok {
			assert.Equal(t, tc.child, child, "%s in %s", tc.name, tc.parent)
			assert.Equal(t, tc.opaque, opaque, "%s in %s", tc.name, tc.parent)
		}
	}
}

// The parsers are nginx's; these values are the edges nginx's code draws.
func TestValueParsers(t *testing.T) {
	for _, tc := range []struct {
		in                      string
		size, offset, msec, sec bool
	}{
		{"0", true, true, true, true},
		{"8k", true, true, false, false},
		{"8K", true, true, false, false},
		{"1m", true, true, true, true}, // one minute, one mebibyte
		{"1g", false, true, false, false},
		{"1x", false, false, false, false},
		{"", false, false, false, false},
		{"-1", false, false, false, false},
		{"500ms", false, false, true, false},
		{"30s", false, false, true, true},
		{"1h 30m", false, false, true, true},
		{"1h30m", false, false, true, true},
		{"1y", false, false, false, true},
		{"1M", true, true, false, true},
		{"1d1h", false, false, true, true},
		{"1h1d", false, false, false, false}, // units must decrease
		{"1s 1m", false, false, false, false},
		{"s", false, false, false, false},
		{"9223372036854775807", true, true, false, true},
		{"9223372036854775808", false, false, false, false},
		{"9007199254740991k", true, true, false, false},
		{"9007199254740992k", false, false, false, false},
	} {
		assert.Equal(t, tc.size, parseSize(tc.in), "size %q", tc.in)
		assert.Equal(t, tc.offset, parseOffset(tc.in), "offset %q", tc.in)
		assert.Equal(t, tc.msec, parseTime(tc.in, false), "msec %q", tc.in)
		assert.Equal(t, tc.sec, parseTime(tc.in, true), "sec %q", tc.in)
	}
	assert.Equal(t, int64(42), atoi("42"))
	assert.Equal(t, int64(-1), atoi("+42"))
	assert.Equal(t, int64(-1), atoi(""))
}

func TestCheckMessages(t *testing.T) {
	set := debianSet(t, "modules/ngx_stream_module.so")
	for _, tc := range []struct {
		name  string
		args  []string
		ctx   Context
		block bool
		code  Code
		msg   string
	}{
		{"proxy_ssl_server_name", []string{"on"}, Location, false, 0, ""},
		{"proxy_ssl_server_name", []string{"yes"}, Location, false, InvalidValue,
			`invalid value "yes" in "proxy_ssl_server_name" directive, it must be "on" or "off"`},
		{"proxy_ssl_server_name", []string{"ON"}, Location, false, 0, ""},
		{"proxy_ssl_server_name", nil, Location, false, ArgCount,
			`invalid number of arguments in "proxy_ssl_server_name" directive`},
		{"proxy_ssl_servername", []string{"on"}, Location, false, Unknown, `unknown directive "proxy_ssl_servername"`},
		{"proxy_pass", []string{"http://a"}, HTTP, false, NotAllowed, `"proxy_pass" directive is not allowed here`},
		{"proxy_pass", []string{"http://a"}, LocationIf, false, 0, ""},
		{"proxy_ssl_name", []string{"a"}, LocationIf, false, NotAllowed, `"proxy_ssl_name" directive is not allowed here`},
		{"proxy_read_timeout", []string{"5x"}, Location, false, InvalidValue, `"proxy_read_timeout" directive invalid value`},
		{"proxy_read_timeout", []string{"1h 30m"}, Location, false, 0, ""},
		{"proxy_buffer_size", []string{"10g"}, Server, false, InvalidValue, `"proxy_buffer_size" directive invalid value`},
		{"client_max_body_size", []string{"10G"}, Server, false, 0, ""}, // an offset: g is a unit
		{"client_max_body_size", []string{"10t"}, Server, false, InvalidValue, `"client_max_body_size" directive invalid value`},
		{"keepalive_requests", []string{"many"}, Server, false, InvalidValue, `"keepalive_requests" directive invalid number`},
		{"proxy_http_version", []string{"2.0"}, Location, false, InvalidValue, `invalid value "2.0"`},
		{"proxy_http_version", []string{"1.1"}, Location, false, 0, ""},
		{"ssl_protocols", []string{"TLSv1.2", "TLSv1.4"}, Server, false, InvalidValue, `invalid value "TLSv1.4"`},
		{"proxy_buffers", []string{"0", "8k"}, Location, false, InvalidValue, `"proxy_buffers" directive invalid value`},
		{"limit_rate", []string{"$rate"}, Location, false, 0, ""},
		{"limit_rate", []string{"fast"}, Location, false, InvalidValue, `"limit_rate" directive invalid value`},
		{"location", []string{"/"}, Server, false, NoOpeningBrace, `directive "location" has no opening "{"`},
		{"proxy_pass", []string{"http://a"}, Location, true, NotTerminated, `directive "proxy_pass" is not terminated by ";"`},
		{"server", []string{"127.0.0.1:1"}, StreamUpstream, false, 0, ""},
		{"server", nil, StreamUpstream, false, ArgCount, `invalid number of arguments in "server" directive`},
		{"include", []string{"x.conf"}, LimitExcept, false, 0, ""},
		{"http2", []string{"on"}, Server, false, Unknown, `unknown directive "http2"`},
		{"ssl", []string{"on"}, Server, false, 0, ""},
	} {
		p := set.Check(tc.name, tc.args, tc.ctx, tc.block)
		if tc.code == 0 {
			assert.Nil(t, p, "%s %v in %s", tc.name, tc.args, tc.ctx)
			continue
		}
		if assert.NotNil(t, p, "%s %v in %s", tc.name, tc.args, tc.ctx) {
			assert.Equal(t, tc.code, p.Code, tc.name)
			assert.Equal(t, tc.msg, p.Message, tc.name)
		}
	}
}

func TestScopeDuplicates(t *testing.T) {
	set := debianSet(t)
	sc := set.Scope(Location)
	assert.Nil(t, sc.Check("proxy_ssl_name", []string{"a"}, false))
	p := sc.Check("proxy_ssl_name", []string{"b"}, false)
	require.NotNil(t, p)
	assert.Equal(t, Duplicate, p.Code)
	assert.Equal(t, `"proxy_ssl_name" directive is duplicate`, p.Message)
	// list-building slots repeat freely
	assert.Nil(t, sc.Check("proxy_set_header", []string{"A", "1"}, false))
	assert.Nil(t, sc.Check("proxy_set_header", []string{"B", "2"}, false))
	assert.Nil(t, sc.Check("proxy_ssl_protocols", []string{"TLSv1.2"}, false))
	assert.Nil(t, sc.Check("proxy_ssl_protocols", []string{"TLSv1.3"}, false))
	// another block is another configuration structure
	assert.Nil(t, set.Scope(LocationIf).Check("proxy_pass", []string{"http://a"}, false))

	// lua-nginx-module's block handlers print a bare "is duplicate"
	b, err := ParseNginxV(debianV)
	require.NoError(t, err)
	require.NoError(t, b.Enable("ndk_http_module.so", "ngx_http_lua_module"))
	lsc := NewSet(b).Scope(HTTP)
	assert.Nil(t, lsc.Check("init_by_lua_block", nil, true))
	p = lsc.Check("init_by_lua_block", nil, true)
	require.NotNil(t, p)
	assert.Equal(t, "is duplicate", p.Message)
}

func TestUnknownHints(t *testing.T) {
	set := debianSet(t)
	for _, tc := range []struct {
		name, suggest, hint string
	}{
		{"proxy_ssl_servername", "proxy_ssl_server_name", "did you mean proxy_ssl_server_name?"},
		{"proxy_pas", "proxy_pass", "did you mean proxy_pass?"},
		{"more_set_headers", "", `"more_set_headers" belongs to ngx_http_headers_more_filter_module, which is not enabled (load_module modules/ngx_http_headers_more_filter_module.so;)`},
		{"proxy_protocol", "", `"proxy_protocol" belongs to ngx_mail_proxy_module or ngx_stream_proxy_module, which is not enabled (load_module modules/ngx_mail_module.so;)`},
		{"http2", "", `"http2" appeared in nginx 1.25.1 (this is 1.22.1)`},
		{"totally_unheard_of_directive", "", ""},
	} {
		p := set.Check(tc.name, []string{"x"}, Location, false)
		require.NotNil(t, p, tc.name)
		assert.Equal(t, Unknown, p.Code, tc.name)
		assert.Equal(t, tc.suggest, p.Suggest, tc.name)
		assert.Equal(t, tc.hint, p.Hint, tc.name)
	}

	newer := NewSet(ParseConfigure(V(1, 26, 0), "--with-http_ssl_module --with-http_v2_module"))
	p := newer.Check("ssl", []string{"on"}, Server, false)
	require.NotNil(t, p)
	assert.Equal(t, `"ssl" was removed in nginx 1.25.1 (this is 1.26.0)`, p.Hint)
	assert.Nil(t, newer.Check("http2", []string{"on"}, Server, false))

	p = set.Check("proxy_pass", []string{"http://a"}, HTTP, false)
	require.NotNil(t, p)
	assert.Equal(t, `"proxy_pass" is allowed in: location,lif,limit_except`, p.Hint)
}

// Directives come and go: the table must say when.
func TestVersionRanges(t *testing.T) {
	for _, tc := range []struct {
		name, module string
		in, out      []Version
	}{
		{"http2", "ngx_http_v2_module", []Version{V(1, 25, 1), V(1, 26, 3), V(1, 28, 0), V(1, 30, 0)}, []Version{V(1, 22, 1), V(1, 24, 0), V(1, 25, 0)}},
		{"ssl", "ngx_http_ssl_module", []Version{V(1, 22, 1), V(1, 24, 0), V(1, 25, 0)}, []Version{V(1, 25, 1), V(1, 26, 0), V(1, 30, 0)}},
		{"add_header_inherit", "ngx_http_headers_filter_module", []Version{V(1, 29, 3), V(1, 30, 0), V(1, 31, 0)}, []Version{V(1, 28, 0), V(1, 29, 2)}},
		{"resolver", "ngx_http_upstream_module", []Version{V(1, 27, 3), V(1, 28, 0)}, []Version{V(1, 26, 3), V(1, 27, 2)}},
		{"http3", "ngx_http_v3_module", []Version{V(1, 25, 0)}, []Version{V(1, 24, 0)}},
		{"ssl_reject_handshake", "ngx_stream_ssl_module", []Version{V(1, 25, 5)}, []Version{V(1, 25, 4)}},
		{"spdy_chunk_size", "ngx_http_v2_module", []Version{V(1, 19, 6)}, []Version{V(1, 19, 7), V(1, 22, 1)}},
	} {
		for _, v := range tc.in {
			s := NewSet(EverythingBuild(v))
			found := false
			for _, d := range s.LookupAll(tc.name) {
				found = found || d.Module == tc.module
			}
			assert.True(t, found, "%s in %s", tc.name, v)
		}
		for _, v := range tc.out {
			s := NewSet(EverythingBuild(v))
			for _, d := range s.LookupAll(tc.name) {
				assert.NotEqual(t, tc.module, d.Module, "%s not in %s", tc.name, v)
			}
		}
	}
}

func TestTableIntegrity(t *testing.T) {
	rows := All()
	require.Greater(t, len(rows), 1000)
	type key struct{ name, module string }
	byKey := map[key][]*Directive{}
	for _, d := range rows {
		assert.NotEmpty(t, d.Source, d.Name)
		assert.True(t, strings.Contains(d.Source, ".c "), "source names the file: %s %s", d.Name, d.Source)
		assert.NotZero(t, d.Contexts, d.Name)
		_, known := moduleByName[d.Module]
		assert.True(t, known, "module %s of %s is in the module list", d.Module, d.Name)
		if d.Kind == KindEnum || d.Kind == KindBitmask {
			assert.NotEmpty(t, d.Values, d.Name)
		}
		if d.Kind == KindFlag && d.Name != "uwsgi_cache_background_update" { // TAKE1 in nginx's source
			assert.Equal(t, ArgsFlag, d.Args, "%s: a flag slot has a flag rule", d.Name)
		}
		byKey[key{d.Name, d.Module}] = append(byKey[key{d.Name, d.Module}], d)
	}
	// a name has at most one row per module at any version
	for k, l := range byKey {
		for i := range l {
			for j := i + 1; j < len(l); j++ {
				a, b := l[i], l[j]
				overlap := (a.Until.IsZero() || b.Since.Less(a.Until)) && (b.Until.IsZero() || a.Since.Less(b.Until))
				assert.False(t, overlap, "%v: rows %s-%s and %s-%s overlap", k, a.Since, a.Until, b.Since, b.Until)
			}
		}
	}
}

func TestParseNginxV(t *testing.T) {
	b, err := ParseNginxV(debianV)
	require.NoError(t, err)
	assert.Equal(t, V(1, 22, 1), b.Version)
	for _, m := range []string{"ngx_http_ssl_module", "ngx_http_v2_module", "ngx_http_realip_module", "ngx_http_proxy_module",
		"ngx_http_rewrite_module", "ngx_thread_pool_module", "ngx_openssl_module", "ngx_regex_module"} {
		assert.True(t, b.Modules[m], m)
	}
	for _, m := range []string{"ngx_stream_core_module", "ngx_stream_ssl_module", "ngx_mail_core_module", "ngx_http_geoip_module",
		"ngx_http_perl_module", "ngx_http_v3_module", "ngx_http_degradation_module"} {
		assert.False(t, b.Modules[m], m)
	}
	assert.Contains(t, b.Dynamic["ngx_stream_module.so"], "ngx_stream_ssl_module")
	assert.Contains(t, b.Dynamic["ngx_stream_module.so"], "ngx_stream_ssl_preread_module")
	assert.NotContains(t, b.Dynamic["ngx_stream_module.so"], "ngx_stream_geoip_module")
	assert.Equal(t, []string{"ngx_stream_geoip_module"}, b.Dynamic["ngx_stream_geoip_module.so"])
	assert.Contains(t, b.Dynamic["ngx_mail_module.so"], "ngx_mail_ssl_module")
	assert.Equal(t, []string{"ngx_http_xslt_filter_module"}, b.Dynamic["ngx_http_xslt_filter_module.so"])

	require.True(t, b.LoadModule("modules/ngx_stream_module.so"))
	assert.True(t, b.Modules["ngx_stream_ssl_module"])
	assert.True(t, b.Modules["ngx_stream_core_module"])
	assert.False(t, b.LoadModule("modules/ngx_http_unknown_module.so"))
	assert.Equal(t, []string{"modules/ngx_http_unknown_module.so"}, b.Unknown)

	or, err := ParseNginxV("nginx version: openresty/1.21.4.3\nconfigure arguments: --with-http_ssl_module --add-module=../ngx_devel_kit-0.3.2 --add-module=../lua-nginx-module-0.10.25 --add-module=../stream-lua-nginx-module-0.0.13 --with-stream --add-dynamic-module=/src/headers-more-nginx-module-0.34 --without-http_rewrite_module --with-http_v2_module\n")
	require.NoError(t, err)
	assert.Equal(t, V(1, 21, 4), or.Version)
	assert.True(t, or.Features[FeatureOpenRestyPatch])
	assert.True(t, or.Modules["ngx_http_lua_module"])
	assert.True(t, or.Modules["ngx_stream_lua_module"])
	assert.True(t, or.Modules["ndk_http_module"])
	assert.True(t, or.Modules["ngx_stream_core_module"], "static stream")
	assert.False(t, or.Modules["ngx_http_rewrite_module"])
	assert.False(t, or.Modules["ngx_http_headers_more_filter_module"], "dynamic until loaded")
	assert.Equal(t, []string{"ngx_http_headers_more_filter_module"}, or.Dynamic["ngx_http_headers_more_filter_module.so"])

	_, err = ParseNginxV("nginx: [emerg] something\n")
	assert.Error(t, err)
}

func TestDefaultBuild(t *testing.T) {
	s := NewSet(DefaultBuild(V(1, 28, 0)))
	_, ok := s.Lookup("proxy_pass")
	assert.True(t, ok)
	_, ok = s.Lookup("ssl_certificate")
	assert.False(t, ok, "no ssl without --with-http_ssl_module")
	_, ok = s.Lookup("proxy_ssl_server_name")
	assert.False(t, ok, "proxy_ssl_* need the ssl module (NGX_HTTP_SSL)")
	_, ok = s.Lookup("gzip_vary")
	assert.True(t, ok, "gzip_vary comes with the gzip module (NGX_HTTP_GZIP)")
	assert.Equal(t, []string{"ngx_http_proxy_module", "ngx_stream_proxy_module"}, ModuleOf("proxy_pass"))
}

func TestNearest(t *testing.T) {
	s := NewSet(EverythingBuild(V(1, 28, 0)))
	for in, want := range map[string]string{
		"proxy_ssl_servername":  "proxy_ssl_server_name",
		"proxy_set_headr":       "proxy_set_header",
		"server_nmae":           "server_name",
		"ssl_certficate":        "ssl_certificate",
		"lsiten":                "listen",
		"root":                  "root",
		"qwertyuiop_asdfghjkl":  "",
		"proxy_ssl_verify_dept": "proxy_ssl_verify_depth",
	} {
		assert.Equal(t, want, s.Nearest(in), in)
	}
}

func TestCheckParam(t *testing.T) {
	old := debianSet(t, "modules/ngx_stream_module.so")
	newer := NewSet(ParseConfigure(V(1, 28, 0), "--with-http_ssl_module --with-stream"))
	for _, tc := range []struct {
		set               *Set
		directive, module string
		word              string
		msg, hint         string
	}{
		{old, "server", "ngx_http_upstream_module", "resolve", `invalid parameter "resolve"`, `"resolve" appeared in nginx 1.27.3 (this is 1.22.1)`},
		{newer, "server", "ngx_http_upstream_module", "resolve", "", ""},
		{old, "server", "ngx_http_upstream_module", "weight=5", "", ""},
		{old, "server", "ngx_http_upstream_module", "backend.example:443", "", ""},
		{old, "server", "ngx_stream_upstream_module", "service=_http._tcp", `invalid parameter "service=_http._tcp"`, `"service=" appeared in nginx 1.27.3 (this is 1.22.1)`},
		{old, "listen", "ngx_http_core_module", "quic", `invalid parameter "quic"`, `"quic" appeared in nginx 1.25.0 (this is 1.22.1)`},
		{old, "listen", "ngx_http_core_module", "setfib=1", `invalid parameter "setfib=1"`, `"setfib=" needs NGX_HAVE_SETFIB in the nginx build`},
		{old, "listen", "ngx_http_core_module", "http2", "", ""},
		{old, "listen", "ngx_stream_core_module", "default_server", `the invalid "default_server" parameter`, `"default_server" appeared in nginx 1.25.5 (this is 1.22.1)`},
		{newer, "listen", "ngx_stream_core_module", "setfib=1", `invalid parameter "setfib=1"`, `"setfib=" needs NGX_HAVE_SETFIB in the nginx build`},
		{newer, "listen", "ngx_stream_core_module", "udp", "", ""},
		{old, "proxy_pass", "ngx_http_proxy_module", "resolve", "", ""}, // no parameter table
	} {
		p := tc.set.CheckParam(tc.directive, tc.module, tc.word)
		if tc.msg == "" {
			assert.Nil(t, p, "%s %s", tc.directive, tc.word)
			continue
		}
		if assert.NotNil(t, p, "%s %s", tc.directive, tc.word) {
			assert.Equal(t, tc.msg, p.Message)
			assert.Equal(t, tc.hint, p.Hint)
		}
	}
}

// The checks run on every lint: building a set and checking a directive
// must stay far below the 20 ms a whole lint of fixtures/typical may take.
func BenchmarkNewSet(b *testing.B) {
	All() // the table is parsed once per process
	build := EverythingBuild(V(1, 28, 0))
	for b.Loop() {
		NewSet(build)
	}
}

func BenchmarkScopeCheck(b *testing.B) {
	set := NewSet(EverythingBuild(V(1, 28, 0)))
	args := []string{"on"}
	for b.Loop() {
		sc := set.Scope(Location)
		sc.Check("proxy_ssl_server_name", args, false)
		sc.Check("proxy_ssl_servername", args, false)
	}
}

func BenchmarkLoadTable(b *testing.B) {
	for b.Loop() {
		if _, err := readTable("data/stock.tsv"); err != nil {
			b.Fatal(err)
		}
		if _, err := readTable("data/thirdparty.tsv"); err != nil {
			b.Fatal(err)
		}
	}
}

// With the version unknown every form a directive has had is possible: the
// check must not fail a statement one of them takes.
func TestUnknownVersionIsLenient(t *testing.T) {
	s := NewSet(EverythingBuild(Version{}))
	assert.Nil(t, s.Check("ssl", []string{"on"}, Server, false), "removed in 1.25.1, but the version is unknown")
	assert.Nil(t, s.Check("http2", []string{"on"}, Server, false))
	// keepalive in an upstream took one argument before 1.29.7, one or two since
	assert.Nil(t, s.Check("keepalive", []string{"16", "local"}, Upstream, false))
	p := s.Check("keepalive", nil, Upstream, false)
	require.NotNil(t, p)
	assert.Equal(t, ArgCount, p.Code)

	old := NewSet(EverythingBuild(V(1, 28, 0)))
	p = old.Check("keepalive", []string{"16", "local"}, Upstream, false)
	require.NotNil(t, p)
	assert.Equal(t, `invalid number of arguments in "keepalive" directive`, p.Message)
}
