package harness

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ngxlint/ngxlint/nginx/config"
)

// The generated text must parse with our own nginx-accurate parser to
// exactly the statements the model describes.
func TestGeneratedConfigParses(t *testing.T) {
	inline := harnessHTTPInline("7")
	assert.NotContains(t, inline, "\n", "inserted after `http {` without moving lines")
	tree, diags := config.Parse(context.Background(), "h.conf", []byte("http {"+inline+"\n}\n"), config.Options{})
	require.False(t, config.HasErrors(diags), "%v", diags)
	var names []string
	config.Walk(tree.Top(), func(d *config.Directive) bool {
		names = append(names, d.Name)
		return true
	})
	assert.Equal(t, []string{"http", "log_format", "access_log", "server", "listen", "location", "return"}, names)

	snippet := filepath.Join(t.TempDir(), "snippet.conf")
	require.NoError(t, os.WriteFile(snippet, []byte("# empty\n"), 0o644))
	for _, ctx := range []string{"http", "server", "location"} {
		w := wrapperConfig(ctx, snippet, true, "1")
		tree, diags := config.Parse(context.Background(), "w.conf", []byte(w), config.Options{})
		require.False(t, config.HasErrors(diags), "%s: %v\n%s", ctx, diags, w)
		assert.True(t, strings.Contains(w, "include "+snippet+";"), w)
		assert.Equal(t, "events", tree.Top()[0].Name)
	}
}
