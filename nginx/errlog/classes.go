package errlog

// Class is one kind of error-log line that ngxlint can explain.
type Class struct {
	// Slug identifies the class in output, suppressions and docs. It is
	// public API: never rename one, add a new class instead.
	Slug  string
	Title string
	// Cause says, in plain English, what usually produces the line.
	Cause string
	Fix   string
	// Ref is the row of the regex catalogue in ../shared/docs/nginx-upstream-tls.md
	// Part 3 the class implements, so the two can be kept in step; empty
	// for classes the doc has no row for.
	Ref string
	// Config is set for errors nginx reports while loading its config
	// (nginx -t, start, reload) rather than while serving a request.
	Config bool
}

// Slugs of the catalogue. They are exported so callers can switch on a
// class without string literals that could drift.
const (
	SlugAlertHandshakeFailure = "ssl-alert-40-handshake-failure"
	SlugAlertUnrecognizedName = "ssl-alert-112-unrecognized-name"
	SlugAlertProtocolVersion  = "ssl-alert-70-protocol-version"
	SlugAlertClientCert       = "ssl-alert-client-certificate"
	SlugWrongVersionNumber    = "ssl-wrong-version-number"
	SlugNoProtocols           = "ssl-no-protocols"
	SlugHandshakeFailed       = "ssl-handshake-failed"
	SlugPeerClosed            = "ssl-peer-closed"
	SlugPeerReset             = "ssl-peer-reset"
	SlugHandshakeTimeout      = "ssl-handshake-timeout"
	SlugVerifyError           = "ssl-verify-error"
	SlugNameMismatch          = "ssl-name-mismatch"
	SlugNoTrustedCertificate  = "ssl-verify-no-trusted-certificate"
	SlugHostNotFound          = "upstream-host-not-found"
	SlugNoResolver            = "upstream-no-resolver"
	SlugResolveFailed         = "upstream-resolve-failed"
	SlugConnectFailed         = "upstream-connect-failed"
	SlugConnectTimeout        = "upstream-connect-timeout"
	SlugPrematureClose        = "upstream-premature-close"
	SlugNoLiveUpstreams       = "upstream-no-live"
	SlugPeerDisabled          = "upstream-peer-disabled"
	SlugDirectiveNotAllowed   = "conf-directive-not-allowed"
	SlugUpstreamPort          = "conf-upstream-port"
	SlugProxyPassURI          = "conf-proxy-pass-uri"
	SlugResolveNeedsZone      = "conf-resolve-needs-zone"
	SlugResolveNoResolver     = "conf-resolve-no-resolver"
	SlugResolverNotFound      = "conf-resolver-host-not-found"
	SlugClientCertNoKey       = "conf-client-certificate-no-key"
)

// SlugUnclassified names upstream-looking lines that match no class of
// the catalogue; they are counted and grouped by message shape, never
// dropped.
const SlugUnclassified = "unclassified"

const sniFix = "Set `proxy_ssl_server_name on;` and `proxy_ssl_name <name on the upstream's certificate>;` " +
	"(grpc_/uwsgi_ and stream proxy_ have the same directives)."

// catalogue is in the order classes are documented. Keep slugs unique and
// stable; TestCatalogue checks both.
var catalogue = []Class{
	{
		Slug:  SlugAlertHandshakeFailure,
		Title: "Upstream rejected the TLS handshake (alert 40, handshake failure)",
		Cause: "The upstream aborted the handshake with a generic handshake_failure alert. Against CDNs, cloud load " +
			"balancers and S3 this almost always means nginx sent no SNI or the wrong one: proxy_ssl_server_name " +
			"is off by default, and without proxy_ssl_name the name is the upstream{} block name or the literal " +
			"proxy_pass host, and an IP literal is never sent. Less often the protocol or cipher sets don't overlap, " +
			"or the upstream wants a client certificate. OpenSSL 1.0 logs the same failure without an alert number.",
		Fix: sniFix + " If SNI is already right, compare proxy_ssl_protocols/ciphers with what the upstream accepts.",
		Ref: "L01a",
	},
	{
		Slug:  SlugAlertUnrecognizedName,
		Title: "Upstream does not serve the SNI name nginx sent (alert 112)",
		Cause: "SNI was sent, but it is not a name the upstream serves: typically the upstream{} block name " +
			"(\"backend\"), the CDN hostname when the edge only serves the custom domain, or a client-supplied " +
			"$host. nginx before 1.31.0 logs this alert at [crit] rather than [error].",
		Fix: "Set `proxy_ssl_name` to a name the upstream's certificate covers; don't derive it from $host or $http_host.",
		Ref: "L01b",
	},
	{
		Slug:  SlugAlertProtocolVersion,
		Title: "No TLS version in common with the upstream (alert 70)",
		Cause: "The upstream refused every protocol version nginx offered: proxy_ssl_protocols lists only " +
			"TLSv1/TLSv1.1, or pins TLSv1.2 against a TLS 1.3-only upstream, or nginx older than 1.23.4 uses its " +
			"default, which has no TLSv1.3.",
		Fix: "Set `proxy_ssl_protocols TLSv1.2 TLSv1.3;` explicitly.",
		Ref: "L01c",
	},
	{
		Slug:  SlugAlertClientCert,
		Title: "Upstream rejected or required a client certificate (alerts 42-46, 48, 116)",
		Cause: "Alerts about certificates sent by the server concern the client's certificate: the upstream uses " +
			"mutual TLS and nginx sent none (116, certificate required), or one it does not trust (48, unknown CA) " +
			"or otherwise rejects (42 bad, 43 unsupported, 44 revoked, 45 expired, 46 unknown).",
		Fix: "Configure `proxy_ssl_certificate` and `proxy_ssl_certificate_key` with a certificate the upstream's client CA issued and that is still valid.",
		Ref: "L01d",
	},
	{
		Slug:  SlugWrongVersionNumber,
		Title: "Upstream did not answer with TLS (wrong version number)",
		Cause: "nginx spoke TLS to a port that answered in plaintext, usually https:// pointed at an HTTP port " +
			"(80, 8080), or a plaintext proxy sits in between.",
		Fix: "Use http:// for a plaintext port, or point https:// at the upstream's TLS port.",
		Ref: "L01e",
	},
	{
		Slug:  SlugNoProtocols,
		Title: "nginx could not offer any TLS version (no protocols available)",
		Cause: "The local protocol set is empty once OpenSSL's own limits apply: proxy_ssl_protocols lists only " +
			"versions the OpenSSL build or its security level forbids (TLSv1, TLSv1.1, SSLv3).",
		Fix: "Set `proxy_ssl_protocols TLSv1.2 TLSv1.3;`.",
		Ref: "L01f",
	},
	{
		Slug:  SlugHandshakeFailed,
		Title: "Upstream TLS handshake failed (other OpenSSL error)",
		Cause: "SSL_do_handshake() failed toward the upstream for a reason none of the more specific classes " +
			"covers; the OpenSSL reason and alert number are in the details. Cipher or key-size mismatches " +
			"are the usual config-side explanation.",
		Fix: "Look up the OpenSSL reason; compare proxy_ssl_protocols and proxy_ssl_ciphers with what the upstream accepts.",
		Ref: "L01",
	},
	{
		Slug:  SlugPeerClosed,
		Title: "Upstream closed the connection during the TLS handshake",
		Cause: "The upstream closed the connection instead of answering the ClientHello. SNI-only endpoints " +
			"(S3, CDNs, cloud load balancers) do this when nginx sends no SNI or a name they don't serve.",
		Fix: sniFix,
		Ref: "L02",
	},
	{
		Slug:  SlugPeerReset,
		Title: "Upstream reset the connection during the TLS handshake",
		Cause: "Same as a close during the handshake, but the edge sent a TCP reset (104: Connection reset by " +
			"peer): typical of SNI-only endpoints receiving no SNI or an unknown name.",
		Fix: sniFix,
		Ref: "L02",
	},
	{
		Slug:  SlugHandshakeTimeout,
		Title: "Upstream never answered the TLS handshake (timeout)",
		Cause: "The upstream accepted TCP but never answered the ClientHello, so the client got 504 after " +
			"proxy_connect_timeout. Edges that black-hole handshakes without SNI do this; so does a stale " +
			"address resolved at load time that now belongs to something else.",
		Fix: sniFix + " If SNI is right, check that the upstream address is current (resolve at run time).",
		Ref: "L03",
	},
	{
		Slug:  SlugVerifyError,
		Title: "Upstream certificate chain failed verification",
		Cause: "proxy_ssl_verify is on and the chain did not verify; the code and text are in the details. " +
			"20 (unable to get local issuer certificate) means the wrong CA bundle, a missing intermediate, or " +
			"a chain longer than proxy_ssl_verify_depth (default 1) — depth problems show up as 20, not 22. " +
			"21 means the wrong CA; 10 expired; 18/19 self-signed.",
		Fix: "Point proxy_ssl_trusted_certificate at the CA that issued the upstream's chain, and raise " +
			"`proxy_ssl_verify_depth` (e.g. 2 or 3) for chains with more than one intermediate. Don't turn " +
			"verification off to make this go away (NGX105).",
		Ref: "L04",
	},
	{
		Slug:  SlugNameMismatch,
		Title: "Upstream certificate does not match the verified name",
		Cause: "proxy_ssl_verify is on and the certificate does not cover the name nginx checked (in the " +
			"details). Without proxy_ssl_name that name is the upstream{} block name or the proxy_pass host, " +
			"which may be an IP or the CDN hostname; with proxy_ssl_name from $host it is whatever the client sent.",
		Fix: "Set `proxy_ssl_name` to a DNS name on the upstream's certificate.",
		Ref: "L05",
	},
	{
		Slug:   SlugNoTrustedCertificate,
		Title:  "Verification enabled without a trusted CA (config error)",
		Cause:  "*_ssl_verify is on but *_ssl_trusted_certificate is not set. nginx has no fallback to the system CA store, so it refuses to load. The message carries no file:line.",
		Fix:    "Add `proxy_ssl_trusted_certificate /etc/ssl/certs/ca-certificates.crt;` (or the CA that issued the upstream's chain) where verify is enabled.",
		Ref:    "L06",
		Config: true,
	},
	{
		Slug:  SlugHostNotFound,
		Title: "Upstream host name did not resolve at load time",
		Cause: "A literal host in proxy_pass or in an upstream{} server is resolved once, with the system " +
			"resolver, when the config loads; the name did not resolve, so nginx won't start or reload. Even " +
			"when it does resolve, the address is then fixed until the next reload.",
		Fix:    "Fix the name. For endpoints whose addresses change, resolve at run time: a variable in proxy_pass plus `resolver`, or `zone` plus `server ... resolve` (nginx >= 1.27.3).",
		Ref:    "L07",
		Config: true,
	},
	{
		Slug:  SlugNoResolver,
		Title: "Variable proxy_pass with no resolver",
		Cause: "proxy_pass uses a variable whose host is neither an upstream{} name nor an IP, so nginx must " +
			"resolve it per request, and no `resolver` is in scope. Every such request fails with 502.",
		Fix: "Add `resolver <dns server> valid=30s;` in the http, server or location context.",
		Ref: "L08",
	},
	{
		Slug:  SlugResolveFailed,
		Title: "Run-time DNS lookup of the upstream failed",
		Cause: "The configured resolver answered with an error or not at all (code and text in the details): " +
			"the name does not exist, or the resolver address is wrong or unreachable from nginx.",
		Fix: "Check the name, and that the `resolver` address answers from the nginx host (e.g. 127.0.0.53 only works where systemd-resolved runs).",
		Ref: "L09",
	},
	{
		Slug:  SlugConnectFailed,
		Title: "TCP connect to the upstream failed",
		Cause: "The connection failed before TLS started (errno in the details): 111 refused (wrong port, or " +
			"nothing listening), 113 no route or 110 timed out. For cloud endpoints a common cause is an address " +
			"resolved at load time that the provider has since moved.",
		Fix: "Check address and port. For cloud endpoints, resolve at run time (variable + `resolver`, or `server ... resolve`).",
		Ref: "L10",
	},
	{
		Slug:  SlugConnectTimeout,
		Title: "TCP connect to the upstream timed out",
		Cause: "The upstream did not accept the TCP connection within proxy_connect_timeout: it is down, " +
			"firewalled, or the address (resolved once at load time) is stale.",
		Fix: "Check reachability; for cloud endpoints resolve at run time.",
	},
	{
		Slug:  SlugPrematureClose,
		Title: "Upstream closed the connection without a response",
		Cause: "TLS (if any) succeeded and the request was sent, but the upstream closed before sending a " +
			"response header. Besides crashes and keepalive races, a CDN or virtual-host router can drop " +
			"requests whose Host it does not recognise, e.g. because an inner proxy_set_header dropped the Host " +
			"set at an outer level.",
		Fix: "Check the upstream's logs; make sure the Host header the upstream expects is set in the location that proxies.",
		Ref: "L11",
	},
	{
		Slug:  SlugNoLiveUpstreams,
		Title: "Every upstream peer is marked failed",
		Cause: "A follow-on error: earlier failures (handshake, verify, connect) hit max_fails on every peer, " +
			"so nginx stopped trying for fail_timeout. The earlier lines carry the real cause.",
		Fix: "Fix the failure logged before this line.",
		Ref: "L12",
	},
	{
		Slug:  SlugPeerDisabled,
		Title: "Upstream peer temporarily disabled",
		Cause: "A follow-on warning: a peer reached max_fails and is skipped for fail_timeout. The failures " +
			"before it carry the real cause.",
		Fix: "Fix the failure logged before this line.",
	},
	{
		Slug:  SlugDirectiveNotAllowed,
		Title: "Directive used in a context that does not allow it (config error)",
		Cause: "The directive is not allowed where it appears; the common upstream-TLS case is proxy_ssl_* or " +
			"proxy_set_header inside `if`, where only proxy_pass and a few others are allowed.",
		Fix:    "Move the directive to the enclosing location or server; a proxy_pass inside `if` inherits the location's TLS and header settings.",
		Ref:    "L13",
		Config: true,
	},
	{
		Slug:   SlugUpstreamPort,
		Title:  "proxy_pass names an upstream{} block with a port (config error)",
		Cause:  "`proxy_pass https://name:port` where name is an upstream{} block: ports belong on the block's server lines.",
		Fix:    "Drop the port from proxy_pass and put it on the `server` lines of the upstream block.",
		Ref:    "L14",
		Config: true,
	},
	{
		Slug:   SlugProxyPassURI,
		Title:  "proxy_pass with a URI part where none is allowed (config error)",
		Cause:  "proxy_pass has a URI part inside `if`, a regex location, a named location or limit_except, where nginx cannot know what to replace.",
		Fix:    "Remove the URI part (rewrite the URI with `rewrite ... break;` instead), or move proxy_pass out of `if`.",
		Ref:    "L15",
		Config: true,
	},
	{
		Slug:   SlugResolveNeedsZone,
		Title:  "`server ... resolve` without a shared-memory zone (config error)",
		Cause:  "Re-resolvable upstream servers (nginx >= 1.27.3) keep their addresses in shared memory, so the upstream block needs a `zone`.",
		Fix:    "Add `zone <name> 64k;` to the upstream block.",
		Ref:    "L16",
		Config: true,
	},
	{
		Slug:   SlugResolveNoResolver,
		Title:  "`server ... resolve` without a resolver (config error)",
		Cause:  "Re-resolvable upstream servers need a `resolver` in http{} or in the upstream block; none is defined.",
		Fix:    "Add `resolver <dns server>;` in http{} or in the upstream block.",
		Ref:    "L16",
		Config: true,
	},
	{
		Slug:   SlugResolverNotFound,
		Title:  "resolver directive names a host that does not resolve (config error)",
		Cause:  "The `resolver` directive was given a host name that the system resolver could not resolve at load time.",
		Fix:    "Give `resolver` an IP address.",
		Config: true,
	},
	{
		Slug:   SlugClientCertNoKey,
		Title:  "Client certificate without its key (config error)",
		Cause:  "*_ssl_certificate is set for mutual TLS toward the upstream but *_ssl_certificate_key is not, so nginx refuses to load.",
		Fix:    "Add `proxy_ssl_certificate_key` next to `proxy_ssl_certificate`, at the same level.",
		Config: true,
	},
}

// bySlug indexes the catalogue; classify reads from it so a class is
// defined in exactly one place.
var bySlug = func() map[string]*Class {
	m := make(map[string]*Class, len(catalogue))
	for i := range catalogue {
		c := &catalogue[i]
		m[c.Slug] = c
	}
	return m
}()

// Classes returns the catalogue, in documentation order. The result is a
// copy, so callers may sort or edit it.
func Classes() []Class {
	out := make([]Class, len(catalogue))
	copy(out, catalogue)
	return out
}

// Lookup returns the class with the given slug.
func Lookup(slug string) (Class, bool) {
	c, ok := bySlug[slug]
	if !ok {
		return Class{}, false
	}
	return *c, true
}

// class is the hot-path lookup.
func class(slug string) Class {
	return *bySlug[slug]
}
