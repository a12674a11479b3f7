package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPreCommitHook runs the shipped .pre-commit-hooks.yaml with Debian's
// real pre-commit in a throwaway repository: the hook must fail on the
// blog's broken config and pass on the fixed one, and a changed snippet
// must be linted in the context of the root that includes it.
func TestPreCommitHook(t *testing.T) {
	if testing.Short() {
		t.Skip("pre-commit end-to-end test skipped in -short mode")
	}
	pc, err := exec.LookPath("pre-commit")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("pre-commit is not installed; scripts/setup.sh installs it (apt-get install pre-commit)")
		}
		t.Skip("SKIP: pre-commit is not installed (apt-get install pre-commit); the hook is untested here")
	}
	root := repoRoot(t)
	tmp := t.TempDir()
	env := append(os.Environ(),
		"PRE_COMMIT_HOME="+filepath.Join(tmp, "pre-commit-home"),
		"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.invalid",
		"GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.invalid",
		"GOFLAGS=-mod=mod", "GOPROXY=off", "GOTOOLCHAIN=local",
		"GOMODCACHE="+goEnv(t, "GOMODCACHE"), "GOCACHE="+goEnv(t, "GOCACHE"),
	)
	sh := func(dir string, name string, args ...string) (string, error) {
		cmd := exec.Command(name, args...)
		cmd.Dir = dir
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	must := func(dir string, name string, args ...string) {
		t.Helper()
		out, err := sh(dir, name, args...)
		require.NoError(t, err, "%s %v:\n%s", name, args, out)
	}

	// The hook repository: this source tree as it is now, committed.
	hookRepo := filepath.Join(tmp, "hookrepo")
	files, err := sh(root, "git", "ls-files", "-co", "--exclude-standard")
	require.NoError(t, err, files)
	for _, f := range strings.Split(strings.TrimSpace(files), "\n") {
		src := filepath.Join(root, f)
		st, err := os.Lstat(src)
		if err != nil || !st.Mode().IsRegular() {
			continue
		}
		b, err := os.ReadFile(src)
		require.NoError(t, err)
		dst := filepath.Join(hookRepo, f)
		require.NoError(t, os.MkdirAll(filepath.Dir(dst), 0o755))
		require.NoError(t, os.WriteFile(dst, b, st.Mode().Perm()))
	}
	must(hookRepo, "git", "init", "-q")
	must(hookRepo, "git", "add", "-A")
	must(hookRepo, "git", "commit", "-qm", "hooks")
	rev, err := sh(hookRepo, "git", "rev-parse", "HEAD")
	require.NoError(t, err)
	rev = strings.TrimSpace(rev)

	broken, err := os.ReadFile(filepath.Join(root, "fixtures", "blog", "broken.conf"))
	require.NoError(t, err)
	fixed, err := os.ReadFile(filepath.Join(root, "fixtures", "blog", "fixed.conf"))
	require.NoError(t, err)

	for _, hook := range []string{"ngxlint", "ngxlint-system"} {
		t.Run(hook, func(t *testing.T) {
			if hook == "ngxlint-system" {
				bin := filepath.Join(tmp, "bin")
				if _, err := os.Stat(filepath.Join(bin, "ngxlint")); err != nil {
					must(root, "go", "build", "-o", filepath.Join(bin, "ngxlint"), "./cmd/ngxlint")
				}
				env = append(env, "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))
			}
			repo := filepath.Join(tmp, "site-"+hook)
			require.NoError(t, os.MkdirAll(repo, 0o755))
			must(repo, "git", "init", "-q")
			cfg := "repos:\n  - repo: " + hookRepo + "\n    rev: " + rev + "\n    hooks:\n      - id: " + hook + "\n"
			require.NoError(t, os.WriteFile(filepath.Join(repo, ".pre-commit-config.yaml"), []byte(cfg), 0o644))
			require.NoError(t, os.WriteFile(filepath.Join(repo, "nginx.conf"), broken, 0o644))
			must(repo, "git", "add", "-A")

			out, err := sh(repo, pc, "run", "--all-files")
			require.Error(t, err, "hook must fail on the broken config:\n%s", out)
			assert.Contains(t, out, "NGX101")
			assert.Contains(t, out, "nginx.conf:11:13")

			require.NoError(t, os.WriteFile(filepath.Join(repo, "nginx.conf"), fixed, 0o644))
			must(repo, "git", "add", "-A")
			out, err = sh(repo, pc, "run", "--all-files")
			require.NoError(t, err, "hook must pass on the fixed config:\n%s", out)

			// A snippet passed alone is linted in the context of its root:
			// SNI switched on at http level there, so nothing is reported.
			require.NoError(t, os.MkdirAll(filepath.Join(repo, "conf.d"), 0o755))
			require.NoError(t, os.WriteFile(filepath.Join(repo, "nginx.conf"), []byte("events {}\nhttp {\n    proxy_ssl_server_name on;\n    include conf.d/*.conf;\n}\n"), 0o644))
			require.NoError(t, os.WriteFile(filepath.Join(repo, "conf.d", "site.conf"), []byte("server {\n    server_name example.com;\n    location / {\n        proxy_pass https://d1234567890.cloudfront.net;\n    }\n}\n"), 0o644))
			require.NoError(t, os.WriteFile(filepath.Join(repo, ".ngxlint.yaml"), []byte("roots: [nginx.conf]\n"), 0o644))
			must(repo, "git", "add", "-A")
			out, err = sh(repo, pc, "run", "--files", "conf.d/site.conf")
			require.NoError(t, err, "snippet in context must pass:\n%s", out)

			// Alone (no root knows it), the same snippet has no SNI.
			require.NoError(t, os.Remove(filepath.Join(repo, ".ngxlint.yaml")))
			must(repo, "git", "add", "-A")
			out, err = sh(repo, pc, "run", "--files", "conf.d/site.conf")
			require.Error(t, err, "snippet without its root must fail:\n%s", out)
			assert.Contains(t, out, "conf.d/site.conf:4:9")
		})
	}
}

func goEnv(t *testing.T, key string) string {
	t.Helper()
	out, err := exec.Command("go", "env", key).Output()
	require.NoError(t, err)
	return strings.TrimSpace(string(out))
}
