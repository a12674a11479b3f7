// Package wantline reads the `# want k=v k="quoted v"` expectations that
// error-log fixtures carry under each line, shared by the classifier's and
// the explainer's fixture tests.
package wantline

import (
	"fmt"
	"strconv"
	"strings"
)

// Parse splits `k=v k="quoted v"` into key/value pairs in order.
func Parse(s string) ([][2]string, error) {
	var out [][2]string
	for s = strings.TrimSpace(s); s != ""; s = strings.TrimSpace(s) {
		eq := strings.IndexByte(s, '=')
		if eq <= 0 {
			return nil, fmt.Errorf("want %q: no key=", s)
		}
		key := s[:eq]
		s = s[eq+1:]
		var val string
		if strings.HasPrefix(s, `"`) {
			q, err := strconv.QuotedPrefix(s)
			if err != nil {
				return nil, fmt.Errorf("want %s: %w", key, err)
			}
			val, _ = strconv.Unquote(q)
			s = s[len(q):]
		} else {
			end := strings.IndexByte(s, ' ')
			if end < 0 {
				end = len(s)
			}
			val, s = s[:end], s[end:]
		}
		out = append(out, [2]string{key, val})
	}
	return out, nil
}
