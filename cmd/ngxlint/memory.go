package main

import (
	"os"
	"runtime"
	"runtime/debug"
)

// minMemoryLimit is the heap a lint run may grow to before the collector
// works harder: GOGC=400 (main) trades memory for speed, and on a large
// tree with many findings that would take the heap to five times what is
// live. 85 MiB keeps a 5,000-server tree (40 MB of tree, 25 MB of model
// and findings) under 100 MB of resident memory for one extra collection.
const minMemoryLimit = 85 << 20

// budgetMemory sets the soft memory limit of a lint run once its trees
// are loaded, unless GOMEMLIMIT says otherwise: minMemoryLimit, or twice
// the loaded trees on a tree so large that what stays live (model and
// findings add about 70% to the tree) would not fit under it, where a
// fixed limit would make the collector run without end.
func budgetMemory() {
	if os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	debug.SetMemoryLimit(max(minMemoryLimit, 2*int64(ms.HeapAlloc)))
}
