// Command ngxlint finds nginx proxy mistakes that only show at request
// time, explains the error.log lines they leave, and proves fixes against
// a real nginx. The commands are thin: the work lives in lint/, rules/ and
// harness/. `verify` is the separate ngxlint-verify program (verify.go), so
// that this binary does not link the harness.
package main

import (
	"io"
	"os"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/ngxlint/ngxlint/cmd/internal/cmdutil"
	// the checks register themselves; the driver sees them through the
	// framework's registry
	_ "github.com/ngxlint/ngxlint/rules"
)

// What both binaries share lives in cmd/internal/cli; these are its names
// here.
type loadOpts = cmdutil.Options

const (
	exitFindings = cmdutil.ExitFindings
	exitUsage    = cmdutil.ExitUsage
	exitConfig   = cmdutil.ExitConfig
	exitDocker   = cmdutil.ExitDocker
)

var (
	exit   = cmdutil.Exit
	usagef = cmdutil.Usagef
)

// version is ngxlint's version: -ldflags' buildVersion, else the module
// version from the build info, else "dev" (versioncmd.go).
func version() string { return readBuildInfo().Version }

func newRoot(stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	root := cmdutil.NewRoot(stdin, stdout, stderr)
	root.Version = version()
	root.AddCommand(newLintCmd(), newRulesCmd(), newConfigCmd(), newFixCmd())
	for _, extra := range extraCommands {
		root.AddCommand(extra())
	}
	return root
}

// extraCommands lets other files register commands (explain, verify).
var extraCommands []func() *cobra.Command

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return cmdutil.Execute(newRoot(stdin, stdout, stderr), args, stderr)
}

func main() {
	// A lint run is short and its tree stays live until the end: garbage
	// collection only costs time here (a third of the parse on big trees).
	// Trade memory for speed unless the user set GOGC.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
