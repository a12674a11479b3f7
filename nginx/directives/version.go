package directives

import (
	"fmt"
	"strconv"
	"strings"
)

// Version is an nginx version (or, for a third-party module's directives,
// that module's own version). The zero Version means "unknown": a Since of
// zero means the directive predates the oldest release the table was read
// from, an Until of zero means it has not been removed. It is deliberately
// local to this package so the package stands alone; callers convert from
// their own version type with V.
type Version struct{ Major, Minor, Patch int }

// V builds a Version.
func V(major, minor, patch int) Version { return Version{major, minor, patch} }

// ParseVersion reads "1.25.1", "nginx/1.25.1", "v0.10.23", "1.22" or a
// Debian package version such as "1:0.10.23-1+deb12u1".
func ParseVersion(s string) (Version, error) {
	orig := s
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "nginx/")
	if i := strings.IndexByte(s, ':'); i >= 0 { // Debian epoch
		s = s[i+1:]
	}
	s = strings.TrimPrefix(s, "v")
	if i := strings.IndexAny(s, "-+~ "); i >= 0 {
		s = s[:i]
	}
	parts := strings.Split(s, ".")
	if len(parts) < 2 || len(parts) > 3 {
		return Version{}, fmt.Errorf("invalid version %q", orig)
	}
	var n [3]int
	for i, p := range parts {
		v, err := strconv.Atoi(p)
		if err != nil || v < 0 {
			return Version{}, fmt.Errorf("invalid version %q", orig)
		}
		n[i] = v
	}
	return Version{n[0], n[1], n[2]}, nil
}

// IsZero reports whether v is the unknown version.
func (v Version) IsZero() bool { return v == Version{} }

// Compare returns -1, 0 or 1.
func (v Version) Compare(w Version) int {
	for _, d := range [3]int{v.Major - w.Major, v.Minor - w.Minor, v.Patch - w.Patch} {
		if d < 0 {
			return -1
		}
		if d > 0 {
			return 1
		}
	}
	return 0
}

// Less reports v < w.
func (v Version) Less(w Version) bool { return v.Compare(w) < 0 }

func (v Version) String() string {
	if v.IsZero() {
		return ""
	}
	return fmt.Sprintf("%d.%d.%d", v.Major, v.Minor, v.Patch)
}

// In reports whether v is within [since, until); zero bounds are open.
// A zero v (version unknown) is within every range.
func (v Version) In(since, until Version) bool {
	if v.IsZero() {
		return true
	}
	if !since.IsZero() && v.Less(since) {
		return false
	}
	if !until.IsZero() && !v.Less(until) {
		return false
	}
	return true
}
