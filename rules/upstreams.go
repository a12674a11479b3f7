// Upstream blocks and DNS: the helpers the DNS checks share (which
// upstream{} blocks nginx uses, their resolver and zone).

package rules

import (
	"strings"

	"github.com/ngxlint/ngxlint/nginx"
	"github.com/ngxlint/ngxlint/nginx/config"
	"github.com/ngxlint/ngxlint/nginx/model"
)

// allUpstreams lists the http and stream upstream{} blocks in document
// order; a second block with a taken name is left to nginx ("duplicate
// upstream").
func allUpstreams(m *model.Model) []*model.Upstream {
	out := make([]*model.Upstream, 0, len(m.UpstreamBlocks))
	for _, u := range m.UpstreamBlocks {
		ups := m.Upstreams
		if u.Stream {
			ups = m.StreamUpstreams
		}
		if ups[strings.ToLower(u.Name)] == u {
			out = append(out, u)
		}
	}
	return out
}

// upstreamResolver is the resolver a block's `resolve` servers use: the
// block's own (1.27.3) or the http/stream one.
func upstreamResolver(u *model.Upstream) *config.Directive {
	for _, d := range u.Dirs {
		if d.Name == "resolver" {
			return d
		}
	}
	if u.Scope != nil {
		return u.Scope.Effective("resolver")
	}
	return nil
}

func upstreamZone(u *model.Upstream) *config.Directive {
	for _, d := range u.Dirs {
		if d.Name == "zone" {
			return d
		}
	}
	return nil
}

// zoneName turns an upstream name into a zone name.
func zoneName(name string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_', r == '-', r == '.':
			return r
		}
		return '_'
	}, name)
}

// resolveVersion is the first open-source nginx with `server … resolve`.
var resolveVersion = nginx.Version{Major: 1, Minor: 27, Patch: 3}
