package edge

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ngxlint/ngxlint/harness/pki"
)

// captureConn records everything the server sends.
type captureConn struct {
	net.Conn
	mu  sync.Mutex
	got bytes.Buffer
}

func (c *captureConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.mu.Lock()
	c.got.Write(p[:n])
	c.mu.Unlock()
	return n, err
}

func (c *captureConn) bytes() []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]byte(nil), c.got.Bytes()...)
}

func startEdge(t *testing.T, cfg Config) *Server {
	t.Helper()
	cfg.Listen = "127.0.0.1:0"
	cfg.AdminListen = "127.0.0.1:0"
	s, err := Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func dialTLS(t *testing.T, s *Server, cc *tls.Config) (*captureConn, *tls.Conn, error) {
	t.Helper()
	raw, err := net.DialTimeout("tcp", s.Addr().String(), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	cap := &captureConn{Conn: raw}
	tc := tls.Client(cap, cc)
	_ = tc.SetDeadline(time.Now().Add(5 * time.Second))
	return cap, tc, tc.Handshake()
}

func lastConn(t *testing.T, s *Server) LogEntry {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for time.Now().Before(deadline) {
		log := s.Log(0)
		for i := len(log) - 1; i >= 0; i-- {
			if log[i].Kind == "conn" {
				return log[i]
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("no conn entry in the edge log")
	return LogEntry{}
}

func TestNoSNIAlerts(t *testing.T) {
	for _, tc := range []struct {
		profile string
		want    []byte
		alert   int
	}{
		{ProfileCDN, AlertHandshakeFailure, 40},
		{"", AlertHandshakeFailure, 40},
		{ProfileStrict, AlertUnrecognizedName, 112},
	} {
		t.Run(tc.profile, func(t *testing.T) {
			s := startEdge(t, Config{Names: []string{"example.com"}, Profile: tc.profile})
			// An IP-literal ServerName makes crypto/tls omit SNI, like nginx.
			cap, _, err := dialTLS(t, s, &tls.Config{ServerName: "127.0.0.1", InsecureSkipVerify: true})
			if err == nil {
				t.Fatal("handshake succeeded without SNI")
			}
			if got := cap.bytes(); !bytes.Equal(got, tc.want) {
				t.Fatalf("server sent % x, want % x", got, tc.want)
			}
			e := lastConn(t, s)
			if e.ClientHello == nil || e.ClientHello.HasSNI || e.Outcome != "rejected" || e.Reason != "no_sni" || e.Alert != tc.alert {
				t.Fatalf("log entry %+v", e)
			}
		})
	}
}

func TestUnknownSNI(t *testing.T) {
	s := startEdge(t, Config{Names: []string{"example.com"}})
	cap, _, err := dialTLS(t, s, &tls.Config{ServerName: "d1234567890.cloudfront.net", InsecureSkipVerify: true})
	if err == nil || !bytes.Equal(cap.bytes(), AlertHandshakeFailure) {
		t.Fatalf("err=%v bytes=% x", err, cap.bytes())
	}
	e := lastConn(t, s)
	if !e.ClientHello.HasSNI || e.ClientHello.SNI != "d1234567890.cloudfront.net" || e.Reason != "unknown_sni" {
		t.Fatalf("log entry %+v", e)
	}
}

func TestCloseAndReset(t *testing.T) {
	s := startEdge(t, Config{Names: []string{"example.com"}, Profile: ProfileClose})
	cap, _, err := dialTLS(t, s, &tls.Config{ServerName: "127.0.0.1", InsecureSkipVerify: true})
	if err == nil || len(cap.bytes()) != 0 || !errors.Is(err, io.EOF) {
		t.Fatalf("close: err=%v bytes=% x", err, cap.bytes())
	}
	s2 := startEdge(t, Config{Names: []string{"example.com"}, Profile: ProfileReset})
	cap, _, err = dialTLS(t, s2, &tls.Config{ServerName: "127.0.0.1", InsecureSkipVerify: true})
	if err == nil || len(cap.bytes()) != 0 || !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("reset: err=%v bytes=% x", err, cap.bytes())
	}
}

func TestAcceptAndEcho(t *testing.T) {
	chain, err := pki.NewChain([]string{"example.com", "www.example.com"}, 2)
	if err != nil {
		t.Fatal(err)
	}
	s := startEdge(t, Config{
		Names:   []string{"example.com", "www.example.com"},
		CertPEM: chain.Leaf.CertPEM, KeyPEM: chain.Leaf.KeyPEM, ChainPEM: chain.Leaf.ChainPEM,
		HostCheck: true,
	})
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(chain.Leaf.RootPEM)
	for _, tc := range []struct {
		host   string
		status int
	}{{"example.com:8443", 200}, {"d1234567890.cloudfront.net", 403}} {
		client := &http.Client{Transport: &http.Transport{
			TLSClientConfig:   &tls.Config{ServerName: "example.com", RootCAs: pool, NextProtos: []string{"http/1.1"}},
			ForceAttemptHTTP2: false,
			DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
				return (&net.Dialer{}).DialContext(ctx, "tcp", s.Addr().String())
			},
		}, Timeout: 5 * time.Second}
		req, _ := http.NewRequest("GET", "https://example.com/probe?x=1", nil)
		req.Host = tc.host
		req.Header.Set("X-Forwarded-For", "10.0.0.1")
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err) // also proves the 2-intermediate chain verifies
		}
		var got Request
		if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.status || got.Status != tc.status {
			t.Fatalf("Host %s: status %d/%d, want %d", tc.host, resp.StatusCode, got.Status, tc.status)
		}
		if got.SNI != "example.com" || got.Path != "/probe" || got.URI != "/probe?x=1" || got.Host != tc.host ||
			got.XForwardedFor != "10.0.0.1" || got.ClientHello == nil || got.ClientHello.SNI != "example.com" ||
			got.TLSVersion != "TLSv1.3" || got.ALPN != "http/1.1" {
			t.Fatalf("echo %+v", got)
		}
	}
}

func TestTLS13OnlyRejectsTLS12Client(t *testing.T) {
	s := startEdge(t, Config{Names: []string{"example.com"}, MinVersion: tls.VersionTLS13})
	cap, _, err := dialTLS(t, s, &tls.Config{ServerName: "example.com", InsecureSkipVerify: true, MaxVersion: tls.VersionTLS12})
	if err == nil {
		t.Fatal("TLS 1.2 client accepted by a TLS 1.3-only edge")
	}
	got := cap.bytes()
	if len(got) != 7 || got[0] != 0x15 || got[5] != 2 || got[6] != 70 {
		t.Fatalf("server sent % x, want a fatal protocol_version alert (70)", got)
	}
	e := lastConn(t, s)
	if e.Outcome != "handshake_error" || e.Alert != 70 ||
		strings.Join(e.ClientHello.Versions, ",") != "TLSv1.2" {
		t.Fatalf("log entry %+v", e)
	}
}

func TestClientHelloParse(t *testing.T) {
	s := startEdge(t, Config{Names: []string{"example.com"}, Profile: ProfileLenient})
	_, tc, err := dialTLS(t, s, &tls.Config{ServerName: "example.com", InsecureSkipVerify: true, NextProtos: []string{"h2", "http/1.1"}})
	if err != nil {
		t.Fatal(err)
	}
	if tc.ConnectionState().NegotiatedProtocol != "h2" {
		t.Fatalf("ALPN %q", tc.ConnectionState().NegotiatedProtocol)
	}
	e := lastConn(t, s)
	ch := e.ClientHello
	if ch.SNI != "example.com" || !ch.SupportedVersionsExt || strings.Join(ch.Versions, ",") != "TLSv1.3,TLSv1.2" ||
		strings.Join(ch.ALPN, ",") != "h2,http/1.1" || ch.LegacyVersion != "TLSv1.2" || e.Outcome != "accepted" || e.ALPN != "h2" {
		t.Fatalf("client hello %+v entry %+v", ch, e)
	}
	// Lenient accepts no SNI too.
	_, _, err = dialTLS(t, s, &tls.Config{ServerName: "127.0.0.1", InsecureSkipVerify: true})
	if err != nil {
		t.Fatalf("lenient refused no-SNI: %v", err)
	}
}

func TestAdminLog(t *testing.T) {
	s := startEdge(t, Config{Names: []string{"example.com"}})
	_, _, _ = dialTLS(t, s, &tls.Config{ServerName: "127.0.0.1", InsecureSkipVerify: true})
	_ = lastConn(t, s)
	resp, err := http.Get("http://" + s.AdminAddr().String() + "/__edge/log")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	log, err := DecodeLog(resp.Body)
	if err != nil || len(log) != 1 || log[0].ClientHello.HasSNI || log[0].Alert != 40 {
		t.Fatalf("log %+v err %v", log, err)
	}
	resp2, err := http.Get("http://" + s.AdminAddr().String() + "/__edge/log?since=1")
	if err != nil {
		t.Fatal(err)
	}
	defer resp2.Body.Close()
	if l, _ := DecodeLog(resp2.Body); len(l) != 0 {
		t.Fatalf("since=1 gave %+v", l)
	}
}

func TestNotTLS(t *testing.T) {
	s := startEdge(t, Config{Names: []string{"example.com"}})
	c, err := net.Dial("tcp", s.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.WriteString(c, "GET / HTTP/1.0\r\n\r\n")
	_, _ = io.ReadAll(c)
	c.Close()
	if e := lastConn(t, s); e.Outcome != "not_tls" || !strings.Contains(e.FirstBytes, "GET /") {
		t.Fatalf("entry %+v", e)
	}
}

func TestMainFlags(t *testing.T) {
	var out, errb bytes.Buffer
	if rc := mainWith([]string{"--profile", "bogus", "--listen", "127.0.0.1:0", "--admin", ""}, &out, &errb); rc != 1 || !strings.Contains(errb.String(), "unknown profile") {
		t.Fatalf("rc=%d stderr=%s", rc, errb.String())
	}
	if rc := mainWith([]string{"--min-version", "1.9"}, &out, &errb); rc != 2 {
		t.Fatalf("rc=%d", rc)
	}
}

func TestServed(t *testing.T) {
	names := []string{"example.com", "*.cdn.example"}
	for name, want := range map[string]bool{
		"example.com": true, "EXAMPLE.COM.": true, "a.cdn.example": true, "a.b.cdn.example": false,
		"cdn.example": false, "": false, "www.example.com": false,
	} {
		if Served(names, name) != want {
			t.Errorf("Served(%q) != %v", name, want)
		}
	}
}

func TestHTTP2(t *testing.T) {
	s := startEdge(t, Config{Names: []string{"example.com"}})
	client := &http.Client{Transport: &http.Transport{
		TLSClientConfig:   &tls.Config{ServerName: "example.com", InsecureSkipVerify: true},
		ForceAttemptHTTP2: true,
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "tcp", s.Addr().String())
		},
	}, Timeout: 5 * time.Second}
	resp, err := client.Get("https://example.com/h2")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got Request
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		t.Fatal(err)
	}
	if resp.ProtoMajor != 2 || got.Proto != "HTTP/2.0" || got.ALPN != "h2" || got.SNI != "example.com" {
		t.Fatalf("proto %s echo %+v", resp.Proto, got)
	}
}

// TestPlainAndDown: a plain-HTTP listener answers 200 with the echo and
// logs the request; switched down (through the admin API), the edge resets
// new connections on both its TLS and plain listeners, and serves again
// when switched up.
func TestPlainAndDown(t *testing.T) {
	s := startEdge(t, Config{Names: []string{"auth.internal"}, Plain: []string{"127.0.0.1:0"}})
	plain := s.plainLns[0].Addr().String()
	get := func() (int, error) {
		c := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
		resp, err := c.Get("http://" + plain + "/oauth2/auth")
		if err != nil {
			return 0, err
		}
		defer resp.Body.Close()
		return resp.StatusCode, nil
	}
	code, err := get()
	if err != nil || code != http.StatusOK {
		t.Fatalf("plain GET: %d %v", code, err)
	}
	var sawReq bool
	for _, e := range s.Log(0) {
		if e.Kind == "request" && e.Request.Path == "/oauth2/auth" && e.Request.SNI == "" {
			sawReq = true
		}
	}
	if !sawReq {
		t.Fatalf("plain request not logged: %+v", s.Log(0))
	}
	admin := "http://" + s.AdminAddr().String()
	resp, err := http.Post(admin+"/__edge/down?on=1", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if _, err := get(); err == nil {
		t.Fatal("down: plain GET succeeded")
	}
	// the reset may come before the dial returns, or during the handshake
	if raw, err := net.DialTimeout("tcp", s.Addr().String(), 5*time.Second); err == nil {
		tc := tls.Client(raw, &tls.Config{ServerName: "auth.internal", InsecureSkipVerify: true})
		_ = tc.SetDeadline(time.Now().Add(5 * time.Second))
		herr := tc.Handshake()
		raw.Close()
		if herr == nil {
			t.Fatal("down: TLS handshake succeeded")
		}
	}
	time.Sleep(50 * time.Millisecond) // the reset is logged after it is sent
	downs := 0
	for _, e := range s.Log(0) {
		if e.Outcome == "down" {
			downs++
		}
	}
	if downs != 2 {
		t.Fatalf("want 2 connections reset while down, got %d", downs)
	}
	resp, err = http.Post(admin+"/__edge/down?on=0", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if code, err := get(); err != nil || code != http.StatusOK {
		t.Fatalf("up again: %d %v", code, err)
	}
}
