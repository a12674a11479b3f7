package errlog

import (
	"strconv"
	"strings"
)

// Diagnosis is a classified line: its class plus the values the message
// carried, which the class's Cause refers to ("the code is in the
// details"). Fields a class does not use are zero.
type Diagnosis struct {
	Class Class

	// Alert is the TLS alert number. OpenSSL 1.0 omits "SSL alert number
	// N", so for it the number is inferred from the reason text; Alert is
	// 0 when neither gives one.
	Alert int
	// Reason is OpenSSL's reason text, e.g. "sslv3 alert handshake failure".
	Reason string

	// Code and Text are the number and text nginx put in parentheses: the
	// errno of connect()/close/timeout lines, the X.509 verify code, or the
	// resolver's rcode.
	Code int
	Text string

	// Name is the quoted or named operand: the name a certificate did not
	// match, the host that did not resolve, the upstream block, the
	// directive, or the connect() peer.
	Name string
	// Port is the port of "upstream X may not have port N".
	Port int
}

// Classify returns the class of e, if it has one.
func Classify(e Entry) (Class, bool) {
	d, ok := Diagnose(e)
	return d.Class, ok
}

// Diagnose classifies e and extracts the values its class's explanation
// refers to.
//
// The level of request-time failures is deliberately ignored: the same
// failure is logged at [error] or [crit] depending on the nginx version
// (doc Part 1.7). Config-load classes do require [emerg], the only level
// nginx reports them at; that keeps the Scanner's keyword prefilter, which
// finds those lines by "[emerg]", exact.
func Diagnose(e Entry) (Diagnosis, bool) {
	d, ok := diagnoseMsg(e.Msg)
	if ok && d.Class.Config && e.Level != LevelEmerg {
		return Diagnosis{}, false
	}
	return d, ok
}

const (
	actSSLUpstream     = " while SSL handshaking to upstream"
	actConnectUpstream = " while connecting to upstream"
)

// diagnoseMsg dispatches on fixed message prefixes instead of running the
// doc's regexes one after another: every message nginx logs here has a
// constant head, and a prefix switch costs a few comparisons where the
// regex list would cost a full match attempt per class.
func diagnoseMsg(msg string) (Diagnosis, bool) {
	var d Diagnosis
	slug := ""
	switch {
	case strings.HasPrefix(msg, "SSL_do_handshake() failed ("):
		// Client-side handshakes log the same function; only the action
		// tells them apart, and those are not ours to explain.
		if !strings.Contains(msg, actSSLUpstream) {
			return d, false
		}
		slug = diagnoseSSL(msg[len("SSL_do_handshake() failed ("):], &d)

	case strings.HasPrefix(msg, "peer closed connection in SSL handshake"):
		if !strings.Contains(msg, actSSLUpstream) {
			return d, false
		}
		slug = SlugPeerClosed
		if code, text, ok := errnoParen(msg[len("peer closed connection in SSL handshake"):]); ok {
			d.Code, d.Text = code, text
			if code == 104 {
				slug = SlugPeerReset
			}
		}

	case strings.HasPrefix(msg, "upstream timed out "):
		switch {
		case strings.Contains(msg, actSSLUpstream):
			slug = SlugHandshakeTimeout
		case strings.Contains(msg, actConnectUpstream):
			slug = SlugConnectTimeout
		default:
			return d, false
		}
		d.Code, d.Text, _ = errnoParen(msg[len("upstream timed out"):])

	case strings.HasPrefix(msg, "upstream SSL certificate verify error: "):
		rest := msg[len("upstream SSL certificate verify error: "):]
		code, text, ok := errnoParen(rest)
		if !ok {
			return d, false
		}
		slug, d.Code, d.Text = SlugVerifyError, code, text

	case strings.HasPrefix(msg, `upstream SSL certificate does not match "`):
		name, ok := quoted(msg[len(`upstream SSL certificate does not match `):])
		if !ok {
			return d, false
		}
		slug, d.Name = SlugNameMismatch, name

	case strings.HasPrefix(msg, "no ") && strings.Contains(msg, "_ssl_trusted_certificate for "):
		name := msg[len("no "):]
		if sp := strings.IndexByte(name, ' '); sp >= 0 {
			name = name[:sp]
		}
		slug, d.Name = SlugNoTrustedCertificate, name

	case strings.HasPrefix(msg, `no "`) && strings.Contains(msg, `_ssl_certificate_key" is defined for certificate "`):
		i := strings.Index(msg, ` for certificate `)
		name, _ := quoted(msg[i+len(` for certificate `):])
		slug, d.Name = SlugClientCertNoKey, name

	case strings.HasPrefix(msg, `host not found in upstream "`):
		name, ok := quoted(msg[len(`host not found in upstream `):])
		if !ok {
			return d, false
		}
		slug, d.Name = SlugHostNotFound, name

	case strings.HasPrefix(msg, `host not found in resolver "`):
		name, ok := quoted(msg[len(`host not found in resolver `):])
		if !ok {
			return d, false
		}
		slug, d.Name = SlugResolverNotFound, name

	// Must precede the shorter prefix below.
	case strings.HasPrefix(msg, `no resolver defined to resolve names at run time in upstream "`):
		name, _ := quoted(msg[len(`no resolver defined to resolve names at run time in upstream `):])
		slug, d.Name = SlugResolveNoResolver, name

	case strings.HasPrefix(msg, "no resolver defined to resolve "):
		name := msg[len("no resolver defined to resolve "):]
		if i := strings.IndexAny(name, " ,"); i >= 0 {
			name = name[:i]
		}
		slug, d.Name = SlugNoResolver, name

	case strings.HasPrefix(msg, `resolving names at run time requires upstream "`):
		name, _ := quoted(msg[len(`resolving names at run time requires upstream `):])
		slug, d.Name = SlugResolveNeedsZone, name

	case strings.HasPrefix(msg, "connect() "):
		if !strings.Contains(msg, actConnectUpstream) {
			return d, false
		}
		rest := msg[len("connect() "):]
		if strings.HasPrefix(rest, "to ") {
			// "connect() to ADDR failed (...)", logged when connect(2)
			// itself fails rather than via SO_ERROR.
			after := rest[len("to "):]
			i := strings.Index(after, " failed")
			if i < 0 {
				return d, false
			}
			d.Name = after[:i]
			rest = after[i+1:]
		}
		if !strings.HasPrefix(rest, "failed") {
			return d, false
		}
		d.Code, d.Text, _ = errnoParen(rest[len("failed"):])
		slug = SlugConnectFailed

	case strings.HasPrefix(msg, "upstream prematurely closed connection"):
		slug = SlugPrematureClose

	case strings.HasPrefix(msg, "no live upstreams"):
		slug = SlugNoLiveUpstreams

	case strings.HasPrefix(msg, "upstream server temporarily disabled"):
		slug = SlugPeerDisabled

	case strings.HasPrefix(msg, `upstream "`):
		name, ok := quoted(msg[len("upstream "):])
		if !ok {
			return d, false
		}
		rest := msg[len("upstream ")+len(name)+2:]
		if !strings.HasPrefix(rest, " may not have port ") {
			return d, false
		}
		port, n := parseUint(rest[len(" may not have port "):])
		if n == 0 {
			return d, false
		}
		slug, d.Name, d.Port = SlugUpstreamPort, name, int(port)

	case strings.HasPrefix(msg, `"proxy_pass" cannot have URI part`):
		slug, d.Name = SlugProxyPassURI, "proxy_pass"

	case strings.HasPrefix(msg, `"`) && strings.Contains(msg, `" directive is not allowed here`):
		name, _ := quoted(msg)
		slug, d.Name = SlugDirectiveNotAllowed, name

	default:
		// "%V could not be resolved (%i: %s)": the variable head is the
		// host, so this is the one message that can't be switched on by
		// prefix.
		if i := strings.Index(msg, " could not be resolved ("); i > 0 && strings.IndexByte(msg[:i], ' ') < 0 {
			d.Name = msg[:i]
			d.Code, d.Text, _ = errnoParen(msg[i+len(" could not be resolved"):])
			slug = SlugResolveFailed
			break
		}
		return d, false
	}
	d.Class = class(slug)
	return d, true
}

// quoted returns the text between the quote s starts with and the next one.
func quoted(s string) (string, bool) {
	if len(s) < 2 || s[0] != '"' {
		return "", false
	}
	end := strings.IndexByte(s[1:], '"')
	if end < 0 {
		return "", false
	}
	return s[1 : 1+end], true
}

// errnoParen parses a "(N: text)" group at the start of s, after at most
// one space: the shape nginx gives errno, verify codes and resolver rcodes.
func errnoParen(s string) (int, string, bool) {
	s = strings.TrimPrefix(s, " ")
	if !strings.HasPrefix(s, "(") {
		return 0, "", false
	}
	s = s[1:]
	n, k := parseUint(s)
	if k == 0 || !strings.HasPrefix(s[k:], ":") {
		return 0, "", false
	}
	s = strings.TrimPrefix(s[k+1:], " ")
	end := strings.IndexByte(s, ')')
	if end < 0 {
		return 0, "", false
	}
	return int(n), s[:end], true
}

// alertByReason maps OpenSSL reason texts, with their version-specific
// prefix removed, to the alert they report. OpenSSL 1.0 gives only the
// text; OpenSSL 3.2+ renamed "sslv3 alert" to "ssl/tls alert"; the doc
// itself writes "tlsv1 alert certificate required" where OpenSSL says
// "tlsv13". Stripping the prefix covers all of them with one table.
var alertByReason = map[string]int{
	"handshake failure":       40,
	"bad certificate":         42,
	"unsupported certificate": 43,
	"certificate revoked":     44,
	"certificate expired":     45,
	"certificate unknown":     46,
	"unknown ca":              48,
	"protocol version":        70,
	"unrecognized name":       112,
	"certificate required":    116,
}

var reasonPrefixes = [...]string{"sslv3 alert ", "ssl/tls alert ", "tlsv13 alert ", "tlsv1 alert ", "tlsv1 "}

func alertFromReason(reason string) int {
	for _, p := range reasonPrefixes {
		if strings.HasPrefix(reason, p) {
			return alertByReason[reason[len(p):]]
		}
	}
	return 0
}

// diagnoseSSL reads the "(SSL: error:...)" group. nginx writes every
// error on OpenSSL's queue, each as " error:CODE:LIB:FUNC:REASON[:DATA]";
// the function field is empty on OpenSSL 3 and the code differs between
// versions, so only REASON and the "SSL alert number N" data are used.
func diagnoseSSL(s string, d *Diagnosis) string {
	if i := strings.Index(s, ")"+actSSLUpstream); i >= 0 {
		s = s[:i]
	}
	s = strings.TrimPrefix(s, "SSL:")
	first := true
	for {
		i := nextOpenSSLError(s)
		if i < 0 {
			break
		}
		s = s[i:]
		j := nextOpenSSLError(s[len("error:"):])
		entry := s
		if j >= 0 {
			entry = s[:len("error:")+j]
		}
		s = s[len(entry):]
		reason, alert := parseOpenSSLError(strings.TrimRight(entry, " "))
		if alert == 0 {
			alert = alertFromReason(reason)
		}
		// Prefer the first entry that names an alert; otherwise keep the
		// first reason, which is the one OpenSSL raised first.
		if first || (d.Alert == 0 && alert != 0) {
			d.Reason, d.Alert = reason, alert
			first = false
		}
		if j < 0 {
			break
		}
	}
	switch d.Alert {
	case 40:
		return SlugAlertHandshakeFailure
	case 112:
		return SlugAlertUnrecognizedName
	case 70:
		return SlugAlertProtocolVersion
	case 42, 43, 44, 45, 46, 48, 116:
		return SlugAlertClientCert
	case 0:
		switch d.Reason {
		case "wrong version number":
			return SlugWrongVersionNumber
		case "no protocols available", "unsupported protocol":
			return SlugNoProtocols
		}
	}
	return SlugHandshakeFailed
}

// nextOpenSSLError finds the next "error:HEX:" in s. Matching the hex and
// colon keeps reasons like "tlsv1 alert decode error:SSL alert number 50"
// from being taken for the start of a new entry.
func nextOpenSSLError(s string) int {
	off := 0
	for {
		i := strings.Index(s[off:], "error:")
		if i < 0 {
			return -1
		}
		i += off
		h := i + len("error:")
		k := h
		for k < len(s) && isHex(s[k]) {
			k++
		}
		if k > h && k < len(s) && s[k] == ':' && (i == 0 || s[i-1] == ' ') {
			return i
		}
		off = h
	}
}

func isHex(c byte) bool {
	return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

// parseOpenSSLError splits "error:CODE:LIB:FUNC:REASON[:DATA]".
func parseOpenSSLError(e string) (reason string, alert int) {
	parts := e
	for range 4 { // error, CODE, LIB, FUNC
		i := strings.IndexByte(parts, ':')
		if i < 0 {
			return "", 0
		}
		parts = parts[i+1:]
	}
	reason, data, _ := strings.Cut(parts, ":")
	if n, ok := strings.CutPrefix(data, "SSL alert number "); ok {
		if v, err := strconv.Atoi(n); err == nil {
			alert = v
		}
	}
	return reason, alert
}
