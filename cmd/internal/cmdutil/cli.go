package cmdutil

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// Exit codes are part of the CI contract.
const (
	ExitOK       = 0
	ExitFindings = 1
	ExitUsage    = 2
	ExitConfig   = 3 // the nginx configuration could not be loaded
	ExitDocker   = 4 // Docker, an nginx to put in an image, or ngxlint-verify is missing
)

// ExitError carries an exit code up to main.
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit %d", e.Code)
	}
	return e.Err.Error()
}

func (e *ExitError) Unwrap() error { return e.Err }

// Exit returns an error that ends the command with code, printing err
// (unless nil) as "ngxlint: err".
func Exit(code int, err error) error { return &ExitError{Code: code, Err: err} }

// Usagef is a usage error (exit 2).
func Usagef(format string, args ...any) error {
	return Exit(ExitUsage, fmt.Errorf(format, args...))
}

// Version is the module version of the binary, "dev" for a local build.
func Version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// NewRoot is the root command of both binaries: ngxlint's description,
// errors left to Execute, flag errors as usage errors.
func NewRoot(stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "ngxlint",
		Short: "Lint nginx configs for upstream TLS mistakes, explain error.log lines, prove fixes against real nginx",
		Long: `ngxlint finds the nginx proxy mistakes that only show at request time — above all
proxy_pass https://… without SNI, which CDNs and cloud load balancers refuse —
explains the lines they leave in error.log, and proves fixes against a real nginx.`,
		Version:       Version(),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return Exit(ExitUsage, fmt.Errorf("%w\nRun '%s --help' for usage", err, c.CommandPath()))
	})
	return root
}

// Execute runs root with args and returns the exit status, printing the
// error that ended the command.
func Execute(root *cobra.Command, args []string, stderr io.Writer) int {
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return ExitOK
	}
	var ee *ExitError
	if errors.As(err, &ee) {
		if ee.Err != nil {
			fmt.Fprintf(stderr, "ngxlint: %v\n", ee.Err)
		}
		return ee.Code
	}
	// cobra's own errors: unknown command, bad args
	fmt.Fprintf(stderr, "ngxlint: %v\n", err)
	return ExitUsage
}

// CmdContext is the command's context, or a background one.
func CmdContext(c *cobra.Command) context.Context {
	if ctx := c.Context(); ctx != nil {
		return ctx
	}
	return context.Background()
}
