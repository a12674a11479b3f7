package harness

// This file is verify's public JSON contract (--format json). Its types
// carry no working state: the harness's own bookkeeping lives in
// target.go.

// Report is verify's result.
type Report struct {
	// NginxImage and NginxVersion are what the harness ran.
	NginxImage   string `json:"nginx_image"`
	NginxVersion string `json:"nginx_version"`
	// ConfigNginxVersion is the nginx version the configuration is linted
	// for (--nginx-version, .ngxlint.yaml or its version comment), when
	// one was given.
	ConfigNginxVersion string `json:"config_nginx_version,omitempty"`
	// NothingToVerify is true when the configuration proxies to no TLS
	// upstream: no container was started.
	NothingToVerify bool `json:"nothing_to_verify,omitempty"`
	// NginxError is nginx's own message when it did not start.
	NginxError string `json:"nginx_error,omitempty"`
	// Upstreams has one entry per TLS upstream host; never null.
	Upstreams []*UpstreamReport `json:"upstreams"`
	// Stubs are the production-only files the repository lacks that the
	// run stood in for.
	Stubs []StubFile `json:"stubs,omitempty"`
	// Guards are the access guards the harness opened in the staged copy
	// to get a request through to an upstream behind them.
	Guards []string `json:"guards_opened,omitempty"`
	Notes  []string `json:"notes,omitempty"`
	// FixedConfigTest is `nginx -t` on the fixed tree, when --fix ran.
	FixedConfigTest string `json:"fixed_config_test,omitempty"`
	// Timings are the run's phases in milliseconds: images, network,
	// edges, nginx (start), probes, fix (restage and reload), teardown.
	Timings map[string]int64 `json:"timings_ms,omitempty"`
}

// StubFile is a missing include the run stood in for.
type StubFile struct {
	Name string `json:"name"`
	From string `json:"from"`
}

// Verdicts. ok and fixed are only ever given when a request reached the
// upstream's stand-in edge, completed the handshake and was answered.
const (
	VerdictOK           = "ok"
	VerdictFixed        = "fixed"
	VerdictFailing      = "failing"
	VerdictReproduced   = "reproduced"
	VerdictUnverifiable = "unverifiable"
)

// Verdicts lists them; exit status 0 needs every upstream ok or fixed.
var Verdicts = []string{VerdictOK, VerdictFixed, VerdictReproduced, VerdictFailing, VerdictUnverifiable}

// Passed reports whether the run proves the configuration: every upstream
// ok or fixed and at least one verified, or nothing to verify (and the
// report says so). verify exits 0 exactly then.
func (r *Report) Passed() bool {
	if r.NothingToVerify {
		return true
	}
	if len(r.Upstreams) == 0 {
		return false
	}
	for _, u := range r.Upstreams {
		if u.Verdict != VerdictOK && u.Verdict != VerdictFixed {
			return false
		}
	}
	return true
}

// UpstreamReport is the verdict for one TLS upstream host.
type UpstreamReport struct {
	Target      string   `json:"target"`
	Port        int      `json:"port"`
	ServedNames []string `json:"served_names"`
	// NamesFrom says why those names were assumed.
	NamesFrom string `json:"names_from"`
	// Member says which member of an upstream{} block or which value of a
	// variable the target is, when it is one of several.
	Member    string   `json:"member,omitempty"`
	Locations []Site   `json:"locations"`
	Before    *Outcome `json:"before"`
	After     *Outcome `json:"after,omitempty"`
	Verdict   string   `json:"verdict"`
	Reason    string   `json:"reason,omitempty"`
	// VerdictWithoutFix is, with --fix, the verdict the same run gives
	// the configuration as it is (what `verify` without --fix says).
	VerdictWithoutFix string   `json:"verdict_without_fix,omitempty"`
	Probes            []*Probe `json:"probes,omitempty"`
}

// Site is a config position.
type Site struct {
	File string `json:"file"`
	Line int    `json:"line"`
}

// Outcome is what one request showed of one upstream.
type Outcome struct {
	Status     int       `json:"status"`
	SNI        string    `json:"sni"`
	TLSVersion string    `json:"tls_version"`
	Host       string    `json:"host"`
	Log        []LogLine `json:"log"`
	// EdgeOutcome is the upstream's edge's view of the handshake:
	// accepted, rejected (alert), closed, reset, handshake_error, not_tls,
	// down, or none when nginx never connected to it.
	EdgeOutcome string            `json:"edge_outcome"`
	Headers     map[string]string `json:"headers,omitempty"`
	Request     string            `json:"request"`
	Error       string            `json:"error,omitempty"`
}

// LogLine is one classified error.log line of a request.
type LogLine struct {
	Class string   `json:"class"`
	Level string   `json:"level"`
	Rules []string `json:"rules"`
	Text  string   `json:"text"`
}

// Probe is one request planned to reach an upstream.
type Probe struct {
	Site   Site   `json:"site"`
	Method string `json:"method"`
	Host   string `json:"host"`
	Path   string `json:"path"`
	Port   int    `json:"port"`
	Stream bool   `json:"stream,omitempty"`
	// Via says how the request reaches the proxy when not directly: an
	// auth_request subrequest, an error_page fallback, a backup member, a
	// map value chosen by a cookie or header.
	Via string `json:"via,omitempty"`
	// Headers are request headers the probe sets to choose its path.
	Headers map[string]string `json:"headers,omitempty"`
	Before  *Outcome          `json:"before,omitempty"`
	After   *Outcome          `json:"after,omitempty"`
}
