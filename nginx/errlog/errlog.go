// Package errlog reads nginx error.log output and explains the upstream-TLS,
// upstream-DNS and config-load failures in it in terms of ngxlint rules.
//
// Error logs are mostly noise for this purpose (access denials, missing
// files, client-side TLS chatter), so the package is built around a cheap
// reject path: the Scanner looks for a handful of keywords across whole
// buffers and only parses lines that contain one. Parsing works on string
// offsets into a single copy of the line, so a parsed Entry costs one
// allocation and a rejected line costs none.
//
// The message catalogue, the regexes it replaces and the reproductions it
// was checked against are in ../shared/docs/nginx-upstream-tls.md (Parts 1.7, 2, 3).
package errlog

import (
	"strings"
	"time"
	"unsafe"
)

// Level is an nginx log level. The zero value means the line had none we
// know, so a missing level never compares as severe.
type Level uint8

// nginx's levels, least to most severe, so that "at least warn" is a plain
// comparison.
const (
	LevelUnknown Level = iota
	LevelDebug
	LevelInfo
	LevelNotice
	LevelWarn
	LevelError
	LevelCrit
	LevelAlert
	LevelEmerg
)

var levelNames = [...]string{"", "debug", "info", "notice", "warn", "error", "crit", "alert", "emerg"}

// String returns the level as nginx spells it between brackets.
func (l Level) String() string {
	if int(l) < len(levelNames) {
		return levelNames[l]
	}
	return ""
}

// ParseLevel is the inverse of String; it exists so callers (flags, test
// fixtures) don't need their own table.
func ParseLevel(s string) (Level, bool) {
	switch s {
	case "debug":
		return LevelDebug, true
	case "info":
		return LevelInfo, true
	case "notice":
		return LevelNotice, true
	case "warn":
		return LevelWarn, true
	case "error":
		return LevelError, true
	case "crit":
		return LevelCrit, true
	case "alert":
		return LevelAlert, true
	case "emerg":
		return LevelEmerg, true
	}
	return LevelUnknown, false
}

// TimeLayout is the layout of the timestamp nginx writes; RawTime keeps it
// verbatim because the log carries no zone and callers may know better
// than we do which one applies.
const TimeLayout = "2006/01/02 15:04:05"

// Entry is one parsed error-log line. All string fields are substrings of
// Raw, so an Entry holds one allocation however many fields it has.
type Entry struct {
	// Time is the timestamp read as UTC: nginx writes local time without a
	// zone, and guessing the reader's zone would be wrong for logs copied
	// off another host. It is zero for the "nginx: [level]" form.
	Time    time.Time
	RawTime string
	Level   Level
	// PID, TID and Conn are 0 when the line has none (the "nginx:" form, or
	// a message logged outside a connection).
	PID  int
	TID  int
	Conn uint64

	// Msg is the message without the ", client: ..." context tail but with
	// nginx's " while <action>" suffix, which is part of what identifies a
	// failure (e.g. "while SSL handshaking to upstream").
	Msg string
	// Action is the text after the last " while " in Msg, or "".
	Action string

	Client   string
	Server   string
	Request  string
	Method   string
	URI      string
	Upstream string
	Host     string
	Referrer string

	// Stream is set for ngx_stream lines, recognised by their
	// "bytes from/to" counters; they have no request or host.
	Stream            bool
	BytesFromClient   int64
	BytesToClient     int64
	BytesFromUpstream int64
	BytesToUpstream   int64

	// File and Line locate config-load errors ("... in /etc/nginx/nginx.conf:12").
	File string
	Line int

	// Raw is the whole line, without the line terminator. For lines where
	// the envelope follows a foreign prefix (syslog, container runtimes),
	// Raw still includes that prefix.
	Raw string
}

// Parse parses one error-log line. It returns false for anything that is
// not an nginx error-log line; that is the expected outcome for most input,
// so it is not an error.
//
// The line is copied once, only after it is known to parse.
func Parse(line []byte) (Entry, bool) {
	line = trimEOL(line)
	if _, ok := parseString(bytesView(line), false); !ok {
		return Entry{}, false
	}
	return parseString(string(line), true)
}

// bytesView lets the reject path run the string-based parser over a buffer
// without copying it. The result must not outlive the call that made it or
// be stored anywhere: the buffer under it is reused.
func bytesView(b []byte) string {
	return unsafe.String(unsafe.SliceData(b), len(b))
}

func trimEOL(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}

// parseString parses s without allocating; every string in the result is
// a substring of s. Without full it stops once Level and Msg are known,
// which is all Diagnose needs: deciding whether to keep a line should not
// pay for splitting context fields that will be thrown away.
func parseString(s string, full bool) (Entry, bool) {
	e, ok := parseEnvelope(s, 0)
	if !ok {
		off := findEnvelope(s)
		if off < 0 {
			return Entry{}, false
		}
		if e, ok = parseEnvelope(s, off); !ok {
			return Entry{}, false
		}
	}
	e.Raw = s
	parseTail(&e, full)
	return e, true
}

// maxPrefix bounds how far into a line we look for an envelope behind a
// foreign prefix; syslog and CRI prefixes are well under this.
const maxPrefix = 256

// findEnvelope finds an envelope that does not start the line, as in
// "2026-11-26T01:06:59Z stderr F 2026/11/26 ..." (kubernetes) or
// "Nov 26 01:06:59 host nginx[1]: 2026/11/26 ...". It anchors on the '['
// of the level because that is rare in prefixes and sits at a fixed
// offset from the start of the timestamp.
func findEnvelope(s string) int {
	lim := min(len(s), maxPrefix)
	for i := 1; i < lim; i++ {
		j := strings.IndexByte(s[i:lim], '[')
		if j < 0 {
			return -1
		}
		i += j
		if i >= 20 && isTimestamp(s[i-20:i-1]) && s[i-1] == ' ' {
			return i - 20
		}
		if i >= 7 && s[i-7:i] == "nginx: " {
			return i - 7
		}
	}
	return -1
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// isTimestamp reports whether s is exactly "YYYY/MM/DD HH:MM:SS".
func isTimestamp(s string) bool {
	if len(s) != 19 {
		return false
	}
	for i := 0; i < 19; i++ {
		c := s[i]
		switch i {
		case 4, 7:
			if c != '/' {
				return false
			}
		case 10:
			if c != ' ' {
				return false
			}
		case 13, 16:
			if c != ':' {
				return false
			}
		default:
			if !isDigit(c) {
				return false
			}
		}
	}
	return true
}

func atoi2(s string) int { return int(s[0]-'0')*10 + int(s[1]-'0') }

// parseTime avoids time.Parse, which is several times slower and would be
// the most expensive step of parsing a line.
func parseTime(s string) (time.Time, bool) {
	y := atoi2(s[0:2])*100 + atoi2(s[2:4])
	mo, d := atoi2(s[5:7]), atoi2(s[8:10])
	h, mi, sec := atoi2(s[11:13]), atoi2(s[14:16]), atoi2(s[17:19])
	if mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60 {
		return time.Time{}, false
	}
	return time.Date(y, time.Month(mo), d, h, mi, sec, 0, time.UTC), true
}

// parseUint parses the leading decimal digits of s. It returns the value
// and the number of digits; n == 0 means there were none. Values that
// overflow are rejected rather than wrapped, because they can only come
// from garbage.
func parseUint(s string) (v uint64, n int) {
	for n < len(s) && isDigit(s[n]) {
		if n >= 19 {
			return 0, 0
		}
		v = v*10 + uint64(s[n]-'0')
		n++
	}
	return v, n
}

// parseEnvelope parses the two envelope forms from Part 3 of the doc:
//
//	YYYY/MM/DD HH:MM:SS [level] pid#tid: [*conn ]msg
//	nginx: [level] msg
func parseEnvelope(s string, off int) (Entry, bool) {
	var e Entry
	rest := s[off:]
	if strings.HasPrefix(rest, "nginx: [") {
		rest = rest[len("nginx: "):]
	} else {
		if len(rest) < 21 || !isTimestamp(rest[:19]) || rest[19] != ' ' || rest[20] != '[' {
			return e, false
		}
		t, ok := parseTime(rest[:19])
		if !ok {
			return e, false
		}
		e.Time, e.RawTime = t, rest[:19]
		rest = rest[20:]
	}
	// rest starts with '['.
	end := strings.IndexByte(rest, ']')
	if end < 0 || end > 8 {
		return e, false
	}
	lvl, ok := ParseLevel(rest[1:end])
	if !ok || len(rest) < end+2 || rest[end+1] != ' ' {
		return e, false
	}
	e.Level = lvl
	rest = rest[end+2:]

	if e.RawTime != "" {
		pid, n := parseUint(rest)
		if n == 0 || len(rest) <= n || rest[n] != '#' {
			return e, false
		}
		rest = rest[n+1:]
		tid, m := parseUint(rest)
		if m == 0 || !strings.HasPrefix(rest[m:], ": ") {
			return e, false
		}
		rest = rest[m+2:]
		e.PID, e.TID = int(pid), int(tid)
		if len(rest) > 1 && rest[0] == '*' {
			if c, k := parseUint(rest[1:]); k > 0 && len(rest) > k+1 && rest[k+1] == ' ' {
				e.Conn = c
				rest = rest[k+2:]
			}
		}
	}
	e.Msg = rest
	return e, true
}

// tailKeys are the fields nginx's log handlers append after the message:
// ngx_http_log_error_handler for http, ngx_stream_proxy_log_error and
// ngx_stream_log_error for stream. A field boundary is ", " followed by
// one of these, which lets quoted values contain commas.
var tailKeys = [...]string{
	"server: ",
	"request: ",
	"subrequest: ",
	"upstream: ",
	"host: ",
	"referrer: ",
	"bytes from/to client:",
	"bytes from/to upstream:",
	"login: ",
}

const clientKey = ", client: "

// nextField returns the index in s of the next ", <key>" boundary at or
// after from, or len(s).
func nextField(s string, from int) int {
	for i := from; i < len(s); {
		j := strings.Index(s[i:], ", ")
		if j < 0 {
			return len(s)
		}
		i += j
		if isBoundary(s, i) {
			return i
		}
		i += 2
	}
	return len(s)
}

// isBoundary reports whether a field boundary (", <key>") starts at s[i].
func isBoundary(s string, i int) bool {
	if !strings.HasPrefix(s[i:], ", ") {
		return false
	}
	for _, k := range tailKeys {
		if strings.HasPrefix(s[i+2:], k) {
			return true
		}
	}
	return false
}

// fieldValue reads the value starting at s[from:]. Quoted values end at a
// quote that is followed by a field boundary or the end of the line, so a
// request line containing `", ` does not cut the value short unless what
// follows also looks like a field.
func fieldValue(s string, from int) (val string, next int) {
	if from < len(s) && s[from] == '"' {
		for i := from + 1; i < len(s); i++ {
			if s[i] != '"' {
				continue
			}
			if i == len(s)-1 {
				return s[from+1 : i], len(s)
			}
			if isBoundary(s, i+1) {
				return s[from+1 : i], i + 1
			}
		}
		// Unterminated: nginx truncates lines at 2048 bytes, so keep what
		// there is rather than losing the field.
		return s[from+1:], len(s)
	}
	nf := nextField(s, from)
	return s[from:nf], nf
}

// parseTail splits e.Msg into the message proper and the context fields,
// and with full fills the fields, Action, Method/URI and File/Line.
func parseTail(e *Entry, full bool) {
	msg := e.Msg
	i := strings.Index(msg, clientKey)
	if i >= 0 {
		e.Msg = msg[:i]
	}
	if !full {
		return
	}
	if i >= 0 {
		tail := msg[i:]
		msg = msg[:i]
		pos := len(clientKey)
		e.Client, pos = fieldValue(tail, pos)
		for pos < len(tail) {
			pos += 2 // ", "
			key := ""
			for _, k := range tailKeys {
				if strings.HasPrefix(tail[pos:], k) {
					key = k
					break
				}
			}
			if key == "" {
				break
			}
			pos += len(key)
			var v string
			v, pos = fieldValue(tail, pos)
			switch key {
			case "server: ":
				e.Server = v
			case "request: ":
				e.Request = v
			case "upstream: ":
				e.Upstream = v
			case "host: ":
				e.Host = v
			case "referrer: ":
				e.Referrer = v
			case "bytes from/to client:":
				e.Stream = true
				e.BytesFromClient, e.BytesToClient = parsePair(v)
			case "bytes from/to upstream:":
				e.Stream = true
				e.BytesFromUpstream, e.BytesToUpstream = parsePair(v)
			}
		}
	} else {
		e.File, e.Line = fileLine(msg)
	}
	e.Msg = msg
	e.Action = action(msg)
	if e.Request != "" {
		e.Method, e.URI = splitRequest(e.Request)
	}
}

// action returns what follows the last " while ". strings.LastIndex is
// a byte-at-a-time hash loop; a forward search is vectorised and messages
// rarely have more than one " while ".
func action(msg string) string {
	const w = " while "
	i := strings.Index(msg, w)
	if i < 0 {
		return ""
	}
	for {
		j := strings.Index(msg[i+len(w):], w)
		if j < 0 {
			return msg[i+len(w):]
		}
		i += len(w) + j
	}
}

func parsePair(v string) (a, b int64) {
	x, n := parseUint(v)
	if n == 0 || n >= len(v) || v[n] != '/' {
		return 0, 0
	}
	y, m := parseUint(v[n+1:])
	if m == 0 {
		return 0, 0
	}
	return int64(x), int64(y)
}

// splitRequest splits "GET /path?q HTTP/1.1". The URI is everything
// between the method and the protocol so that a URI with spaces (nginx
// logs the raw request line) stays whole; HTTP/0.9 lines have no
// protocol.
func splitRequest(r string) (method, uri string) {
	sp := strings.IndexByte(r, ' ')
	if sp < 0 {
		return r, ""
	}
	method, uri = r[:sp], r[sp+1:]
	if last := strings.LastIndexByte(uri, ' '); last >= 0 && strings.HasPrefix(uri[last+1:], "HTTP/") {
		uri = uri[:last]
	}
	return method, uri
}

// fileLine finds nginx's " in FILE:LINE" config location. It is usually
// the suffix, but "resolving names at run time requires upstream "X" in
// F:L to be in shared memory" puts it mid-message, so we take the last
// " in " whose operand looks like path:digits and ends at a space or the
// end of the message.
func fileLine(msg string) (string, int) {
	end := len(msg)
	for end > 0 {
		i := strings.LastIndex(msg[:end], " in ")
		if i < 0 {
			return "", 0
		}
		end = i
		tok := msg[i+len(" in "):]
		if sp := strings.IndexByte(tok, ' '); sp >= 0 {
			tok = tok[:sp]
		}
		c := strings.LastIndexByte(tok, ':')
		if c <= 0 {
			continue
		}
		n, k := parseUint(tok[c+1:])
		if k == 0 || c+1+k != len(tok) {
			continue
		}
		return tok[:c], int(n)
	}
	return "", 0
}
