package errlog

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseTime(t *testing.T) {
	e, ok := Parse([]byte("2026/11/26 01:06:59 [error] 3573#3573: *2 no live upstreams while connecting to upstream, client: 127.0.0.1, server: localhost"))
	require.True(t, ok)
	assert.Equal(t, time.Date(2026, 11, 26, 1, 6, 59, 0, time.UTC), e.Time)
	assert.Equal(t, "2026/11/26 01:06:59", e.RawTime)
	assert.Equal(t, e.RawTime, e.Time.Format(TimeLayout))

	e, ok = Parse([]byte("nginx: [emerg] no live upstreams"))
	require.True(t, ok)
	assert.True(t, e.Time.IsZero())
	assert.Empty(t, e.RawTime)
}

func TestParseLineEndings(t *testing.T) {
	const line = `2026/11/26 01:06:59 [error] 1#1: *2 no live upstreams while connecting to upstream, client: 127.0.0.1, server: localhost, request: "GET / HTTP/1.1", host: "example.com"`
	for name, in := range map[string]string{"lf": line + "\n", "crlf": line + "\r\n", "none": line} {
		t.Run(name, func(t *testing.T) {
			e, ok := Parse([]byte(in))
			require.True(t, ok)
			assert.Equal(t, line, e.Raw)
			assert.Equal(t, "example.com", e.Host)
		})
	}
}

func TestParseDoesNotAliasInput(t *testing.T) {
	buf := []byte(`2026/11/26 01:06:59 [error] 1#1: *2 no live upstreams while connecting to upstream, client: 127.0.0.1, server: localhost`)
	e, ok := Parse(buf)
	require.True(t, ok)
	for i := range buf {
		buf[i] = 'x'
	}
	assert.Equal(t, "localhost", e.Server)
	assert.Equal(t, "no live upstreams while connecting to upstream", e.Msg)
}

func TestParseRejectDoesNotAllocate(t *testing.T) {
	lines := [][]byte{
		[]byte(`203.0.113.5 - - [26/Nov/2026:01:15:08 +0000] "GET /probe HTTP/1.1" 502 157 "-" "curl/8.5.0"`),
		[]byte("\x00\xff\xfe binary [emerg] upstream"),
		{},
	}
	for _, l := range lines {
		allocs := testing.AllocsPerRun(100, func() {
			_, ok := Parse(l)
			require.False(t, ok)
		})
		assert.Zero(t, allocs, "%q", l)
	}
}

func TestParseAcceptAllocatesOnce(t *testing.T) {
	l := []byte(`2026/11/26 01:06:59 [error] 1#1: *2 SSL_do_handshake() failed (SSL: error:0A000410:SSL routines::sslv3 alert handshake failure:SSL alert number 40) while SSL handshaking to upstream, client: 127.0.0.1, server: localhost, request: "GET /probe?case=a HTTP/1.1", upstream: "https://127.0.0.1:38443/probe?case=a", host: "example.com"`)
	allocs := testing.AllocsPerRun(100, func() {
		e, ok := Parse(l)
		require.True(t, ok)
		_, ok = Diagnose(e)
		require.True(t, ok)
	})
	assert.Equal(t, 1.0, allocs)
}

func TestLevel(t *testing.T) {
	for l := LevelDebug; l <= LevelEmerg; l++ {
		got, ok := ParseLevel(l.String())
		require.True(t, ok, l.String())
		assert.Equal(t, l, got)
	}
	_, ok := ParseLevel("fatal")
	assert.False(t, ok)
	assert.Empty(t, LevelUnknown.String())
	assert.Empty(t, Level(200).String())
	assert.Less(t, LevelError, LevelCrit, "severity must order")
}

func TestSplitRequest(t *testing.T) {
	cases := []struct{ in, method, uri string }{
		{"GET /probe?case=a HTTP/1.1", "GET", "/probe?case=a"},
		{"GET /", "GET", "/"},
		{"GET /a b HTTP/1.0", "GET", "/a b"},
		{"PRI * HTTP/2.0", "PRI", "*"},
		{"garbage", "garbage", ""},
	}
	for _, tc := range cases {
		m, u := splitRequest(tc.in)
		assert.Equal(t, tc.method, m, tc.in)
		assert.Equal(t, tc.uri, u, tc.in)
	}
}

func TestFileLine(t *testing.T) {
	cases := []struct {
		msg  string
		file string
		line int
	}{
		{`host not found in upstream "x" in /etc/nginx/nginx.conf:20`, "/etc/nginx/nginx.conf", 20},
		{`resolving names at run time requires upstream "x" in /etc/nginx/a.conf:3 to be in shared memory`, "/etc/nginx/a.conf", 3},
		{`bind() to 0.0.0.0:443 failed (98: Address already in use)`, "", 0},
		{`no proxy_ssl_trusted_certificate for proxy_ssl_verify`, "", 0},
		{`"x" directive is not allowed here in nginx.conf:x`, "", 0},
	}
	for _, tc := range cases {
		f, l := fileLine(tc.msg)
		assert.Equal(t, tc.file, f, tc.msg)
		assert.Equal(t, tc.line, l, tc.msg)
	}
}

// FuzzParse checks that no input panics, and that what Parse returns is
// consistent with itself.
func FuzzParse(f *testing.F) {
	for _, fx := range loadFixtures(f) {
		f.Add([]byte(fx.line))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		e, ok := Parse(line)
		if !ok {
			return
		}
		if e.Level == LevelUnknown {
			t.Fatalf("parsed line without level: %q", line)
		}
		d, matched := Diagnose(e)
		if matched && d.Class.Slug == "" {
			t.Fatalf("matched without class: %q", line)
		}
	})
}
