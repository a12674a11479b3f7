package model

import (
	"sync"

	"github.com/ngxlint/ngxlint/nginx/config"
)

// index answers "which scope holds this statement" and "which proxy is
// this directive" in constant time. It is built once per model, on first
// use, so that per-finding and per-log-line questions stay linear in the
// size of the tree.
type index struct {
	once    sync.Once
	scopeOf map[*config.Directive]*Scope
	proxyAt map[*config.Directive]*Proxy
}

func (m *Model) index() *index {
	m.ix.once.Do(func() {
		ix := &m.ix
		ix.scopeOf = make(map[*config.Directive]*Scope, len(m.Scopes)*4)
		ix.proxyAt = make(map[*config.Directive]*Proxy, len(m.Proxies))
		for _, s := range m.Scopes {
			for _, d := range s.Dirs {
				if _, ok := ix.scopeOf[d]; !ok {
					ix.scopeOf[d] = s
				}
			}
		}
		// a block statement belongs to the scope it opens
		for _, s := range m.Scopes {
			if s.Node != nil {
				ix.scopeOf[s.Node] = s
			}
		}
		for _, p := range m.Proxies {
			ix.proxyAt[p.Directive] = p
		}
	})
	return &m.ix
}

// ScopeOf returns the scope a statement belongs to: the scope whose own
// statements hold it, or, for a block statement (server, location, if, …),
// the scope it opens. nil for statements outside the model (an upstream{}
// body's server lines belong to no scope).
func (m *Model) ScopeOf(d *config.Directive) *Scope { visit(1); return m.index().scopeOf[d] }

// ProxyAt returns the proxy a proxy_pass/grpc_pass/uwsgi_pass directive
// is, or nil when d is not one.
func (m *Model) ProxyAt(d *config.Directive) *Proxy { visit(1); return m.index().proxyAt[d] }
