// Package nginx holds what ngxlint knows about nginx itself, below any
// policy: the version type here, and in its subpackages the configuration
// loader (config), the effective configuration (model) and the error.log
// format (errlog).
package nginx

import (
	"fmt"
	"strconv"
	"strings"
)

// Version is an nginx version; rules switch defaults and advice on it.
type Version struct{ Major, Minor, Patch int }

// Latest is the default: the newest stable nginx.
var Latest = Version{1, 30, 0}

// ParseVersion parses "1.27.3" (a leading "nginx/" is accepted).
func ParseVersion(s string) (Version, error) {
	s = strings.TrimPrefix(strings.TrimSpace(s), "nginx/")
	parts := strings.Split(s, ".")
	if len(parts) < 2 || len(parts) > 3 {
		return Version{}, fmt.Errorf("nginx version %q: want MAJOR.MINOR.PATCH, e.g. 1.27.3", s)
	}
	var n [3]int
	for i, p := range parts {
		v, err := strconv.Atoi(p)
		if err != nil || v < 0 {
			return Version{}, fmt.Errorf("nginx version %q: want MAJOR.MINOR.PATCH, e.g. 1.27.3", s)
		}
		n[i] = v
	}
	return Version{n[0], n[1], n[2]}, nil
}

// Less reports whether v is older than o.
func (v Version) Less(o Version) bool {
	if v.Major != o.Major {
		return v.Major < o.Major
	}
	if v.Minor != o.Minor {
		return v.Minor < o.Minor
	}
	return v.Patch < o.Patch
}

// AtLeast reports whether v >= o.
func (v Version) AtLeast(o Version) bool { return !v.Less(o) }

func (v Version) String() string { return fmt.Sprintf("%d.%d.%d", v.Major, v.Minor, v.Patch) }
