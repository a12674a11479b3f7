package image

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestStatCache: a ref is found again while its files keep their size and
// modification time, and missed once one of them changes.
func TestStatCache(t *testing.T) {
	dir := t.TempDir()
	c := &statCache{path: filepath.Join(dir, "cache", "images.json")}
	a := filepath.Join(dir, "nginx")
	b := filepath.Join(dir, "libssl.so")
	require.NoError(t, os.WriteFile(a, []byte("binary"), 0o755))
	require.NoError(t, os.WriteFile(b, []byte("lib"), 0o644))
	_, ok := c.lookup("nginx|x")
	assert.False(t, ok, "empty cache")
	c.store("nginx|x", "ngxlint.local/nginx:abc", []string{a, b, a})
	ref, ok := c.lookup("nginx|x")
	assert.True(t, ok)
	assert.Equal(t, "ngxlint.local/nginx:abc", ref)
	_, ok = c.lookup("edge|x")
	assert.False(t, ok, "another key")
	later := time.Now().Add(time.Minute)
	require.NoError(t, os.Chtimes(b, later, later))
	_, ok = c.lookup("nginx|x")
	assert.False(t, ok, "a library changed")
	c.store("nginx|x", "ngxlint.local/nginx:def", []string{a, b})
	require.NoError(t, os.Remove(a))
	_, ok = c.lookup("nginx|x")
	assert.False(t, ok, "a file is gone")
}
