package model

import "sync"

// cache holds per-model values computed on first use: the indexes the
// checks build over the whole model (the TLS proxies, the proxies of each
// location, the files included more than once, …). A value built once per
// run and shared keeps per-finding work independent of the tree's size.
type cache struct {
	mu   sync.Mutex
	vals map[any]any
}

// Cached returns the value build computes from m for key, computing it on
// the first call for that key and returning the same value afterwards.
// key is usually a value of an unexported type of the caller's package, so
// keys of two packages never collide. The value is shared: callers must
// not modify it.
func Cached[T any](m *Model, key any, build func(*Model) T) T {
	m.cache.mu.Lock()
	v, ok := m.cache.vals[key]
	m.cache.mu.Unlock()
	if ok {
		return v.(T)
	}
	// built outside the lock: build may ask for other cached values
	t := build(m)
	m.cache.mu.Lock()
	defer m.cache.mu.Unlock()
	if v, ok := m.cache.vals[key]; ok {
		return v.(T) // another goroutine was first
	}
	if m.cache.vals == nil {
		m.cache.vals = map[any]any{}
	}
	m.cache.vals[key] = t
	return t
}
