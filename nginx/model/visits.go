package model

import "sync/atomic"

// Model lookups are counted while a CountVisits call runs, so that a test
// can tell how the work of a rule grows with the tree without timing it:
// each scope level a lookup looks at (Own, Effective, EffectiveList,
// Location, Server, ServerNames) and each index lookup (ScopeOf, ProxyAt,
// MapKeys) is one visit. lint's TestWorkScales fails a rule whose visits
// grow faster than the tree.
var visits struct {
	on atomic.Bool
	n  atomic.Int64
}

// visit counts n lookups when counting is on.
func visit(n int) {
	if visits.on.Load() {
		visits.n.Add(int64(n))
	}
}

// CountVisits runs f with counting on and returns the number of model
// visits it made. Calls must not overlap: the count is global.
func CountVisits(f func()) int64 {
	visits.n.Store(0)
	visits.on.Store(true)
	defer visits.on.Store(false)
	f()
	return visits.n.Load()
}
