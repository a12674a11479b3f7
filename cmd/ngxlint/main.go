// Command ngxlint finds nginx proxy mistakes that only show at request
// time, explains the error.log lines they leave, and proves fixes against
// a real nginx. The commands are thin: the work lives in lint/, rules/ and
// harness/.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/ngxlint/ngxlint/harness/edge"
)

// Exit codes are part of the CI contract.
const (
	exitOK       = 0
	exitFindings = 1
	exitUsage    = 2
	exitConfig   = 3 // the nginx configuration could not be loaded
	exitDocker   = 4
)

// exitError carries an exit code up to main.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}
func (e *exitError) Unwrap() error { return e.err }

func exit(code int, err error) error { return &exitError{code: code, err: err} }

func usagef(format string, args ...any) error {
	return exit(exitUsage, fmt.Errorf(format, args...))
}

// version is ngxlint's version: -ldflags' buildVersion, else the module
// version from the build info, else "dev" (versioncmd.go).
func version() string { return readBuildInfo().Version }

func newRoot(stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "ngxlint",
		Short: "Lint nginx configs for upstream TLS mistakes, explain error.log lines, prove fixes against real nginx",
		Long: `ngxlint finds the nginx proxy mistakes that only show at request time — above all
proxy_pass https://… without SNI, which CDNs and cloud load balancers refuse —
explains the lines they leave in error.log, and proves fixes against a real nginx.`,
		Version:       version(),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return exit(exitUsage, fmt.Errorf("%w\nRun '%s --help' for usage", err, c.CommandPath()))
	})
	root.AddCommand(newLintCmd(), newRulesCmd(), newConfigCmd(), newFixCmd())
	for _, extra := range extraCommands {
		root.AddCommand(extra())
	}
	return root
}

// extraCommands lets other files register commands (explain, verify, edge).
var extraCommands []func() *cobra.Command

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	root := newRoot(stdin, stdout, stderr)
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintf(stderr, "ngxlint: %v\n", ee.err)
		}
		return ee.code
	}
	// cobra's own errors: unknown command, bad args
	fmt.Fprintf(stderr, "ngxlint: %v\n", err)
	return exitUsage
}

func main() {
	// The harness runs this very binary as the mock edge inside its
	// container (`ngxlint edge …`); dispatch before anything else.
	edge.RunIfEdge()
	// A lint run is short and its tree stays live until the end: garbage
	// collection only costs time here (a third of the parse on big trees).
	// Trade memory for speed unless the user set GOGC.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	runHooks()
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// startupHooks run before the CLI parses anything (the edge dispatch).
var startupHooks []func()

func runHooks() {
	for _, h := range startupHooks {
		h()
	}
}
