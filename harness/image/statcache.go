package image

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"sync"
)

// The build context of an image is every host file it copies (nginx, its
// modules and libraries; the edge executable), tarred and hashed: tens of
// megabytes read on every run. statCache remembers, across runs, which
// image ref a set of files built, keyed by each file's size and
// modification time, so a warm run stats the files instead of reading
// them. Any change to any file (a package upgrade, a new build of
// ngxlint) misses the cache and rebuilds the context as before.
type statCache struct {
	mu   sync.Mutex
	path string
}

type statEntry struct {
	Ref   string      `json:"ref"`
	Files []fileStamp `json:"files"`
}

type fileStamp struct {
	Path  string `json:"path"`
	Size  int64  `json:"size"`
	MTime int64  `json:"mtime"`
}

var imageCache = &statCache{}

func (c *statCache) file() string {
	if c.path != "" {
		return c.path
	}
	dir, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "ngxlint", "images.json")
}

func (c *statCache) load() map[string]statEntry {
	m := map[string]statEntry{}
	p := c.file()
	if p == "" {
		return m
	}
	if b, err := os.ReadFile(p); err == nil {
		_ = json.Unmarshal(b, &m)
	}
	return m
}

// lookup returns the ref recorded for key when every file it was built
// from still has the same size and modification time.
func (c *statCache) lookup(key string) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.load()[key]
	if !ok || e.Ref == "" || len(e.Files) == 0 {
		return "", false
	}
	for _, f := range e.Files {
		if s, ok := stamp(f.Path); !ok || s != f {
			return "", false
		}
	}
	return e.Ref, true
}

// store records that the files built ref. Failing to write the cache only
// costs the next run the full context build.
func (c *statCache) store(key, ref string, sources []string) {
	var files []fileStamp
	seen := map[string]bool{}
	for _, p := range sources {
		if p == "" || seen[p] {
			continue
		}
		seen[p] = true
		s, ok := stamp(p)
		if !ok {
			return
		}
		files = append(files, s)
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
	c.mu.Lock()
	defer c.mu.Unlock()
	p := c.file()
	if p == "" {
		return
	}
	m := c.load()
	m[key] = statEntry{Ref: ref, Files: files}
	b, err := json.MarshalIndent(m, "", " ")
	if err != nil {
		return
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return
	}
	tmp := p + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return
	}
	_ = os.Rename(tmp, p)
}

func stamp(p string) (fileStamp, bool) {
	fi, err := os.Stat(p)
	if err != nil {
		return fileStamp{}, false
	}
	return fileStamp{Path: p, Size: fi.Size(), MTime: fi.ModTime().UnixNano()}, true
}

// sources lists the host files a rootfs copies.
func (r *rootfs) sources() []string {
	var out []string
	for _, e := range r.entries {
		if e.source != "" {
			out = append(out, e.source)
		}
	}
	sort.Strings(out)
	return out
}
