package harness

import (
	"fmt"
	"os"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/ngxlint/ngxlint/nginx/config"
	"github.com/ngxlint/ngxlint/nginx/model"
)

// Paths the harness owns inside the nginx container.
const (
	harnessLogDir    = "/var/log/ngxlint"
	harnessErrorLog  = harnessLogDir + "/error.log"
	harnessAccessLog = harnessLogDir + "/access.log"
	// HarnessPort serves the readiness and config-generation probe.
	HarnessPort   = 18080
	readyPath     = "/__ngxlint/ready"
	probeHeader   = "X-Ngxlint-Probe"
	dockerDNS     = "127.0.0.11"
	streamModule  = "/usr/lib/nginx/modules/ngx_stream_module.so"
	generatedCert = "ngxlint-generated"
)

// staged is the user's configuration laid out for the container: every
// file at the path nginx opens, with the few edits the harness needs.
// Edits keep line numbers, so error.log lines still point at the user's
// lines.
type staged struct {
	// Generation is what the harness's readiness location answers, so a
	// reload knows when the new configuration serves.
	Generation string
	Files      map[string][]byte // container path → content
	ConfPath   string
	Ports      []listenPort
	// Cert and key paths get a generated pair; CA paths get the harness
	// CA, so verification against the edges works. No user private key
	// ever enters the container.
	CertPaths, KeyPaths, CAPaths []string
	// Guards are the access guards opened (stageOptions.OpenGuards), as
	// "file:line: what".
	Guards []string
}

type listenPort struct {
	Port   int
	SSL    bool
	Stream bool
	Server *model.Scope
}

// stageOptions tune staging.
type stageOptions struct {
	Generation string
	LoadStream bool // the image needs load_module for stream (Debian)
	ModuleDir  string
	// OpenGuards turns off the access guards in front of proxies
	// (auth_basic, auth_request, deny, `if (…) { return 4xx; }`), so a
	// request reaches an upstream that nothing else lets it reach. The
	// harness says which it opened.
	OpenGuards bool
}

// stage prepares a loaded tree for the container.
func stage(t *config.Tree, m *model.Model, o stageOptions) (*staged, error) {
	s := &staged{Files: map[string][]byte{}, Generation: o.Generation}
	edits := map[*config.File][]config.Edit{}
	add := func(f *config.File, start, end int32, text string) {
		edits[f] = append(edits[f], config.Edit{File: f, Start: start, End: end, NewText: text})
	}
	comment := func(d *config.Directive) {
		// keep the line count: every line of the directive gets a '#'
		add(d.File, d.Start, d.End, "#"+strings.ReplaceAll(d.Raw(), "\n", "\n#"))
	}
	replaceArgs := func(d *config.Directive, text string) {
		if len(d.Args) == 0 {
			add(d.File, d.NameEnd, d.NameEnd, " "+text)
			return
		}
		add(d.File, d.Args[0].Start, d.Args[len(d.Args)-1].End, text)
	}
	seenPath := map[string]bool{}
	addPath := func(list *[]string, p string) {
		if p == "" || strings.Contains(p, "$") || strings.HasPrefix(p, "data:") || strings.HasPrefix(p, "engine:") {
			return
		}
		if !path.IsAbs(p) {
			p = path.Join(t.Prefix, p)
		}
		if !seenPath[p] {
			seenPath[p] = true
			*list = append(*list, p)
		}
	}
	// the server scope of each listen: by its block, or the snippet's
	// synthetic server when the snippet is a server body
	serverOf := map[*config.Directive]*model.Scope{}
	for _, srv := range append(append([]*model.Scope{}, m.Servers...), m.StreamServers...) {
		if _, seen := serverOf[srv.Node]; !seen {
			serverOf[srv.Node] = srv
		}
	}
	hasStreamLoad := false
	var httpBlock *config.Directive
	opened := func(d *config.Directive, what string) {
		pos := d.Pos()
		s.Guards = append(s.Guards, fmt.Sprintf("%s:%d: %s", pos.Path, pos.Line, what))
	}
	config.Walk(t.Top(), func(d *config.Directive) bool {
		if o.OpenGuards {
			switch {
			case d.Name == "auth_basic" && !strings.EqualFold(d.Arg(0), "off"):
				replaceArgs(d, "off")
				opened(d, "auth_basic off")
				return true
			case d.Name == "auth_request" && !strings.EqualFold(d.Arg(0), "off"):
				replaceArgs(d, "off")
				opened(d, "auth_request off")
				return true
			case d.Name == "deny":
				comment(d)
				opened(d, "deny "+strings.Join(d.Values(), " ")+" removed")
				return true
			case d.Name == "if" && guardIf(d):
				comment(d)
				opened(d, "if ("+strings.Join(d.Values(), " ")+") { return … } removed")
				return false
			}
		}
		switch d.Name {
		case "auth_basic_user_file":
			// a user the probes log in as, whatever the real file holds
			p := d.Arg(0)
			if !path.IsAbs(p) {
				p = path.Join(t.Prefix, p)
			}
			s.Files[p] = []byte(probeUser + ":{PLAIN}" + probePassword + "\n")
		case "server":
			// upstream{} members: a failure must not mark a member down
			// for the next probe (each member is probed on its own)
			if d.Parent != nil && d.Parent.Name == "upstream" && len(d.Args) > 0 {
				if i := slices.IndexFunc(d.Args, func(a config.Arg) bool { return strings.HasPrefix(a.Value, "max_fails=") }); i >= 0 {
					add(d.File, d.Args[i].Start, d.Args[i].End, "max_fails=0")
				} else {
					add(d.File, d.Args[len(d.Args)-1].End, d.Args[len(d.Args)-1].End, " max_fails=0")
				}
			}
		}
		switch d.Name {
		case "error_log", "access_log", "user", "daemon", "master_process", "ssl_password_file",
			"proxy_ssl_password_file", "grpc_ssl_password_file", "uwsgi_ssl_password_file",
			"ssl_session_ticket_key", "ssl_crl", "proxy_ssl_crl", "grpc_ssl_crl", "uwsgi_ssl_crl",
			"ssl_stapling_file", "ssl_ecdh_curve":
			comment(d)
		case "ssl_dhparam":
			if _, err := os.Stat(localOf(t, d.Arg(0))); err != nil {
				comment(d)
			}
		case "pid":
			replaceArgs(d, "/run/nginx.pid")
		case "resolver":
			// production resolvers are unreachable; Docker's embedded DNS
			// knows the edges' aliases
			replaceArgs(d, dockerDNS+" valid=1s ipv6=off")
		case "load_module":
			if strings.Contains(d.Arg(0), "stream") {
				hasStreamLoad = true
			}
			if o.ModuleDir != "" && !path.IsAbs(d.Arg(0)) {
				replaceArgs(d, path.Join(o.ModuleDir, path.Base(d.Arg(0))))
			}
		case "ssl_certificate", "proxy_ssl_certificate", "grpc_ssl_certificate", "uwsgi_ssl_certificate":
			addPath(&s.CertPaths, d.Arg(0))
		case "ssl_certificate_key", "proxy_ssl_certificate_key", "grpc_ssl_certificate_key", "uwsgi_ssl_certificate_key":
			addPath(&s.KeyPaths, d.Arg(0))
		case "ssl_trusted_certificate", "ssl_client_certificate", "proxy_ssl_trusted_certificate",
			"grpc_ssl_trusted_certificate", "uwsgi_ssl_trusted_certificate":
			addPath(&s.CAPaths, d.Arg(0))
		case "http":
			if httpBlock == nil && d.Parent == nil {
				httpBlock = d
			}
		case "listen":
			lp, rewrite, keep := parseListen(d)
			if !keep {
				comment(d)
				return true
			}
			if rewrite != "" {
				add(d.File, d.Args[0].Start, d.Args[0].End, rewrite)
			}
			if lp.Port > 0 {
				lp.Stream = isStream(d)
				lp.Server = serverOf[d.Parent]
				s.Ports = append(s.Ports, lp)
			}
		}
		return true
	})
	root := t.Root
	harnessHTTP := harnessHTTPInline(o.Generation)
	mainTail := "\n" + errorLogDirective() + "\n"
	switch t.Context {
	case "main":
		if httpBlock != nil {
			add(httpBlock.File, httpBlock.BlockOpen+1, httpBlock.BlockOpen+1, harnessHTTP)
		} else {
			// a stream-only configuration: the harness's own http{} for
			// its readiness and access-log probes
			mainTail = "\nhttp {" + harnessHTTP + " }" + mainTail
		}
		add(root, int32(len(root.Src)), int32(len(root.Src)), mainTail)
		if o.LoadStream && !hasStreamLoad && hasStream(t) {
			add(root, 0, 0, "load_module "+streamModule+"; ")
		}
		s.ConfPath = path.Join(t.Prefix, path.Base(root.Name))
	case "http", "server", "location":
		wrap := wrapperConfig(t.Context, t.Root.Name, t.Context == "server" && !hasListen(t.Top()), o.Generation)
		s.ConfPath = path.Join(t.Prefix, "ngxlint-verify.conf")
		s.Files[s.ConfPath] = []byte(wrap)
		if t.Context == "location" || (t.Context == "server" && len(m.Servers) > 0 && len(m.Servers[0].Own("listen")) == 0) {
			s.Ports = append(s.Ports, listenPort{Port: 80, Server: firstServer(m)})
		}
	default:
		return nil, fmt.Errorf("verify does not support snippets in the %q context; pass the main nginx.conf", t.Context)
	}

	for _, f := range t.Files {
		name := f.Name
		if f == root && t.Context == "main" {
			name = s.ConfPath
		}
		if _, done := s.Files[name]; done {
			continue
		}
		if len(edits[f]) == 0 {
			s.Files[name] = []byte(f.Src)
			continue
		}
		out, err := config.ApplyEdits(edits[f])
		if err != nil {
			return nil, fmt.Errorf("staging %s: %w", f.Path, err)
		}
		s.Files[name] = out[f.Path]
	}
	for _, p := range s.CertPaths {
		delete(s.Files, p)
	}
	for _, p := range s.KeyPaths {
		delete(s.Files, p)
	}
	sort.Slice(s.Ports, func(i, j int) bool { return s.Ports[i].Port < s.Ports[j].Port })
	return s, nil
}

// guardIf reports whether an if block is an access guard: its body only
// returns a 4xx status (`if ($office = 0) { return 403; }`).
func guardIf(d *config.Directive) bool {
	n := 0
	guard := false
	for c := range config.Children(d.Block) {
		n++
		if c.Name == "return" && len(c.Args) > 0 {
			code, err := strconv.Atoi(c.Arg(0))
			guard = err == nil && (code >= 400 && code < 500 || code == 444)
		}
	}
	return n == 1 && guard
}

func firstServer(m *model.Model) *model.Scope {
	if len(m.Servers) > 0 {
		return m.Servers[0]
	}
	return nil
}

func hasListen(top []*config.Directive) bool {
	for d := range config.Children(top) {
		if d.Name == "listen" {
			return true
		}
	}
	return false
}

func hasStream(t *config.Tree) bool {
	for d := range config.Children(t.Top()) {
		if d.Name == "stream" {
			return true
		}
	}
	return false
}

func isStream(d *config.Directive) bool {
	for p := d.Parent; p != nil; p = p.Parent {
		if p.Name == "stream" {
			return true
		}
		if p.Name == "http" {
			return false
		}
	}
	return false
}

// localOf maps a path from the config to the local file the loader read.
func localOf(t *config.Tree, p string) string {
	if !path.IsAbs(p) {
		p = path.Join(t.Prefix, p)
	}
	for _, f := range t.Files {
		if f.Name == p {
			return f.Path
		}
	}
	return p
}

// parseListen reads a listen directive. It returns the port, a rewritten
// first argument when the address must go (the container has no such
// address), and keep=false for listeners the container cannot have
// (IPv6-only wildcard duplicates, unix sockets, UDP/QUIC).
func parseListen(d *config.Directive) (lp listenPort, rewrite string, keep bool) {
	if len(d.Args) == 0 {
		return lp, "", true
	}
	l := model.ParseListen(d)
	lp.SSL = l.SSL
	if l.UDP || l.QUIC || l.IsUnix() {
		return lp, "", false
	}
	if strings.HasPrefix(d.Arg(0), "[") {
		// IPv6: containers here have no IPv6; an IPv4 listener on the
		// same port usually exists, so drop it
		return lp, "", false
	}
	if l.Host != "" {
		rewrite = l.Port
	}
	n, err := strconv.Atoi(l.Port)
	if err != nil {
		return lp, "", true
	}
	lp.Port = n
	return lp, rewrite, true
}
