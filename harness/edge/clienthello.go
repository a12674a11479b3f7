package edge

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"strings"
)

// ClientHello is what the edge learned from the raw ClientHello, before
// crypto/tls saw it. It is recorded for every connection, including the
// ones the edge refuses.
type ClientHello struct {
	SNI    string `json:"sni"`
	HasSNI bool   `json:"has_sni"`
	// Versions lists the offered protocol versions, best first
	// ("TLSv1.3", "TLSv1.2", …). It is the supported_versions extension
	// when present (GREASE removed); otherwise the single legacy_version,
	// which is the client's maximum (OpenSSL sends no supported_versions
	// when TLS 1.3 is disabled, as in nginx 1.22's default proxy_ssl_protocols).
	Versions []string `json:"versions"`
	// SupportedVersionsExt is true when Versions came from the extension.
	SupportedVersionsExt bool     `json:"supported_versions_ext"`
	LegacyVersion        string   `json:"legacy_version"`
	RecordVersion        string   `json:"record_version"`
	ALPN                 []string `json:"alpn"`
	CipherSuites         []string `json:"cipher_suites,omitempty"`
	Extensions           []uint16 `json:"extensions,omitempty"`
}

// MaxVersion returns the best offered version as a TLS version number (0
// when nothing was parsed).
func (ch *ClientHello) MaxVersion() uint16 {
	if ch == nil || len(ch.Versions) == 0 {
		return 0
	}
	v, _ := ParseVersion(ch.Versions[0])
	return v
}

// Errors from readClientHello.
var (
	errNotTLS       = errors.New("not a TLS handshake record")
	errNotHello     = errors.New("first handshake message is not a ClientHello")
	errHelloTooLong = errors.New("ClientHello too long")
	errMalformed    = errors.New("malformed ClientHello")
)

const (
	recordTypeHandshake = 0x16
	maxHelloLen         = 1 << 16
	extServerName       = 0
	extALPN             = 16
	extSupportedVers    = 43
)

// readClientHello reads whole TLS records from r until it holds a complete
// ClientHello handshake message. It returns every byte it consumed (to be
// replayed into crypto/tls) and the parsed hello. On errNotTLS, raw holds
// the first bytes seen.
func readClientHello(r io.Reader) (raw []byte, ch *ClientHello, err error) {
	var hs []byte // reassembled handshake bytes
	var recVersion uint16
	for {
		hdr := make([]byte, 5)
		n, err := io.ReadFull(r, hdr)
		raw = append(raw, hdr[:n]...)
		if err != nil {
			if len(raw) > 0 && raw[0] != recordTypeHandshake {
				return raw, nil, errNotTLS
			}
			return raw, nil, err
		}
		if hdr[0] != recordTypeHandshake {
			return raw, nil, errNotTLS
		}
		if recVersion == 0 {
			recVersion = uint16(hdr[1])<<8 | uint16(hdr[2])
		}
		length := int(hdr[3])<<8 | int(hdr[4])
		if length == 0 || length > 1<<14+2048 {
			return raw, nil, errMalformed
		}
		frag := make([]byte, length)
		n, err = io.ReadFull(r, frag)
		raw = append(raw, frag[:n]...)
		if err != nil {
			return raw, nil, err
		}
		hs = append(hs, frag...)
		if len(hs) >= 4 {
			if hs[0] != 1 {
				return raw, nil, errNotHello
			}
			msgLen := int(hs[1])<<16 | int(hs[2])<<8 | int(hs[3])
			if msgLen > maxHelloLen {
				return raw, nil, errHelloTooLong
			}
			if len(hs) >= 4+msgLen {
				ch, err := parseClientHello(hs[4 : 4+msgLen])
				if err != nil {
					return raw, nil, err
				}
				ch.RecordVersion = VersionName(recVersion)
				return raw, ch, nil
			}
		}
	}
}

// parseClientHello parses the body of a ClientHello handshake message.
func parseClientHello(b []byte) (*ClientHello, error) {
	s := cursor(b)
	ch := &ClientHello{ALPN: []string{}, Versions: []string{}}
	legacy, ok := s.u16()
	if !ok || !s.skip(32) { // random
		return nil, errMalformed
	}
	ch.LegacyVersion = VersionName(legacy)
	var sid cursor
	if !s.vec8(&sid) {
		return nil, errMalformed
	}
	var suites cursor
	if !s.vec16(&suites) {
		return nil, errMalformed
	}
	for len(suites) >= 2 {
		cs, _ := suites.u16()
		if isGREASE(cs) {
			continue
		}
		ch.CipherSuites = append(ch.CipherSuites, tls.CipherSuiteName(cs))
	}
	var comp cursor
	if !s.vec8(&comp) {
		return nil, errMalformed
	}
	if len(s) == 0 { // no extensions at all (SSLv3/TLS1.0-era hello)
		ch.Versions = []string{ch.LegacyVersion}
		return ch, nil
	}
	var exts cursor
	if !s.vec16(&exts) {
		return nil, errMalformed
	}
	for len(exts) > 0 {
		typ, ok := exts.u16()
		var data cursor
		if !ok || !exts.vec16(&data) {
			return nil, errMalformed
		}
		if !isGREASE(typ) {
			ch.Extensions = append(ch.Extensions, typ)
		}
		switch typ {
		case extServerName:
			var list cursor
			if !data.vec16(&list) {
				return nil, errMalformed
			}
			for len(list) > 0 {
				nt, ok := list.u8()
				var name cursor
				if !ok || !list.vec16(&name) {
					return nil, errMalformed
				}
				if nt == 0 && !ch.HasSNI {
					ch.HasSNI = true
					ch.SNI = string(name)
				}
			}
		case extALPN:
			var list cursor
			if !data.vec16(&list) {
				return nil, errMalformed
			}
			for len(list) > 0 {
				var p cursor
				if !list.vec8(&p) {
					return nil, errMalformed
				}
				ch.ALPN = append(ch.ALPN, string(p))
			}
		case extSupportedVers:
			var list cursor
			if !data.vec8(&list) {
				return nil, errMalformed
			}
			ch.SupportedVersionsExt = true
			for len(list) >= 2 {
				v, _ := list.u16()
				if isGREASE(v) {
					continue
				}
				ch.Versions = append(ch.Versions, VersionName(v))
			}
		}
	}
	if !ch.SupportedVersionsExt {
		ch.Versions = []string{ch.LegacyVersion}
	}
	return ch, nil
}

func isGREASE(v uint16) bool { return v&0x0f0f == 0x0a0a && v>>8 == v&0xff }

type cursor []byte

func (c *cursor) u8() (uint8, bool) {
	if len(*c) < 1 {
		return 0, false
	}
	v := (*c)[0]
	*c = (*c)[1:]
	return v, true
}

func (c *cursor) u16() (uint16, bool) {
	if len(*c) < 2 {
		return 0, false
	}
	v := uint16((*c)[0])<<8 | uint16((*c)[1])
	*c = (*c)[2:]
	return v, true
}

func (c *cursor) skip(n int) bool {
	if len(*c) < n {
		return false
	}
	*c = (*c)[n:]
	return true
}

func (c *cursor) vec8(out *cursor) bool {
	n, ok := c.u8()
	if !ok || len(*c) < int(n) {
		return false
	}
	*out = (*c)[:n]
	*c = (*c)[n:]
	return true
}

func (c *cursor) vec16(out *cursor) bool {
	n, ok := c.u16()
	if !ok || len(*c) < int(n) {
		return false
	}
	*out = (*c)[:n]
	*c = (*c)[n:]
	return true
}

// VersionName names a TLS protocol version the way nginx does
// (ssl_protocols): "SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3".
func VersionName(v uint16) string {
	switch v {
	case 0x0300:
		return "SSLv3"
	case tls.VersionTLS10:
		return "TLSv1"
	case tls.VersionTLS11:
		return "TLSv1.1"
	case tls.VersionTLS12:
		return "TLSv1.2"
	case tls.VersionTLS13:
		return "TLSv1.3"
	case 0:
		return ""
	}
	return fmt.Sprintf("0x%04x", v)
}

// ParseVersion accepts "1.2", "TLSv1.2", "tls1.2", "TLS 1.2", "1.0", "TLSv1"
// and returns the tls.VersionTLSxx constant. "" gives 0 (crypto/tls default).
func ParseVersion(s string) (uint16, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	t = strings.TrimPrefix(t, "tls")
	t = strings.TrimPrefix(t, "v")
	t = strings.TrimSpace(t)
	switch t {
	case "":
		return 0, nil
	case "1", "1.0", "10":
		return tls.VersionTLS10, nil
	case "1.1", "11":
		return tls.VersionTLS11, nil
	case "1.2", "12":
		return tls.VersionTLS12, nil
	case "1.3", "13":
		return tls.VersionTLS13, nil
	}
	return 0, fmt.Errorf("unknown TLS version %q (want 1.0, 1.1, 1.2 or 1.3)", s)
}
