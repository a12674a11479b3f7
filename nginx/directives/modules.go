package directives

import (
	"fmt"
	"path"
	"sort"
	"strings"
)

// Module is what nginx's build system knows of one module: whether a plain
// ./configure builds it, the configure option that adds or removes it, and
// the shared object that carries it when it is built as a dynamic module.
type Module struct {
	Name  string // nginx's module name, e.g. ngx_http_proxy_module
	Group string // core, event, http, stream or mail: the block type it serves
	// Default: built by ./configure with no options (given its group is).
	Default bool
	// Option is the configure option without its --with-/--without- prefix
	// ("http_ssl_module"); empty for modules that are always built with their
	// group.
	Option string
	// SO is the shared object that carries the module when it is dynamic
	// (load_module modules/SO). The stream and mail modules travel together
	// in ngx_stream_module.so and ngx_mail_module.so.
	SO string
	// ThirdParty modules come from --add-module / --add-dynamic-module or a
	// distribution package; AddDir lists the source directory names they
	// are usually built from.
	ThirdParty bool
	AddDir     []string
	Doc        string
}

// Stock modules (auto/options and auto/modules of nginx). Modules without
// directives are left out: they change nothing here.
var modules = []Module{
	{Name: "ngx_core_module", Group: "core", Default: true},
	{Name: "ngx_conf_module", Group: "core", Default: true},
	{Name: "ngx_errlog_module", Group: "core", Default: true},
	{Name: "ngx_regex_module", Group: "core", Default: true, Option: "pcre"},
	{Name: "ngx_thread_pool_module", Group: "core", Option: "threads"},
	{Name: "ngx_google_perftools_module", Group: "core", Option: "google_perftools_module", SO: "ngx_google_perftools_module.so"},
	{Name: "ngx_openssl_module", Group: "core"},                             // with any ssl module
	{Name: "ngx_openssl_cache_module", Group: "core"},                       // with any ssl module (1.27.4+)
	{Name: "ngx_quic_bpf_module", Group: "core", Option: "quic_bpf_module"}, // with http_v3 on Linux
	{Name: "ngx_events_module", Group: "core", Default: true},
	{Name: "ngx_event_core_module", Group: "event", Default: true},
	{Name: "ngx_epoll_module", Group: "event", Default: true},

	{Name: "ngx_http_module", Group: "http", Default: true},
	{Name: "ngx_http_core_module", Group: "http", Default: true},
	{Name: "ngx_http_copy_filter_module", Group: "http", Default: true},
	{Name: "ngx_http_upstream_module", Group: "http", Default: true},
	{Name: "ngx_http_try_files_module", Group: "http", Default: true},
	{Name: "ngx_http_headers_filter_module", Group: "http", Default: true},
	{Name: "ngx_http_index_module", Group: "http", Default: true},
	{Name: "ngx_http_log_module", Group: "http", Default: true},
	{Name: "ngx_http_access_module", Group: "http", Default: true, Option: "http_access_module"},
	{Name: "ngx_http_auth_basic_module", Group: "http", Default: true, Option: "http_auth_basic_module"},
	{Name: "ngx_http_autoindex_module", Group: "http", Default: true, Option: "http_autoindex_module"},
	{Name: "ngx_http_browser_module", Group: "http", Default: true, Option: "http_browser_module"},
	{Name: "ngx_http_charset_filter_module", Group: "http", Default: true, Option: "http_charset_module"},
	{Name: "ngx_http_empty_gif_module", Group: "http", Default: true, Option: "http_empty_gif_module"},
	{Name: "ngx_http_fastcgi_module", Group: "http", Default: true, Option: "http_fastcgi_module"},
	{Name: "ngx_http_geo_module", Group: "http", Default: true, Option: "http_geo_module"},
	{Name: "ngx_http_grpc_module", Group: "http", Default: true, Option: "http_grpc_module"},
	{Name: "ngx_http_gzip_filter_module", Group: "http", Default: true, Option: "http_gzip_module"},
	{Name: "ngx_http_limit_conn_module", Group: "http", Default: true, Option: "http_limit_conn_module"},
	{Name: "ngx_http_limit_req_module", Group: "http", Default: true, Option: "http_limit_req_module"},
	{Name: "ngx_http_map_module", Group: "http", Default: true, Option: "http_map_module"},
	{Name: "ngx_http_memcached_module", Group: "http", Default: true, Option: "http_memcached_module"},
	{Name: "ngx_http_mirror_module", Group: "http", Default: true, Option: "http_mirror_module"},
	{Name: "ngx_http_proxy_module", Group: "http", Default: true, Option: "http_proxy_module"},
	{Name: "ngx_http_referer_module", Group: "http", Default: true, Option: "http_referer_module"},
	{Name: "ngx_http_rewrite_module", Group: "http", Default: true, Option: "http_rewrite_module"},
	{Name: "ngx_http_scgi_module", Group: "http", Default: true, Option: "http_scgi_module"},
	{Name: "ngx_http_split_clients_module", Group: "http", Default: true, Option: "http_split_clients_module"},
	{Name: "ngx_http_ssi_filter_module", Group: "http", Default: true, Option: "http_ssi_module"},
	{Name: "ngx_http_tunnel_module", Group: "http", Default: true, Option: "http_tunnel_module"},
	{Name: "ngx_http_upstream_hash_module", Group: "http", Default: true, Option: "http_upstream_hash_module"},
	{Name: "ngx_http_upstream_ip_hash_module", Group: "http", Default: true, Option: "http_upstream_ip_hash_module"},
	{Name: "ngx_http_upstream_keepalive_module", Group: "http", Default: true, Option: "http_upstream_keepalive_module"},
	{Name: "ngx_http_upstream_least_conn_module", Group: "http", Default: true, Option: "http_upstream_least_conn_module"},
	{Name: "ngx_http_upstream_least_time_module", Group: "http", Default: true, Option: "http_upstream_least_time_module"},
	{Name: "ngx_http_upstream_random_module", Group: "http", Default: true, Option: "http_upstream_random_module"},
	{Name: "ngx_http_upstream_sticky_module", Group: "http", Default: true, Option: "http_upstream_sticky_module"},
	{Name: "ngx_http_upstream_zone_module", Group: "http", Default: true, Option: "http_upstream_zone_module"},
	{Name: "ngx_http_userid_filter_module", Group: "http", Default: true, Option: "http_userid_module"},
	{Name: "ngx_http_uwsgi_module", Group: "http", Default: true, Option: "http_uwsgi_module"},
	{Name: "ngx_http_ssl_module", Group: "http", Option: "http_ssl_module"},
	{Name: "ngx_http_v2_module", Group: "http", Option: "http_v2_module"},
	{Name: "ngx_http_v3_module", Group: "http", Option: "http_v3_module"},
	{Name: "ngx_http_realip_module", Group: "http", Option: "http_realip_module"},
	{Name: "ngx_http_addition_filter_module", Group: "http", Option: "http_addition_module"},
	{Name: "ngx_http_xslt_filter_module", Group: "http", Option: "http_xslt_module", SO: "ngx_http_xslt_filter_module.so"},
	{Name: "ngx_http_image_filter_module", Group: "http", Option: "http_image_filter_module", SO: "ngx_http_image_filter_module.so"},
	{Name: "ngx_http_geoip_module", Group: "http", Option: "http_geoip_module", SO: "ngx_http_geoip_module.so"},
	{Name: "ngx_http_sub_filter_module", Group: "http", Option: "http_sub_module"},
	{Name: "ngx_http_dav_module", Group: "http", Option: "http_dav_module"},
	{Name: "ngx_http_flv_module", Group: "http", Option: "http_flv_module"},
	{Name: "ngx_http_mp4_module", Group: "http", Option: "http_mp4_module"},
	{Name: "ngx_http_gunzip_filter_module", Group: "http", Option: "http_gunzip_module"},
	{Name: "ngx_http_gzip_static_module", Group: "http", Option: "http_gzip_static_module"},
	{Name: "ngx_http_auth_request_module", Group: "http", Option: "http_auth_request_module"},
	{Name: "ngx_http_random_index_module", Group: "http", Option: "http_random_index_module"},
	{Name: "ngx_http_secure_link_module", Group: "http", Option: "http_secure_link_module"},
	{Name: "ngx_http_degradation_module", Group: "http", Option: "http_degradation_module"},
	{Name: "ngx_http_slice_filter_module", Group: "http", Option: "http_slice_module"},
	{Name: "ngx_http_stub_status_module", Group: "http", Option: "http_stub_status_module"},
	{Name: "ngx_http_perl_module", Group: "http", Option: "http_perl_module", SO: "ngx_http_perl_module.so"},

	{Name: "ngx_stream_module", Group: "stream", Default: true, SO: "ngx_stream_module.so"},
	{Name: "ngx_stream_core_module", Group: "stream", Default: true, SO: "ngx_stream_module.so"},
	{Name: "ngx_stream_proxy_module", Group: "stream", Default: true, SO: "ngx_stream_module.so"},
	{Name: "ngx_stream_upstream_module", Group: "stream", Default: true, SO: "ngx_stream_module.so"},
	{Name: "ngx_stream_log_module", Group: "stream", Default: true, SO: "ngx_stream_module.so"},
	{Name: "ngx_stream_access_module", Group: "stream", Default: true, Option: "stream_access_module", SO: "ngx_stream_module.so"},
	{Name: "ngx_stream_geo_module", Group: "stream", Default: true, Option: "stream_geo_module", SO: "ngx_stream_module.so"},
	{Name: "ngx_stream_limit_conn_module", Group: "stream", Default: true, Option: "stream_limit_conn_module", SO: "ngx_stream_module.so"},
	{Name: "ngx_stream_map_module", Group: "stream", Default: true, Option: "stream_map_module", SO: "ngx_stream_module.so"},
	{Name: "ngx_stream_split_clients_module", Group: "stream", Default: true, Option: "stream_split_clients_module", SO: "ngx_stream_module.so"},
	{Name: "ngx_stream_return_module", Group: "stream", Default: true, Option: "stream_return_module", SO: "ngx_stream_module.so"},
	{Name: "ngx_stream_pass_module", Group: "stream", Default: true, Option: "stream_pass_module", SO: "ngx_stream_module.so"},
	{Name: "ngx_stream_set_module", Group: "stream", Default: true, Option: "stream_set_module", SO: "ngx_stream_module.so"},
	{Name: "ngx_stream_upstream_hash_module", Group: "stream", Default: true, Option: "stream_upstream_hash_module", SO: "ngx_stream_module.so"},
	{Name: "ngx_stream_upstream_least_conn_module", Group: "stream", Default: true, Option: "stream_upstream_least_conn_module", SO: "ngx_stream_module.so"},
	{Name: "ngx_stream_upstream_least_time_module", Group: "stream", Default: true, Option: "stream_upstream_least_time_module", SO: "ngx_stream_module.so"},
	{Name: "ngx_stream_upstream_random_module", Group: "stream", Default: true, Option: "stream_upstream_random_module", SO: "ngx_stream_module.so"},
	{Name: "ngx_stream_upstream_zone_module", Group: "stream", Default: true, Option: "stream_upstream_zone_module", SO: "ngx_stream_module.so"},
	{Name: "ngx_stream_ssl_module", Group: "stream", Option: "stream_ssl_module", SO: "ngx_stream_module.so"},
	{Name: "ngx_stream_realip_module", Group: "stream", Option: "stream_realip_module", SO: "ngx_stream_module.so"},
	{Name: "ngx_stream_ssl_preread_module", Group: "stream", Option: "stream_ssl_preread_module", SO: "ngx_stream_module.so"},
	{Name: "ngx_stream_geoip_module", Group: "stream", Option: "stream_geoip_module", SO: "ngx_stream_geoip_module.so"},

	{Name: "ngx_mail_module", Group: "mail", Default: true, SO: "ngx_mail_module.so"},
	{Name: "ngx_mail_core_module", Group: "mail", Default: true, SO: "ngx_mail_module.so"},
	{Name: "ngx_mail_proxy_module", Group: "mail", Default: true, SO: "ngx_mail_module.so"},
	{Name: "ngx_mail_auth_http_module", Group: "mail", Default: true, SO: "ngx_mail_module.so"},
	{Name: "ngx_mail_realip_module", Group: "mail", Default: true, SO: "ngx_mail_module.so"},
	{Name: "ngx_mail_pop3_module", Group: "mail", Default: true, Option: "mail_pop3_module", SO: "ngx_mail_module.so"},
	{Name: "ngx_mail_imap_module", Group: "mail", Default: true, Option: "mail_imap_module", SO: "ngx_mail_module.so"},
	{Name: "ngx_mail_smtp_module", Group: "mail", Default: true, Option: "mail_smtp_module", SO: "ngx_mail_module.so"},
	{Name: "ngx_mail_ssl_module", Group: "mail", Option: "mail_ssl_module", SO: "ngx_mail_module.so"},

	{Name: "ndk_http_module", Group: "http", ThirdParty: true, SO: "ndk_http_module.so", AddDir: []string{"ngx_devel_kit"},
		Doc: "https://github.com/vision5/ngx_devel_kit"},
	{Name: "ngx_http_lua_module", Group: "http", ThirdParty: true, SO: "ngx_http_lua_module.so", AddDir: []string{"lua-nginx-module"},
		Doc: "https://github.com/openresty/lua-nginx-module"},
	{Name: "ngx_stream_lua_module", Group: "stream", ThirdParty: true, SO: "ngx_stream_lua_module.so", AddDir: []string{"stream-lua-nginx-module"},
		Doc: "https://github.com/openresty/stream-lua-nginx-module"},
	{Name: "ngx_http_js_module", Group: "http", ThirdParty: true, SO: "ngx_http_js_module.so", AddDir: []string{"njs"},
		Doc: "https://nginx.org/en/docs/http/ngx_http_js_module.html"},
	{Name: "ngx_http_js_core_module", Group: "http", ThirdParty: true, SO: "ngx_http_js_module.so", AddDir: []string{"njs"},
		Doc: "https://nginx.org/en/docs/http/ngx_http_js_module.html"},
	{Name: "ngx_stream_js_module", Group: "stream", ThirdParty: true, SO: "ngx_stream_js_module.so", AddDir: []string{"njs"},
		Doc: "https://nginx.org/en/docs/stream/ngx_stream_js_module.html"},
	{Name: "ngx_stream_js_core_module", Group: "stream", ThirdParty: true, SO: "ngx_stream_js_module.so", AddDir: []string{"njs"},
		Doc: "https://nginx.org/en/docs/stream/ngx_stream_js_module.html"},
	{Name: "ngx_http_headers_more_filter_module", Group: "http", ThirdParty: true, SO: "ngx_http_headers_more_filter_module.so",
		AddDir: []string{"headers-more-nginx-module"}, Doc: "https://github.com/openresty/headers-more-nginx-module"},
	{Name: "ngx_http_brotli_filter_module", Group: "http", ThirdParty: true, SO: "ngx_http_brotli_filter_module.so",
		AddDir: []string{"ngx_brotli"}, Doc: "https://github.com/google/ngx_brotli"},
	{Name: "ngx_http_brotli_static_module", Group: "http", ThirdParty: true, SO: "ngx_http_brotli_static_module.so",
		AddDir: []string{"ngx_brotli"}, Doc: "https://github.com/google/ngx_brotli"},
	{Name: "ngx_http_geoip2_module", Group: "http", ThirdParty: true, SO: "ngx_http_geoip2_module.so",
		AddDir: []string{"ngx_http_geoip2_module"}, Doc: "https://github.com/leev/ngx_http_geoip2_module"},
	{Name: "ngx_stream_geoip2_module", Group: "stream", ThirdParty: true, SO: "ngx_stream_geoip2_module.so",
		AddDir: []string{"ngx_http_geoip2_module"}, Doc: "https://github.com/leev/ngx_http_geoip2_module"},
	{Name: "ngx_http_vhost_traffic_status_module", Group: "http", ThirdParty: true, SO: "ngx_http_vhost_traffic_status_module.so",
		AddDir: []string{"nginx-module-vts"}, Doc: "https://github.com/vozlt/nginx-module-vts"},
	{Name: "ngx_http_set_misc_module", Group: "http", ThirdParty: true, SO: "ngx_http_set_misc_module.so",
		AddDir: []string{"set-misc-nginx-module"}, Doc: "https://github.com/openresty/set-misc-nginx-module"},
	{Name: "ngx_http_echo_module", Group: "http", ThirdParty: true, SO: "ngx_http_echo_module.so",
		AddDir: []string{"echo-nginx-module"}, Doc: "https://github.com/openresty/echo-nginx-module"},
}

var moduleByName = func() map[string]*Module {
	m := make(map[string]*Module, len(modules))
	for i := range modules {
		m[modules[i].Name] = &modules[i]
	}
	return m
}()

// Modules returns the modules the package knows, stock ones first.
func Modules() []Module { return append([]Module(nil), modules...) }

// LookupModule finds a module by its nginx name.
func LookupModule(name string) (Module, bool) {
	m, ok := moduleByName[name]
	if !ok {
		return Module{}, false
	}
	return *m, true
}

// ModulesInSO lists the modules a shared object carries, by its file name
// (a load_module argument: "modules/ngx_stream_module.so",
// "/usr/lib/nginx/modules/ngx_http_lua_module.so").
func ModulesInSO(file string) []string {
	base := path.Base(strings.ReplaceAll(file, `\`, "/"))
	var out []string
	for _, m := range modules {
		if m.SO == base {
			out = append(out, m.Name)
		}
	}
	return out
}

// Features a Build can have besides modules, named as the tables' Requires
// column names them.
const (
	FeatureOpenSSL        = "openssl"         // any ssl module: NGX_SSL / NGX_OPENSSL
	FeatureGzip           = "gzip"            // NGX_HTTP_GZIP: gzip, gunzip or gzip_static
	FeatureHTTPCache      = "http_cache"      // NGX_HTTP_CACHE, off with --without-http-cache
	FeaturePCRE           = "pcre"            // NGX_PCRE, off with --without-pcre
	FeatureNDK            = "ndk"             // the Lua module built with the devel kit
	FeatureOpenRestyPatch = "openresty_patch" // OpenResty's patched nginx core
)

// Build is one nginx binary as far as directives go: its version, the
// modules compiled in or loaded, and build features. Third-party module
// versions are optional; without one every directive any release of that
// module had is accepted (a missed error is better than a false one).
type Build struct {
	Version        Version
	Modules        map[string]bool
	Features       map[string]bool
	ModuleVersions map[string]Version
	// Dynamic lists the shared objects the build made (--with-X=dynamic,
	// --add-dynamic-module) and the modules each carries; they are enabled
	// only by LoadModule.
	Dynamic map[string][]string
	// Unknown holds configure options and shared objects this package does
	// not recognise, so that a caller can say what it ignored.
	Unknown []string
}

func newBuild(v Version) *Build {
	return &Build{Version: v, Modules: map[string]bool{}, Features: map[string]bool{},
		ModuleVersions: map[string]Version{}, Dynamic: map[string][]string{}}
}

// DefaultBuild is `./configure` with no options: http, events and core with
// their default modules, PCRE and the HTTP cache; no ssl, stream or mail.
func DefaultBuild(v Version) *Build {
	b := newBuild(v)
	for _, m := range modules {
		if m.Default && !m.ThirdParty && m.Group != "stream" && m.Group != "mail" {
			b.Modules[m.Name] = true
		}
	}
	b.Features[FeaturePCRE] = true
	b.Features[FeatureHTTPCache] = true
	b.derive()
	return b
}

// EverythingBuild enables every module and feature the package knows: the
// lenient choice when nothing tells which modules a configuration's nginx
// has, so that only names no module defines are unknown.
func EverythingBuild(v Version) *Build {
	b := newBuild(v)
	for _, m := range modules {
		b.Modules[m.Name] = true
	}
	for _, f := range []string{FeatureOpenSSL, FeatureGzip, FeatureHTTPCache, FeaturePCRE, FeatureNDK, FeatureOpenRestyPatch} {
		b.Features[f] = true
	}
	return b
}

// derive sets the modules and features that follow from others, as
// auto/modules does.
func (b *Build) derive() {
	ssl := b.Modules["ngx_http_ssl_module"] || b.Modules["ngx_stream_ssl_module"] || b.Modules["ngx_mail_ssl_module"]
	if ssl {
		b.Features[FeatureOpenSSL] = true
		b.Modules["ngx_openssl_module"] = true
		b.Modules["ngx_openssl_cache_module"] = true
	}
	if b.Modules["ngx_http_gzip_filter_module"] || b.Modules["ngx_http_gunzip_filter_module"] || b.Modules["ngx_http_gzip_static_module"] {
		b.Features[FeatureGzip] = true
	}
	if b.Modules["ndk_http_module"] {
		b.Features[FeatureNDK] = true
	}
}

// ParseNginxV reads the output of `nginx -V`: the version line and the
// configure arguments.
func ParseNginxV(out string) (*Build, error) {
	var v Version
	var args string
	found := false
	for _, line := range strings.Split(out, "\n") {
		line = strings.TrimSpace(line)
		if rest, ok := strings.CutPrefix(line, "nginx version:"); ok {
			f := strings.Fields(rest)
			if len(f) == 0 {
				return nil, fmt.Errorf("nginx -V: empty version line")
			}
			name, ver, _ := strings.Cut(f[0], "/")
			if name == "openresty" {
				// OpenResty numbers its releases after the nginx core they
				// patch: 1.21.4.3 is nginx 1.21.4.
				if p := strings.Split(ver, "."); len(p) > 3 {
					ver = strings.Join(p[:3], ".")
				}
			}
			var err error
			if v, err = ParseVersion(ver); err != nil {
				return nil, fmt.Errorf("nginx -V: %w", err)
			}
			found = true
		}
		if rest, ok := strings.CutPrefix(line, "configure arguments:"); ok {
			args = rest
		}
	}
	if !found {
		return nil, fmt.Errorf("nginx -V: no \"nginx version:\" line")
	}
	b := ParseConfigure(v, args)
	if strings.Contains(out, "openresty/") {
		b.Features[FeatureOpenRestyPatch] = true
	}
	return b, nil
}

// ParseConfigure applies configure arguments, as `nginx -V` prints them, to
// the default build of version v.
func ParseConfigure(v Version, args string) *Build {
	b := DefaultBuild(v)
	http, stream, mail := true, false, false
	streamDyn, mailDyn := false, false
	groupOpts := map[string]bool{} // module -> explicitly set
	for _, a := range splitArgs(args) {
		if !strings.HasPrefix(a, "--") {
			continue
		}
		opt, val, hasVal := strings.Cut(a[2:], "=")
		switch {
		case opt == "without-http":
			http = false
		case opt == "with-stream":
			stream, streamDyn = true, hasVal && val == "dynamic"
		case opt == "with-mail":
			mail, mailDyn = true, hasVal && val == "dynamic"
		case opt == "with-threads":
			b.Modules["ngx_thread_pool_module"] = true
		case opt == "without-http-cache":
			b.Features[FeatureHTTPCache] = false
		case opt == "without-pcre":
			b.Features[FeaturePCRE] = false
			b.Modules["ngx_regex_module"] = false
		case opt == "with-pcre" || opt == "with-pcre-jit" || opt == "without-pcre2":
			b.Features[FeaturePCRE] = true
		case opt == "add-module" || opt == "add-dynamic-module":
			mods := modulesForDir(val)
			if len(mods) == 0 {
				b.Unknown = append(b.Unknown, a)
			}
			for _, m := range mods {
				if opt == "add-module" {
					b.Modules[m] = true
				} else {
					so := moduleByName[m].SO
					b.Dynamic[so] = append(b.Dynamic[so], m)
				}
			}
		case strings.HasPrefix(opt, "with-") || strings.HasPrefix(opt, "without-"):
			on := strings.HasPrefix(opt, "with-")
			name := strings.TrimPrefix(strings.TrimPrefix(opt, "with-"), "without-")
			m := moduleByOption(name)
			if m == nil {
				if strings.HasSuffix(name, "_module") {
					b.Unknown = append(b.Unknown, a)
				}
				continue
			}
			groupOpts[m.Name] = on
			if m.Group == "stream" || m.Group == "mail" {
				if m.SO == "ngx_"+m.Group+"_module.so" {
					continue // built with its group, static or dynamic: decided below
				}
			}
			if on && hasVal && val == "dynamic" {
				b.Dynamic[m.SO] = append(b.Dynamic[m.SO], m.Name)
				continue
			}
			b.Modules[m.Name] = on
		}
	}
	for _, m := range modules {
		if m.ThirdParty {
			continue
		}
		on, explicit := groupOpts[m.Name]
		switch m.Group {
		case "http":
			if !http {
				b.Modules[m.Name] = false
			}
		case "stream", "mail":
			enabled, dyn := stream, streamDyn
			if m.Group == "mail" {
				enabled, dyn = mail, mailDyn
			}
			want := enabled && ((explicit && on) || (!explicit && m.Default))
			if !want {
				continue
			}
			if m.SO != "ngx_"+m.Group+"_module.so" { // its own .so (stream_geoip)
				continue
			}
			if dyn {
				b.Dynamic[m.SO] = appendOnce(b.Dynamic[m.SO], m.Name)
			} else {
				b.Modules[m.Name] = true
			}
		}
	}
	if b.Modules["ngx_http_v3_module"] {
		if _, off := groupOpts["ngx_quic_bpf_module"]; !off {
			b.Modules["ngx_quic_bpf_module"] = true
		}
	}
	for so := range b.Dynamic {
		sort.Strings(b.Dynamic[so])
	}
	b.derive()
	return b
}

func appendOnce(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

func moduleByOption(opt string) *Module {
	for i := range modules {
		if modules[i].Option == opt {
			return &modules[i]
		}
	}
	return nil
}

// modulesForDir maps an --add-module directory to the third-party modules
// it builds, by the directory's name ("…/headers-more-nginx-module-0.37").
func modulesForDir(dir string) []string {
	dir = strings.TrimRight(dir, "/")
	base := path.Base(dir)
	if base == "nginx" { // njs builds from njs/nginx
		base = path.Base(path.Dir(dir))
	}
	var best []string
	bestLen := 0
	for _, m := range modules {
		for _, d := range m.AddDir {
			// the longest match wins: stream-lua-nginx-module over lua-nginx-module
			if strings.HasPrefix(base, d) && len(d) >= bestLen {
				if len(d) > bestLen {
					best, bestLen = nil, len(d)
				}
				best = append(best, m.Name)
			}
		}
	}
	return best
}

// splitArgs splits configure arguments on blanks, keeping quoted values
// (--with-cc-opt='-g -O2') whole.
func splitArgs(s string) []string {
	var out []string
	var cur strings.Builder
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			} else {
				cur.WriteByte(c)
			}
		case c == '\'' || c == '"':
			quote = c
		case c == ' ' || c == '\t' || c == '\n':
			if cur.Len() > 0 {
				out = append(out, cur.String())
				cur.Reset()
			}
		default:
			cur.WriteByte(c)
		}
	}
	if cur.Len() > 0 {
		out = append(out, cur.String())
	}
	return out
}

// LoadModule enables the modules of a load_module argument. It reports
// false for a shared object it does not know.
func (b *Build) LoadModule(file string) bool {
	mods := ModulesInSO(file)
	if len(mods) == 0 {
		b.Unknown = append(b.Unknown, file)
		return false
	}
	base := path.Base(file)
	if built, ok := b.Dynamic[base]; ok && len(built) > 0 {
		mods = built // only what this build put in the .so (stream without ssl …)
	} else if base == "ngx_stream_module.so" || base == "ngx_mail_module.so" {
		mods = nil
		for _, m := range ModulesInSO(file) {
			if moduleByName[m].Default {
				mods = append(mods, m)
			}
		}
	}
	for _, m := range mods {
		b.Modules[m] = true
	}
	b.derive()
	return true
}

// Enable turns modules on by nginx name or shared-object name (the
// `modules:` setting, --modules).
func (b *Build) Enable(names ...string) error {
	for _, n := range names {
		if _, ok := moduleByName[n]; ok {
			b.Modules[n] = true
			continue
		}
		if mods := ModulesInSO(n); len(mods) > 0 {
			for _, m := range mods {
				b.Modules[m] = true
			}
			continue
		}
		return fmt.Errorf("unknown module %q", n)
	}
	b.derive()
	return nil
}
