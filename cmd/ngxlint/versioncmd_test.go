package main

import (
	"encoding/json"
	"runtime"
	"runtime/debug"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBuildInfoFrom(t *testing.T) {
	vcs := func(main string, settings ...string) *debug.BuildInfo {
		bi := &debug.BuildInfo{GoVersion: "go1.26.1", Main: debug.Module{Path: "github.com/ngxlint/ngxlint", Version: main}}
		for i := 0; i+1 < len(settings); i += 2 {
			bi.Settings = append(bi.Settings, debug.BuildSetting{Key: settings[i], Value: settings[i+1]})
		}
		return bi
	}
	platform := runtime.GOOS + "/" + runtime.GOARCH
	for _, tc := range []struct {
		name                        string
		bi                          *debug.BuildInfo
		ldVersion, ldCommit, ldDate string
		want                        buildInfo
	}{
		{
			name: "no build info",
			want: buildInfo{Version: "dev", Commit: "unknown", Go: runtime.Version(), Platform: platform},
		},
		{
			name: "go build in a checkout with changes",
			bi:   vcs("(devel)", "vcs.revision", "0123abc", "vcs.time", "2026-01-02T03:04:05Z", "vcs.modified", "true"),
			want: buildInfo{Version: "dev", Commit: "0123abc", Modified: true, Date: "2026-01-02T03:04:05Z", Go: "go1.26.1", Platform: platform},
		},
		{
			name: "go install at a tag",
			bi:   vcs("v0.3.0"),
			want: buildInfo{Version: "v0.3.0", Commit: "unknown", Go: "go1.26.1", Platform: platform},
		},
		{
			name:      "release build: ldflags win over build info",
			bi:        vcs("v0.0.0-20260102030405-0123abc", "vcs.revision", "0123abc", "vcs.time", "2026-01-02T03:04:05Z", "vcs.modified", "false"),
			ldVersion: "v0.3.0", ldCommit: "fedcba9", ldDate: "2026-02-03T00:00:00Z",
			want: buildInfo{Version: "v0.3.0", Commit: "fedcba9", Date: "2026-02-03T00:00:00Z", Go: "go1.26.1", Platform: platform},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, buildInfoFrom(tc.bi, tc.ldVersion, tc.ldCommit, tc.ldDate))
		})
	}
}

func TestVersionCommand(t *testing.T) {
	out, errOut, code := cli(t, "", "version")
	require.Equal(t, 0, code, errOut)
	assert.Regexp(t, `^ngxlint \S+\ncommit:   \S+`, out)
	assert.Contains(t, out, "go:       "+runtime.Version()+"\n")
	assert.Contains(t, out, "platform: "+runtime.GOOS+"/"+runtime.GOARCH+"\n")

	out, errOut, code = cli(t, "", "version", "--format", "json")
	require.Equal(t, 0, code, errOut)
	var got buildInfo
	require.NoError(t, json.Unmarshal([]byte(out), &got))
	assert.Equal(t, readBuildInfo(), got)

	old := buildVersion
	buildVersion = "v9.8.7"
	t.Cleanup(func() { buildVersion = old })
	out, _, _ = cli(t, "", "--version")
	assert.Equal(t, "ngxlint version v9.8.7\n", out, "--version and `version` agree")

	_, _, code = cli(t, "", "version", "--format", "xml")
	assert.Equal(t, exitUsage, code)
	_, _, code = cli(t, "", "version", "extra")
	assert.Equal(t, exitUsage, code)
}
