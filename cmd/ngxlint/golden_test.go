package main

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// updateGolden rewrites testdata/golden from the current output:
//
//	go test ./cmd/ngxlint -run TestGolden -update
var updateGolden = flag.Bool("update", false, "rewrite the golden files of TestGolden")

// TestGolden pins the public outputs (lint in every format, fix diffs,
// explain JSON, lint --error-log) on the repository's fixtures byte for
// byte, so that moving code between packages cannot change what users and
// CI systems read.
func TestGolden(t *testing.T) {
	root := repoRoot(t)
	chdir(t, root)
	explainLog := "fixtures/explain/lines.txt"
	type gcase struct {
		name string
		args []string
	}
	var cases []gcase
	for _, tree := range []struct{ name, path string }{
		{"typical", "fixtures/typical"},
		{"blog", "fixtures/blog/broken.conf"},
		{"blog-fixed", "fixtures/blog/fixed.conf"},
	} {
		for _, f := range []string{"text", "json", "sarif", "github", "checkstyle"} {
			cases = append(cases, gcase{tree.name + "-lint." + f, []string{"lint", "--format", f, tree.path}})
		}
		cases = append(cases, gcase{tree.name + "-fix.diff", []string{"fix", tree.path}})
	}
	cases = append(cases,
		gcase{"explain.json", []string{"explain", "--no-progress", "--format", "json", "--config", "fixtures/explain", explainLog}},
		gcase{"explain.text", []string{"explain", "--no-progress", "--config", "fixtures/explain", explainLog}},
		gcase{"explain-noconfig.json", []string{"explain", "--no-progress", "--format", "json", explainLog}},
		gcase{"lint-errorlog.json", []string{"lint", "--format", "json", "--error-log", explainLog, "fixtures/explain"}},
		gcase{"lint-errorlog.sarif", []string{"lint", "--format", "sarif", "--error-log", explainLog, "fixtures/explain"}},
	)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, code := cli(t, "", tc.args...)
			got := normalizeGolden(out) + "\n-- stderr --\n" + normalizeGolden(errOut) + "\n-- exit --\n" + strconv.Itoa(code) + "\n"
			path := filepath.Join("cmd", "ngxlint", "testdata", "golden", tc.name)
			if *updateGolden {
				require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
				return
			}
			want, err := os.ReadFile(path)
			require.NoError(t, err, "run with -update to create it")
			assert.Equal(t, string(want), got)
		})
	}
}

// volatile matches what legitimately differs between runs and machines:
// the version string of a development build and the repository's absolute
// path.
var volatile = regexp.MustCompile(`"version":\s*"[^"]*"`)

func normalizeGolden(s string) string {
	if wd, err := os.Getwd(); err == nil {
		s = strings.ReplaceAll(s, wd, "$ROOT")
	}
	return volatile.ReplaceAllString(s, `"version": "X"`)
}
