package directives

import (
	"math"
	"strings"
)

// The value parsers below follow nginx's ngx_parse_size, ngx_parse_offset,
// ngx_parse_time and ngx_atoi (src/core/ngx_parse.c, ngx_string.c) so that a
// value nginx rejects is rejected here and one it accepts is accepted — the
// unit letters, their order, the overflow limits of a 64-bit build.

const maxInt = math.MaxInt64

// atoi is ngx_atoi: decimal digits only, no sign, no overflow; -1 on error.
func atoi(s string) int64 {
	if s == "" {
		return -1
	}
	var v int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return -1
		}
		if v >= maxInt/10 && (v > maxInt/10 || int64(c-'0') > maxInt%10) {
			return -1
		}
		v = v*10 + int64(c-'0')
	}
	return v
}

// parseSize is ngx_parse_size: N, Nk or Nm (no g).
func parseSize(s string) bool { return parseScaled(s, "kKmM") }

// parseOffset is ngx_parse_offset: N, Nk, Nm or Ng.
func parseOffset(s string) bool { return parseScaled(s, "kKmMgG") }

func parseScaled(s, units string) bool {
	if s == "" {
		return false
	}
	scale := int64(1)
	if u := s[len(s)-1]; strings.IndexByte(units, u) >= 0 {
		s = s[:len(s)-1]
		switch u {
		case 'k', 'K':
			scale = 1024
		case 'm', 'M':
			scale = 1024 * 1024
		case 'g', 'G':
			scale = 1024 * 1024 * 1024
		}
	}
	v := atoi(s)
	return v >= 0 && v <= maxInt/scale
}

// parseTime is ngx_parse_time: "1h 30m", "500ms", "30s", "2d". isSec
// forbids ms; without it (msec) years and months are not accepted.
func parseTime(s string, isSec bool) bool {
	const (
		stStart = iota
		stYear
		stMonth
		stWeek
		stDay
		stHour
		stMin
		stSec
		stMsec
		stLast
	)
	valid := false
	var value, total int64
	step := stStart
	if !isSec {
		step = stMonth
	}
	i := 0
	for i < len(s) {
		c := s[i]
		if c >= '0' && c <= '9' {
			if value >= maxInt/10 && (value > maxInt/10 || int64(c-'0') > maxInt%10) {
				return false
			}
			value = value*10 + int64(c-'0')
			valid = true
			i++
			continue
		}
		i++
		var max, scale int64
		switch c {
		case 'y':
			if step > stStart {
				return false
			}
			step, scale = stYear, 60*60*24*365
		case 'M':
			if step >= stMonth {
				return false
			}
			step, scale = stMonth, 60*60*24*30
		case 'w':
			if step >= stWeek {
				return false
			}
			step, scale = stWeek, 60*60*24*7
		case 'd':
			if step >= stDay {
				return false
			}
			step, scale = stDay, 60*60*24
		case 'h':
			if step >= stHour {
				return false
			}
			step, scale = stHour, 60*60
		case 'm':
			if i < len(s) && s[i] == 's' {
				if isSec || step >= stMsec {
					return false
				}
				i++
				step, scale = stMsec, 1
				break
			}
			if step >= stMin {
				return false
			}
			step, scale = stMin, 60
		case 's':
			if step >= stSec {
				return false
			}
			step, scale = stSec, 1
		case ' ':
			if step >= stSec {
				return false
			}
			step, scale = stLast, 1
		default:
			return false
		}
		max = maxInt / scale
		if step != stMsec && !isSec {
			scale *= 1000
			max /= 1000
		}
		if value > max {
			return false
		}
		value *= scale
		if total > maxInt-value {
			return false
		}
		total += value
		value = 0
		for i < len(s) && s[i] == ' ' {
			i++
		}
	}
	if !valid {
		return false
	}
	if !isSec {
		if value > maxInt/1000 {
			return false
		}
		value *= 1000
	}
	return total <= maxInt-value
}
