package main

import (
	"encoding/json"
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// Set by release builds (.goreleaser.yaml, the GitHub Action, the image):
//
//	-ldflags "-X main.buildVersion=v1.2.3 -X main.buildCommit=<sha> -X main.buildDate=<RFC 3339>"
//
// Empty otherwise: the values then come from the build info Go records
// (the module version for `go install …@v1.2.3`, the VCS revision and time
// for a build inside a git checkout).
var (
	buildVersion string
	buildCommit  string
	buildDate    string
)

func init() { extraCommands = append(extraCommands, newVersionCmd) }

// buildInfo is what `ngxlint version` prints; the JSON names are a public
// contract.
type buildInfo struct {
	Version  string `json:"version"`
	Commit   string `json:"commit"`
	Modified bool   `json:"modified"` // built from a working tree with uncommitted changes
	Date     string `json:"date,omitempty"`
	Go       string `json:"go"`
	Platform string `json:"platform"`
}

func readBuildInfo() buildInfo {
	bi, _ := debug.ReadBuildInfo()
	return buildInfoFrom(bi, buildVersion, buildCommit, buildDate)
}

// buildInfoFrom merges Go's build info (nil when the binary has none) with
// the values injected by -ldflags, which win.
func buildInfoFrom(bi *debug.BuildInfo, ldVersion, ldCommit, ldDate string) buildInfo {
	info := buildInfo{Version: "dev", Commit: "unknown", Go: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if bi != nil {
		if v := bi.Main.Version; v != "" && v != "(devel)" {
			info.Version = v
		}
		if bi.GoVersion != "" {
			info.Go = bi.GoVersion
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				info.Commit = s.Value
			case "vcs.time":
				info.Date = s.Value
			case "vcs.modified":
				info.Modified = s.Value == "true"
			}
		}
	}
	if ldVersion != "" {
		info.Version = ldVersion
	}
	if ldCommit != "" {
		info.Commit = ldCommit
	}
	if ldDate != "" {
		info.Date = ldDate
	}
	return info
}

func newVersionCmd() *cobra.Command {
	var format string
	c := &cobra.Command{
		Use:   "version",
		Short: "Print ngxlint's version, commit and Go version",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			info := readBuildInfo()
			out := c.OutOrStdout()
			switch format {
			case "text":
				commit := info.Commit
				if info.Modified {
					commit += " (modified)"
				}
				fmt.Fprintf(out, "ngxlint %s\ncommit:   %s\n", info.Version, commit)
				if info.Date != "" {
					fmt.Fprintf(out, "built:    %s\n", info.Date)
				}
				fmt.Fprintf(out, "go:       %s\nplatform: %s\n", info.Go, info.Platform)
				return nil
			case "json":
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				return enc.Encode(info)
			}
			return usagef("--format %q: want text or json", format)
		},
	}
	c.Flags().StringVarP(&format, "format", "f", "text", "output format: text, json")
	return c
}
