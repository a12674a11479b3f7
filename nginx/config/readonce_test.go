package config

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// countingFS counts the reads of each path.
type countingFS struct {
	fileSystem
	reads map[string]int
}

func (c *countingFS) read(p string, limit int64) ([]byte, fileID, error) {
	c.reads[p]++
	return c.fileSystem.read(p, limit)
}

// TestIncludeReadOnce: a snippet included from many places is read once
// per load and parsed once per inclusion, as nginx parses it; a missing
// file gives its error at every include.
func TestIncludeReadOnce(t *testing.T) {
	files := map[string][]byte{
		"/c/nginx.conf": []byte("http {\n server { include snip.conf; include snip.conf; }\n server { include snip.conf; include gone.conf; }\n server { include gone.conf; }\n}\n"),
		"/c/snip.conf":  []byte("proxy_set_header Host $host;\n"),
	}
	fsys := &countingFS{fileSystem: &memFS{files: files}, reads: map[string]int{}}
	l := newLoader(context.Background(), Options{}, fsys)
	tree, diags := l.run("/c/nginx.conf", "/c/nginx.conf", files["/c/nginx.conf"])
	require.NotNil(t, tree)
	parses := 0
	for _, f := range tree.Files {
		if f.Path == "/c/snip.conf" {
			parses++
			require.Len(t, f.Top, 1)
			assert.Equal(t, "proxy_set_header", f.Top[0].Name)
		}
	}
	assert.Equal(t, 3, parses, "one parse per inclusion")
	assert.Equal(t, 1, fsys.reads["/c/snip.conf"], "one read per load")
	assert.Equal(t, 1, fsys.reads["/c/gone.conf"])
	missing := 0
	for _, d := range diags {
		if d.Severity == SevError {
			missing++
		}
	}
	assert.Equal(t, 2, missing, "each include of a missing file is an error: %v", diags)
}
