package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ngxlint/ngxlint/harness/harnesstest"
)

func TestMain(m *testing.M) { harnesstest.Main(m) }

// updateGolden rewrites testdata/golden from the current output:
//
//	go test ./cmd/ngxlint-verify -run TestGoldenVerify -update
var updateGolden = flag.Bool("update", false, "rewrite the golden files of TestGoldenVerify")

// cli runs the command in-process and returns stdout, stderr and the exit
// status, exactly as main would.
func cli(t *testing.T, stdin string, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, strings.NewReader(stdin), &out, &errb)
	return out.String(), errb.String(), code
}

func repoRoot(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	require.NoError(t, err)
	return filepath.Join(wd, "..", "..")
}

func chdir(t *testing.T, dir string) {
	t.Helper()
	old, err := os.Getwd()
	require.NoError(t, err)
	require.NoError(t, os.Chdir(dir))
	t.Cleanup(func() { _ = os.Chdir(old) })
}

// volatile matches what legitimately differs between runs and machines:
// the version string of a development build and the repository's absolute
// path (as in cmd/ngxlint's goldens).
var volatile = regexp.MustCompile(`"version":\s*"[^"]*"`)

func normalizeGolden(s string) string {
	if wd, err := os.Getwd(); err == nil {
		s = strings.ReplaceAll(s, wd, "$ROOT")
	}
	return volatile.ReplaceAllString(s, `"version": "X"`)
}

// verifyVolatile matches what differs between verify runs: error.log
// timestamps, process and connection numbers, container addresses and the
// content-hash tag of the locally built image.
var verifyVolatile = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`\d{4}/\d\d/\d\d \d\d:\d\d:\d\d`), "TIME"},
	{regexp.MustCompile(`\d+#\d+: \*\d+`), "PID#TID: *CID"},
	{regexp.MustCompile(`\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b`), "IP"},
	{regexp.MustCompile(`ngxlint\.local/nginx:[0-9a-f]+`), "ngxlint.local/nginx:TAG"},
	{regexp.MustCompile(`("(?:images|network|edges|nginx|probes|fix|teardown)": )\d+`), "${1}MS"},
}

// TestGoldenVerify pins verify's JSON on the blog and typical fixtures,
// apart from the values above, against real containers.
func TestGoldenVerify(t *testing.T) {
	harnesstest.RequireDocker(t)
	chdir(t, repoRoot(t))
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"blog-verify-fix.json", []string{"verify", "--fix", "--format", "json", "fixtures/blog/broken.conf"}},
		{"typical-verify-fix.json", []string{"verify", "--fix", "--format", "json", "fixtures/typical"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, _, code := cli(t, "", tc.args...)
			got := normalizeGolden(out)
			for _, v := range verifyVolatile {
				got = v.re.ReplaceAllString(got, v.with)
			}
			got += "\n-- exit --\n" + strconv.Itoa(code) + "\n"
			path := filepath.Join("cmd", "ngxlint-verify", "testdata", "golden", tc.name)
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
