package errlog

import (
	"bufio"
	"io"
	"math/rand/v2"
	"strconv"
	"time"
)

// GenerateLog writes about size bytes (never more) of synthetic error.log
// to w, for benchmarks that need a big realistic input without shipping
// one. A failureRatio share of lines are upstream failures from the doc's
// reproductions; the rest is the noise that dominates real logs, including
// the look-alikes a careless filter would count: client-side TLS errors,
// benign "upstream response is buffered" warnings, debug-free [info]
// chatter. The same seed gives the same bytes.
func GenerateLog(w io.Writer, size int64, failureRatio float64, seed int64) error {
	g := &generator{
		rng: rand.New(rand.NewPCG(uint64(seed), 0x6e67786c696e74)),
		t:   time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC),
		pid: 3573,
	}
	bw := bufio.NewWriterSize(w, 256<<10)
	var written int64
	line := make([]byte, 0, 1024)
	for {
		line = line[:0]
		if g.rng.Float64() < failureRatio {
			line = g.failure(line)
		} else {
			line = g.noise(line)
		}
		line = append(line, '\n')
		if written+int64(len(line)) > size {
			break
		}
		if _, err := bw.Write(line); err != nil {
			return err
		}
		written += int64(len(line))
	}
	return bw.Flush()
}

type generator struct {
	rng  *rand.Rand
	t    time.Time
	ts   []byte
	pid  int
	conn int
}

var (
	genHosts  = []string{"example.com", "www.example.com", "api.example.com", "shop.example.org"}
	genPaths  = []string{"/favicon.ico", "/apple-touch-icon-precomposed.png", "/wp-login.php", "/assets/app.9f3c1e.js", "/images/banner-2026.webp", "/api/v2/orders?page=3&per_page=50", "/robots.txt", "/.env", "/static/css/main.4d2a.css", "/probe"}
	genAgents = []string{"https://www.google.com/", "https://example.com/checkout/step-2", "https://news.ycombinator.com/item?id=4242", "-"}
)

// prefix writes the envelope, moving the clock forward now and then so
// timestamps look like a busy server's.
func (g *generator) prefix(b []byte, level string, withConn bool) []byte {
	if g.ts == nil || g.rng.IntN(8) == 0 {
		g.t = g.t.Add(time.Second)
		g.ts = g.t.AppendFormat(g.ts[:0], TimeLayout)
	}
	b = append(b, g.ts...)
	b = append(b, " ["...)
	b = append(b, level...)
	b = append(b, "] "...)
	pid := g.pid + g.rng.IntN(4)
	b = strconv.AppendInt(b, int64(pid), 10)
	b = append(b, '#')
	b = strconv.AppendInt(b, int64(pid), 10)
	b = append(b, ": "...)
	if withConn {
		g.conn++
		b = append(b, '*')
		b = strconv.AppendInt(b, int64(g.conn), 10)
		b = append(b, ' ')
	}
	return b
}

func (g *generator) ip(b []byte) []byte {
	if g.rng.IntN(2) == 0 {
		b = append(b, "203.0.113."...)
	} else {
		b = append(b, "198.51.100."...)
	}
	return strconv.AppendInt(b, int64(1+g.rng.IntN(254)), 10)
}

func (g *generator) pick(s []string) string { return s[g.rng.IntN(len(s))] }

func (g *generator) httpCtx(b []byte, path, upstream string) []byte {
	host := g.pick(genHosts)
	b = append(b, ", client: "...)
	b = g.ip(b)
	b = append(b, ", server: "...)
	b = append(b, host...)
	b = append(b, `, request: "GET `...)
	b = append(b, path...)
	b = append(b, ` HTTP/1.1"`...)
	if upstream != "" {
		b = append(b, `, upstream: "`...)
		b = append(b, upstream...)
		b = append(b, path...)
		b = append(b, '"')
	}
	b = append(b, `, host: "`...)
	b = append(b, host...)
	b = append(b, '"')
	return b
}

func (g *generator) noise(b []byte) []byte {
	switch n := g.rng.IntN(100); {
	case n < 35:
		path := g.pick(genPaths)
		b = g.prefix(b, "error", true)
		b = append(b, `open() "/usr/share/nginx/html`...)
		b = append(b, path...)
		b = append(b, `" failed (2: No such file or directory)`...)
		b = g.httpCtx(b, path, "")
		b = append(b, `, referrer: "`...)
		b = append(b, g.pick(genAgents)...)
		return append(b, '"')
	case n < 50:
		b = g.prefix(b, "info", true)
		b = append(b, "client closed connection while waiting for request, client: "...)
		b = g.ip(b)
		return append(b, ", server: 0.0.0.0:443"...)
	case n < 60:
		b = g.prefix(b, "error", true)
		b = append(b, "access forbidden by rule"...)
		return g.httpCtx(b, "/.git/config", "")
	case n < 68:
		b = g.prefix(b, "error", true)
		b = append(b, `limiting requests, excess: 10.520 by zone "perip"`...)
		return g.httpCtx(b, "/api/v2/search?q=nginx+sni", "")
	case n < 78:
		// Client-side TLS failures share SSL_do_handshake() with the
		// upstream ones, and reach [crit] too.
		b = g.prefix(b, "crit", true)
		b = append(b, "SSL_do_handshake() failed (SSL: error:0A00006C:SSL routines::bad key share) while SSL handshaking, client: "...)
		b = g.ip(b)
		return append(b, ", server: 0.0.0.0:443"...)
	case n < 84:
		b = g.prefix(b, "info", true)
		b = append(b, "SSL_do_handshake() failed (SSL: error:0A000102:SSL routines::unsupported protocol) while SSL handshaking, client: "...)
		b = g.ip(b)
		return append(b, ", server: 0.0.0.0:443"...)
	case n < 88:
		b = g.prefix(b, "warn", true)
		b = append(b, "an upstream response is buffered to a temporary file /var/cache/nginx/proxy_temp/4/21/0000000214 while reading upstream"...)
		return g.httpCtx(b, "/assets/app.9f3c1e.js", "http://10.0.3.7:8080")
	case n < 92:
		b = g.prefix(b, "warn", true)
		b = append(b, "a client request body is buffered to a temporary file /var/cache/nginx/client_temp/0000000012"...)
		return g.httpCtx(b, "/api/v2/upload", "")
	case n < 96:
		b = g.prefix(b, "info", true)
		b = append(b, "recv() failed (104: Connection reset by peer) while waiting for request, client: "...)
		b = g.ip(b)
		return append(b, ", server: 0.0.0.0:443"...)
	case n < 98:
		b = g.prefix(b, "error", true)
		b = append(b, "client intended to send too large body: 10485761 bytes"...)
		return g.httpCtx(b, "/api/v2/upload", "")
	default:
		b = g.prefix(b, "notice", false)
		return append(b, "signal process started"...)
	}
}

// genFailures are messages from the doc's reproductions (Part 2) and the
// older-OpenSSL field lines (Part 1.7).
var genFailures = []struct {
	level, msg string
	stream     bool
}{
	{"error", "SSL_do_handshake() failed (SSL: error:0A000410:SSL routines::sslv3 alert handshake failure:SSL alert number 40) while SSL handshaking to upstream", false},
	{"error", "SSL_do_handshake() failed (SSL: error:14094410:SSL routines:ssl3_read_bytes:sslv3 alert handshake failure:SSL alert number 40) while SSL handshaking to upstream", false},
	{"error", "SSL_do_handshake() failed (SSL: error:14077410:SSL routines:SSL23_GET_SERVER_HELLO:sslv3 alert handshake failure) while SSL handshaking to upstream", false},
	{"crit", "SSL_do_handshake() failed (SSL: error:0A000458:SSL routines::tlsv1 unrecognized name:SSL alert number 112) while SSL handshaking to upstream", false},
	{"error", "SSL_do_handshake() failed (SSL: error:0A00042E:SSL routines::tlsv1 alert protocol version:SSL alert number 70) while SSL handshaking to upstream", false},
	{"error", "SSL_do_handshake() failed (SSL: error:0A00010B:SSL routines::wrong version number) while SSL handshaking to upstream", false},
	{"error", "peer closed connection in SSL handshake while SSL handshaking to upstream", false},
	{"error", "peer closed connection in SSL handshake (104: Connection reset by peer) while SSL handshaking to upstream", false},
	{"error", "upstream timed out (110: Connection timed out) while SSL handshaking to upstream", false},
	{"error", "upstream SSL certificate verify error: (20:unable to get local issuer certificate) while SSL handshaking to upstream", false},
	{"error", `upstream SSL certificate does not match "d1234567890.cloudfront.net" while SSL handshaking to upstream`, false},
	{"error", "connect() failed (111: Connection refused) while connecting to upstream", false},
	{"error", "upstream prematurely closed connection while reading response header from upstream", false},
	{"error", "SSL_do_handshake() failed (SSL: error:0A000410:SSL routines::sslv3 alert handshake failure:SSL alert number 40) while SSL handshaking to upstream", true},
}

func (g *generator) failure(b []byte) []byte {
	f := genFailures[g.rng.IntN(len(genFailures))]
	b = g.prefix(b, f.level, true)
	b = append(b, f.msg...)
	if f.stream {
		b = append(b, ", client: "...)
		b = g.ip(b)
		return append(b, `, server: 0.0.0.0:8443, upstream: "127.0.0.1:38443", bytes from/to client:0/0, bytes from/to upstream:0/0`...)
	}
	return g.httpCtx(b, g.pick(genPaths), "https://127.0.0.1:38443")
}
