package harness

import "github.com/ngxlint/ngxlint/nginx/model"

// Report is verify's public JSON contract.
type Report struct {
	NginxImage   string            `json:"nginx_image"`
	NginxVersion string            `json:"nginx_version"`
	Upstreams    []*UpstreamReport `json:"upstreams"`
	Notes        []string          `json:"notes,omitempty"`
	// FixedConfigTest is `nginx -t` on the fixed tree, when --fix ran.
	FixedConfigTest string `json:"fixed_config_test,omitempty"`
}

// UpstreamReport is the verdict for one TLS upstream host.
type UpstreamReport struct {
	Target      string   `json:"target"`
	ServedNames []string `json:"served_names"`
	// NamesFrom says why those names were assumed.
	NamesFrom string   `json:"names_from"`
	Locations []Site   `json:"locations"`
	Before    *Outcome `json:"before"`
	After     *Outcome `json:"after,omitempty"`
	Verdict   string   `json:"verdict"`
	Reason    string   `json:"reason,omitempty"`
	Probes    []*Probe `json:"probes,omitempty"`
	port      int
	edge      *Edge
	proxies   []*model.Proxy
	impostor  bool
}

// Site is a config position.
type Site struct {
	File string `json:"file"`
	Line int    `json:"line"`
}

// Outcome is what one request through a location showed.
type Outcome struct {
	Status     int       `json:"status"`
	SNI        string    `json:"sni"`
	TLSVersion string    `json:"tls_version"`
	Host       string    `json:"host"`
	Log        []LogLine `json:"log"`
	// EdgeOutcome is the edge's view of the handshake: accepted,
	// rejected (alert), closed, reset, handshake_error, not_tls, or none
	// when nginx never connected.
	EdgeOutcome string            `json:"edge_outcome"`
	Headers     map[string]string `json:"headers,omitempty"`
	Request     string            `json:"request"`
	Error       string            `json:"error,omitempty"`
	ok          bool
	why         string
	impostor    bool
}

// LogLine is one classified error.log line of a request.
type LogLine struct {
	Class string   `json:"class"`
	Level string   `json:"level"`
	Rules []string `json:"rules"`
	Text  string   `json:"text"`
}

// Probe is one request planned for a proxying location.
type Probe struct {
	Site   Site     `json:"site"`
	Method string   `json:"method"`
	Host   string   `json:"host"`
	Path   string   `json:"path"`
	Port   int      `json:"port"`
	Stream bool     `json:"stream,omitempty"`
	Before *Outcome `json:"before,omitempty"`
	After  *Outcome `json:"after,omitempty"`
	proxy  *model.Proxy
	ssl    bool
}
