// Package edge is a mock TLS "CDN edge" for the ngxlint harness.
//
// It reads the raw ClientHello off each TCP connection itself, records SNI,
// offered versions and ALPN, and then, depending on the profile, either
// refuses the handshake the way real edges do (a raw fatal alert, a silent
// close, a reset, or no answer at all) or replays the buffered bytes into
// crypto/tls and serves HTTP/1.x (and h2 when negotiated) answering with a
// JSON echo of the request.
//
// Every connection attempt is kept in an in-memory log that the harness
// reads over a plain-HTTP admin port (GET /__edge/log), so it can learn
// "the edge saw no SNI" even when the handshake was refused.
//
// The edge runs inside a FROM-scratch container whose only executable is
// the ngxlint binary itself (or the test binary); see Main and RunIfEdge.
package edge

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ngxlint/ngxlint/harness/pki"
)

// Profiles: how the edge reacts to a ClientHello with no SNI or an SNI that
// is not in Config.Names.
const (
	// ProfileCDN sends a fatal handshake_failure alert (40), like CloudFront:
	// nginx logs "SSL alert number 40" at [error].
	ProfileCDN = "cdn"
	// ProfileStrict sends a fatal unrecognized_name alert (112): nginx 1.22
	// logs "SSL alert number 112" at [crit].
	ProfileStrict = "strict"
	// ProfileClose closes the connection without an alert (FIN): nginx logs
	// "peer closed connection in SSL handshake".
	ProfileClose = "close"
	// ProfileReset resets the connection (RST): nginx logs "peer closed
	// connection in SSL handshake (104: Connection reset by peer)".
	ProfileReset = "reset"
	// ProfileBlackhole never answers: nginx times out after
	// proxy_connect_timeout and answers 504.
	ProfileBlackhole = "blackhole"
	// ProfileLenient accepts any SNI, or none.
	ProfileLenient = "lenient"
)

// ProfileInfo names a behaviour and what nginx sees of it, for help texts.
type ProfileInfo struct{ Name, Effect string }

// Profiles lists the edge behaviours, in the order help texts show them.
var Profiles = []ProfileInfo{
	{ProfileCDN, "SNI must be served, alert 40"},
	{ProfileStrict, "alert 112"},
	{ProfileClose, "closes without an alert"},
	{ProfileReset, "resets the connection"},
	{ProfileBlackhole, "never answers"},
	{ProfileLenient, "accepts any SNI"},
}

// ProfileHelp renders profiles as "name (effect), …".
func ProfileHelp(ps []ProfileInfo) string {
	var parts []string
	for _, p := range ps {
		parts = append(parts, p.Name+" ("+p.Effect+")")
	}
	return strings.Join(parts, ", ")
}

// Raw TLS alert records the edge writes before closing. Record version
// 0x0301, as most servers use before a version is negotiated.
var (
	AlertHandshakeFailure = []byte{0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x28} // fatal, 40
	AlertUnrecognizedName = []byte{0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x70} // fatal, 112
)

// Config configures an edge.
type Config struct {
	// Listen is the TLS listen address (default ":443").
	Listen string
	// AdminListen is the plain-HTTP admin address (e.g. ":8081"); empty
	// disables the admin server. Main defaults it to ":8081".
	AdminListen string
	// Names are the names the edge serves (SNI and, with HostCheck, Host).
	// "*.example.com" matches exactly one label. Compared case-insensitively.
	Names []string
	// Profile is one of the Profile* constants; default "cdn".
	Profile string
	// MinVersion, MaxVersion bound the negotiated TLS version (0 = the
	// crypto/tls defaults, TLS 1.2–1.3). A TLS 1.3-only edge (MinVersion
	// tls.VersionTLS13) answers nginx 1.22's default ClientHello with
	// alert 70 (protocol_version).
	MinVersion, MaxVersion uint16
	// CertPEM/KeyPEM is the leaf certificate and key; ChainPEM the
	// intermediates sent after it. When CertPEM is empty the edge creates a
	// self-signed certificate for Names.
	CertPEM, KeyPEM, ChainPEM []byte
	// HostCheck makes the edge answer HostStatus (default 403) when the Host
	// header, port stripped, is not one of Names. Models CloudFront's
	// routing on Host (alternate domain names).
	HostCheck bool
	// HostStatus is the status for a Host mismatch: 403 (CloudFront) or 421.
	HostStatus int
	// ALPN is the list of protocols offered for ALPN negotiation
	// (default "h2", "http/1.1").
	ALPN []string
	// Stdout receives "listening" once ready and one line per connection;
	// nil means io.Discard.
	Stdout io.Writer
	// MaxLog bounds the in-memory log (default 10000 entries).
	MaxLog int
	// Plain are plain-HTTP listen addresses (":4180"): the edge answers
	// every request there with 200 and its JSON echo, standing in for the
	// plain-http services a configuration proxies to (an auth_request
	// service, a fallback origin), and logs them like TLS requests.
	Plain []string
}

func (c *Config) normalize() error {
	if c.Listen == "" {
		c.Listen = ":443"
	}
	if c.Profile == "" {
		c.Profile = ProfileCDN
	}
	switch c.Profile {
	case ProfileCDN, ProfileStrict, ProfileClose, ProfileReset, ProfileBlackhole, ProfileLenient:
	default:
		return fmt.Errorf("edge: unknown profile %q (want cdn, strict, close, reset, blackhole or lenient)", c.Profile)
	}
	if c.HostStatus == 0 {
		c.HostStatus = http.StatusForbidden
	}
	if c.ALPN == nil {
		c.ALPN = []string{"h2", "http/1.1"}
	}
	if c.Stdout == nil {
		c.Stdout = io.Discard
	}
	if c.MaxLog <= 0 {
		c.MaxLog = 10000
	}
	if c.MinVersion != 0 && c.MaxVersion != 0 && c.MinVersion > c.MaxVersion {
		return fmt.Errorf("edge: MinVersion %s > MaxVersion %s", VersionName(c.MinVersion), VersionName(c.MaxVersion))
	}
	for i, n := range c.Names {
		c.Names[i] = normName(n)
	}
	return nil
}

// Served reports whether name (SNI or Host without port) is one of names.
func Served(names []string, name string) bool {
	name = normName(name)
	if name == "" {
		return false
	}
	for _, n := range names {
		n = normName(n)
		if n == name {
			return true
		}
		if rest, ok := strings.CutPrefix(n, "*."); ok {
			if i := strings.IndexByte(name, '.'); i > 0 && name[i+1:] == rest {
				return true
			}
		}
	}
	return false
}

func normName(s string) string {
	return strings.TrimSuffix(strings.ToLower(strings.TrimSpace(s)), ".")
}

// LogEntry is one line of the edge's log: a connection attempt (Kind
// "conn") or an HTTP request on an accepted connection (Kind "request").
type LogEntry struct {
	Seq  int64     `json:"seq"`
	Kind string    `json:"kind"`
	Time time.Time `json:"time"`
	Conn int64     `json:"conn"`
	// Remote is the client (nginx) address.
	Remote  string `json:"remote"`
	Profile string `json:"profile,omitempty"`
	// Outcome of a connection: "accepted" (handshake completed),
	// "rejected" (alert sent by the edge's SNI check), "closed", "reset",
	// "blackholed", "handshake_error" (crypto/tls failed, e.g. no common
	// version), "not_tls", "read_error", "plain" (a plain-HTTP
	// connection), "down" (reset because the edge was switched down).
	Outcome string `json:"outcome,omitempty"`
	// Reason for a refusal: "no_sni", "unknown_sni".
	Reason string `json:"reason,omitempty"`
	// Alert is the alert description the edge sent in plaintext (40, 70,
	// 112, …), 0 if none.
	Alert       int          `json:"alert,omitempty"`
	Error       string       `json:"error,omitempty"`
	ClientHello *ClientHello `json:"client_hello,omitempty"`
	TLSVersion  string       `json:"tls_version,omitempty"`
	ALPN        string       `json:"alpn,omitempty"`
	CipherSuite string       `json:"cipher_suite,omitempty"`
	// Resumed is true when the client resumed an earlier TLS session (no
	// certificate was sent, so the client's verify result is the old one).
	Resumed bool `json:"resumed,omitempty"`
	// FirstBytes holds the start of a non-TLS stream (quoted), for not_tls.
	FirstBytes string   `json:"first_bytes,omitempty"`
	Request    *Request `json:"request,omitempty"`
}

// Request is the JSON echo the edge answers with, also logged.
type Request struct {
	Method          string            `json:"method"`
	Path            string            `json:"path"`
	URI             string            `json:"uri"`
	Proto           string            `json:"proto"`
	Host            string            `json:"host"`
	Headers         map[string]string `json:"headers"`
	XForwardedFor   string            `json:"x_forwarded_for"`
	XRealIP         string            `json:"x_real_ip"`
	XForwardedProto string            `json:"x_forwarded_proto"`
	SNI             string            `json:"sni"`
	TLSVersion      string            `json:"tls_version"`
	ALPN            string            `json:"alpn"`
	Resumed         bool              `json:"resumed"`
	ClientHello     *ClientHello      `json:"client_hello"`
	Status          int               `json:"status"`
	HostOK          bool              `json:"host_ok"`
	Conn            int64             `json:"conn"`
}

// Server is a running edge.
type Server struct {
	cfg     Config
	tlsCfg  *tls.Config
	ln      net.Listener
	adminLn net.Listener
	httpSrv *http.Server
	admin   *http.Server
	hl      *chanListener

	plainLns []net.Listener
	plainSrv *http.Server
	pl       *chanListener
	// down makes the edge reset every new connection: the harness switches
	// an upstream down to reach a backup member or an error_page fallback.
	down atomic.Bool

	connSeq atomic.Int64
	mu      sync.Mutex
	seq     int64
	entries []LogEntry
	conns   sync.Map // *tls.Conn -> *connInfo

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	done   chan struct{}
}

type connInfo struct {
	id     int64
	remote string
	hello  *ClientHello
}

type ctxKey struct{}

// Start listens and serves in the background until ctx is done or Close
// is called.
func Start(ctx context.Context, cfg Config) (*Server, error) {
	cfg.Names = append([]string(nil), cfg.Names...)
	if err := cfg.normalize(); err != nil {
		return nil, err
	}
	cert, err := loadCert(cfg)
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, done: make(chan struct{})}
	s.tlsCfg = &tls.Config{
		Certificates: []tls.Certificate{cert},
		MinVersion:   cfg.MinVersion,
		MaxVersion:   cfg.MaxVersion,
		NextProtos:   cfg.ALPN,
	}
	s.ln, err = net.Listen("tcp", cfg.Listen)
	if err != nil {
		return nil, fmt.Errorf("edge: listen %s: %w", cfg.Listen, err)
	}
	if cfg.AdminListen != "" {
		s.adminLn, err = net.Listen("tcp", cfg.AdminListen)
		if err != nil {
			s.ln.Close()
			return nil, fmt.Errorf("edge: admin listen %s: %w", cfg.AdminListen, err)
		}
	}
	s.ctx, s.cancel = context.WithCancel(ctx)
	s.hl = newChanListener(s.ln.Addr())
	s.httpSrv = &http.Server{
		Handler:           http.HandlerFunc(s.serveEcho),
		ReadHeaderTimeout: 30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          log.New(io.Discard, "", 0),
		ConnContext: func(ctx context.Context, c net.Conn) context.Context {
			if v, ok := s.conns.Load(c); ok {
				return context.WithValue(ctx, ctxKey{}, v.(*connInfo))
			}
			return ctx
		},
		ConnState: func(c net.Conn, st http.ConnState) {
			if st == http.StateClosed || st == http.StateHijacked {
				s.conns.Delete(c)
			}
		},
	}
	for _, addr := range cfg.Plain {
		pln, err := net.Listen("tcp", addr)
		if err != nil {
			s.ln.Close()
			for _, l := range s.plainLns {
				l.Close()
			}
			if s.adminLn != nil {
				s.adminLn.Close()
			}
			return nil, fmt.Errorf("edge: plain listen %s: %w", addr, err)
		}
		s.plainLns = append(s.plainLns, pln)
	}
	s.wg.Add(2)
	go func() { defer s.wg.Done(); _ = s.httpSrv.Serve(s.hl) }()
	go func() { defer s.wg.Done(); s.acceptLoop() }()
	if len(s.plainLns) > 0 {
		s.pl = newChanListener(s.plainLns[0].Addr())
		s.plainSrv = &http.Server{
			Handler:           http.HandlerFunc(s.serveEcho),
			ReadHeaderTimeout: 30 * time.Second,
			IdleTimeout:       2 * time.Minute,
			ErrorLog:          log.New(io.Discard, "", 0),
			ConnContext: func(ctx context.Context, c net.Conn) context.Context {
				if v, ok := s.conns.Load(c); ok {
					return context.WithValue(ctx, ctxKey{}, v.(*connInfo))
				}
				return ctx
			},
			ConnState: func(c net.Conn, st http.ConnState) {
				if st == http.StateClosed || st == http.StateHijacked {
					s.conns.Delete(c)
				}
			},
		}
		s.wg.Add(1)
		go func() { defer s.wg.Done(); _ = s.plainSrv.Serve(s.pl) }()
		for _, pln := range s.plainLns {
			s.wg.Add(1)
			go func() { defer s.wg.Done(); s.plainLoop(pln) }()
		}
	}
	if s.adminLn != nil {
		s.admin = &http.Server{Handler: s.AdminHandler(), ReadHeaderTimeout: 10 * time.Second, ErrorLog: log.New(io.Discard, "", 0)}
		s.wg.Add(1)
		go func() { defer s.wg.Done(); _ = s.admin.Serve(s.adminLn) }()
	}
	go func() {
		<-s.ctx.Done()
		s.shutdown()
	}()
	return s, nil
}

// Serve runs an edge until ctx is done. It prints "listening" to
// cfg.Stdout once both listeners are bound.
func Serve(ctx context.Context, cfg Config) error {
	s, err := Start(ctx, cfg)
	if err != nil {
		return err
	}
	fmt.Fprintf(s.cfg.Stdout, "ngxlint edge listening on %s (admin %s) profile=%s names=%s\n",
		s.Addr(), s.AdminAddr(), s.cfg.Profile, strings.Join(s.cfg.Names, ","))
	<-s.done
	return nil
}

// Addr is the TLS listener's address.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// AdminAddr is the admin listener's address, or nil.
func (s *Server) AdminAddr() net.Addr {
	if s.adminLn == nil {
		return nil
	}
	return s.adminLn.Addr()
}

// Close stops the edge and waits for its goroutines.
func (s *Server) Close() error {
	s.cancel()
	<-s.done
	return nil
}

func (s *Server) shutdown() {
	s.ln.Close()
	for _, l := range s.plainLns {
		l.Close()
	}
	if s.plainSrv != nil {
		s.plainSrv.Close()
		s.pl.Close()
	}
	if s.adminLn != nil {
		s.admin.Close()
	}
	s.httpSrv.Close()
	s.hl.Close()
	s.wg.Wait()
	close(s.done)
}

// Log returns the entries with Seq > since.
func (s *Server) Log(since int64) []LogEntry {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []LogEntry
	for _, e := range s.entries {
		if e.Seq > since {
			out = append(out, e)
		}
	}
	return out
}

// ResetLog drops all entries (sequence numbers keep increasing).
func (s *Server) ResetLog() {
	s.mu.Lock()
	s.entries = nil
	s.mu.Unlock()
}

func (s *Server) record(e LogEntry) {
	s.mu.Lock()
	s.seq++
	e.Seq = s.seq
	if e.Time.IsZero() {
		e.Time = time.Now().UTC()
	}
	s.entries = append(s.entries, e)
	if over := len(s.entries) - s.cfg.MaxLog; over > 0 {
		s.entries = append([]LogEntry(nil), s.entries[over:]...)
	}
	s.mu.Unlock()
	if e.Kind == "conn" {
		sni := "<none>"
		if e.ClientHello != nil && e.ClientHello.HasSNI {
			sni = fmt.Sprintf("%q", e.ClientHello.SNI)
		}
		fmt.Fprintf(s.cfg.Stdout, "conn %d from %s: sni=%s outcome=%s reason=%s alert=%d tls=%s resumed=%v err=%s\n",
			e.Conn, e.Remote, sni, e.Outcome, e.Reason, e.Alert, e.TLSVersion, e.Resumed, e.Error)
	} else if e.Request != nil {
		fmt.Fprintf(s.cfg.Stdout, "req conn=%d %s %s host=%q sni=%q status=%d\n",
			e.Conn, e.Request.Method, e.Request.URI, e.Request.Host, e.Request.SNI, e.Request.Status)
	}
}

func (s *Server) acceptLoop() {
	for {
		c, err := s.ln.Accept()
		if err != nil {
			if s.ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return
			}
			time.Sleep(10 * time.Millisecond)
			continue
		}
		s.wg.Add(1)
		go func() { defer s.wg.Done(); s.handle(c) }()
	}
}

// plainLoop accepts plain-HTTP connections for the echo server.
func (s *Server) plainLoop(ln net.Listener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			if s.ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return
			}
			time.Sleep(10 * time.Millisecond)
			continue
		}
		id := s.connSeq.Add(1)
		e := LogEntry{Kind: "conn", Conn: id, Remote: c.RemoteAddr().String(), Outcome: "plain", Time: time.Now().UTC()}
		if s.down.Load() {
			s.resetDown(c, e)
			continue
		}
		s.record(e)
		s.conns.Store(c, &connInfo{id: id, remote: e.Remote})
		if !s.pl.push(s.ctx, c) {
			s.conns.Delete(c)
			c.Close()
		}
	}
}

// resetDown answers a connection while the edge is switched down: a TCP
// reset, which nginx logs as a failure and tries the next upstream (or
// its error_page).
func (s *Server) resetDown(c net.Conn, e LogEntry) {
	e.Outcome = "down"
	s.record(e)
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	c.Close()
}

// SetDown switches the edge down or up. Down, every new connection is
// reset and the open ones are closed: nginx's kept-alive connections to
// this upstream must not carry the next request either.
func (s *Server) SetDown(down bool) {
	s.down.Store(down)
	if !down {
		return
	}
	s.conns.Range(func(k, _ any) bool {
		if c, ok := k.(net.Conn); ok {
			_ = c.Close()
		}
		return true
	})
}

func (s *Server) handle(c net.Conn) {
	id := s.connSeq.Add(1)
	e := LogEntry{Kind: "conn", Conn: id, Remote: c.RemoteAddr().String(), Profile: s.cfg.Profile, Time: time.Now().UTC()}
	if s.down.Load() {
		s.resetDown(c, e)
		return
	}
	_ = c.SetReadDeadline(time.Now().Add(30 * time.Second))
	raw, hello, err := readClientHello(c)
	if err != nil {
		switch {
		case errors.Is(err, errNotTLS):
			e.Outcome = "not_tls"
			e.FirstBytes = fmt.Sprintf("%q", raw)
		default:
			e.Outcome = "read_error"
		}
		e.Error = err.Error()
		s.record(e)
		c.Close()
		return
	}
	e.ClientHello = hello
	known := hello.HasSNI && Served(s.cfg.Names, hello.SNI)
	if !known && s.cfg.Profile != ProfileLenient {
		e.Reason = "unknown_sni"
		if !hello.HasSNI {
			e.Reason = "no_sni"
		}
		switch s.cfg.Profile {
		case ProfileCDN:
			e.Outcome, e.Alert = "rejected", 40
			_, _ = c.Write(AlertHandshakeFailure)
		case ProfileStrict:
			e.Outcome, e.Alert = "rejected", 112
			_, _ = c.Write(AlertUnrecognizedName)
		case ProfileClose:
			e.Outcome = "closed"
		case ProfileReset:
			e.Outcome = "reset"
			if tc, ok := c.(*net.TCPConn); ok {
				_ = tc.SetLinger(0)
			}
		case ProfileBlackhole:
			e.Outcome = "blackholed"
			s.record(e)
			_ = c.SetReadDeadline(time.Time{})
			go func() { <-s.ctx.Done(); c.Close() }()
			_, _ = io.Copy(io.Discard, c) // until the client gives up
			c.Close()
			return
		}
		s.record(e)
		if e.Alert != 0 {
			// Half-close and drain briefly so the alert is not lost to a
			// RST caused by unread data.
			if tc, ok := c.(*net.TCPConn); ok {
				_ = tc.CloseWrite()
			}
			_ = c.SetReadDeadline(time.Now().Add(time.Second))
			_, _ = io.Copy(io.Discard, c)
		}
		c.Close()
		return
	}

	rc := &replayConn{Conn: c, buf: raw}
	tc := tls.Server(rc, s.tlsCfg)
	hctx, cancel := context.WithTimeout(s.ctx, 30*time.Second)
	err = tc.HandshakeContext(hctx)
	cancel()
	if err != nil {
		e.Outcome = "handshake_error"
		e.Error = err.Error()
		e.Alert = int(rc.alert.Load())
		s.record(e)
		tc.Close()
		return
	}
	_ = c.SetReadDeadline(time.Time{})
	st := tc.ConnectionState()
	e.Outcome = "accepted"
	e.TLSVersion = VersionName(st.Version)
	e.ALPN = st.NegotiatedProtocol
	e.CipherSuite = tls.CipherSuiteName(st.CipherSuite)
	e.Resumed = st.DidResume
	s.record(e)
	s.conns.Store(net.Conn(tc), &connInfo{id: id, remote: e.Remote, hello: hello})
	if !s.hl.push(s.ctx, tc) {
		s.conns.Delete(net.Conn(tc))
		tc.Close()
	}
}

func (s *Server) serveEcho(w http.ResponseWriter, r *http.Request) {
	ci, _ := r.Context().Value(ctxKey{}).(*connInfo)
	req := &Request{
		Method:          r.Method,
		Path:            r.URL.Path,
		URI:             r.RequestURI,
		Proto:           r.Proto,
		Host:            r.Host,
		Headers:         map[string]string{},
		XForwardedFor:   r.Header.Get("X-Forwarded-For"),
		XRealIP:         r.Header.Get("X-Real-Ip"),
		XForwardedProto: r.Header.Get("X-Forwarded-Proto"),
	}
	for k, v := range r.Header {
		req.Headers[k] = strings.Join(v, ", ")
	}
	if r.TLS != nil {
		req.SNI = r.TLS.ServerName
		req.TLSVersion = VersionName(r.TLS.Version)
		req.ALPN = r.TLS.NegotiatedProtocol
		req.Resumed = r.TLS.DidResume
	}
	if ci != nil {
		req.ClientHello = ci.hello
		req.Conn = ci.id
	}
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	req.HostOK = Served(s.cfg.Names, host)
	req.Status = http.StatusOK
	if s.cfg.HostCheck && !req.HostOK {
		req.Status = s.cfg.HostStatus
	}
	e := LogEntry{Kind: "request", Request: req}
	if ci != nil {
		e.Conn, e.Remote = ci.id, ci.remote
	}
	s.record(e)

	body, _ := json.Marshal(req)
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/grpc") {
		// Best effort for grpc_pass: a well-formed gRPC answer with status
		// UNIMPLEMENTED and the echo in a header.
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/grpc")
		w.Header().Set("X-Edge-Echo", string(body))
		w.Header().Set("Trailer", "Grpc-Status, Grpc-Message")
		w.WriteHeader(http.StatusOK)
		w.Header().Set("Grpc-Status", "12")
		w.Header().Set("Grpc-Message", "ngxlint edge echo")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Server", "ngxlint-edge")
	w.WriteHeader(req.Status)
	_, _ = w.Write(append(body, '\n'))
}

// AdminHandler serves the admin API:
//
//	GET  /__edge/log[?since=N]  JSON lines, one LogEntry per line
//	POST /__edge/reset          clear the log
//	POST /__edge/down?on=1|0    reset every new connection (1) or serve again
//	GET  /__edge/healthz        "ok"
func (s *Server) AdminHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /__edge/log", func(w http.ResponseWriter, r *http.Request) {
		var since int64
		if v := r.URL.Query().Get("since"); v != "" {
			_, _ = fmt.Sscan(v, &since)
		}
		w.Header().Set("Content-Type", "application/x-ndjson")
		enc := json.NewEncoder(w)
		for _, e := range s.Log(since) {
			_ = enc.Encode(e)
		}
	})
	mux.HandleFunc("POST /__edge/down", func(w http.ResponseWriter, r *http.Request) {
		s.SetDown(r.URL.Query().Get("on") != "0")
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("POST /__edge/reset", func(w http.ResponseWriter, r *http.Request) {
		s.ResetLog()
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("GET /__edge/healthz", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "ok\n")
	})
	return mux
}

// DecodeLog parses the JSON lines returned by GET /__edge/log.
func DecodeLog(r io.Reader) ([]LogEntry, error) {
	var out []LogEntry
	dec := json.NewDecoder(r)
	for {
		var e LogEntry
		if err := dec.Decode(&e); err != nil {
			if err == io.EOF {
				return out, nil
			}
			return out, err
		}
		out = append(out, e)
	}
}

func loadCert(cfg Config) (tls.Certificate, error) {
	if len(cfg.CertPEM) == 0 {
		names := cfg.Names
		if len(names) == 0 {
			names = []string{"localhost"}
		}
		leaf, err := pki.SelfSigned(names)
		if err != nil {
			return tls.Certificate{}, err
		}
		return leaf.TLSCertificate()
	}
	chain := append(append([]byte{}, cfg.CertPEM...), '\n')
	chain = append(chain, cfg.ChainPEM...)
	cert, err := tls.X509KeyPair(chain, cfg.KeyPEM)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("edge: certificate: %w", err)
	}
	return cert, nil
}

// replayConn returns the buffered ClientHello bytes before reading from the
// socket again, and notes a plaintext alert written by crypto/tls.
type replayConn struct {
	net.Conn
	buf   []byte
	alert atomic.Int32
}

func (c *replayConn) Read(p []byte) (int, error) {
	if len(c.buf) > 0 {
		n := copy(p, c.buf)
		c.buf = c.buf[n:]
		return n, nil
	}
	return c.Conn.Read(p)
}

func (c *replayConn) Write(p []byte) (int, error) {
	// A plaintext alert record: 15 03 0x 00 02 <level> <desc>.
	if len(p) >= 7 && p[0] == 0x15 && p[1] == 0x03 && p[3] == 0 && p[4] == 2 && c.alert.Load() == 0 {
		c.alert.Store(int32(p[6]))
	}
	return c.Conn.Write(p)
}

// chanListener hands handshaken connections to http.Server.
type chanListener struct {
	addr net.Addr
	ch   chan net.Conn
	once sync.Once
	done chan struct{}
}

func newChanListener(addr net.Addr) *chanListener {
	return &chanListener{addr: addr, ch: make(chan net.Conn), done: make(chan struct{})}
}

func (l *chanListener) push(ctx context.Context, c net.Conn) bool {
	select {
	case l.ch <- c:
		return true
	case <-l.done:
		return false
	case <-ctx.Done():
		return false
	}
}

func (l *chanListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.ch:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *chanListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

func (l *chanListener) Addr() net.Addr { return l.addr }
