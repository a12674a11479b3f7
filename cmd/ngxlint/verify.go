package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/ngxlint/ngxlint/cmd/internal/cmdutil"
)

func init() { extraCommands = append(extraCommands, newVerifyCmd) }

// newVerifyCmd is `ngxlint verify`: it runs ngxlint-verify with the same
// arguments, standard streams and exit status. ngxlint-verify parses the
// flags (--help included), so they are its own and never out of step.
func newVerifyCmd() *cobra.Command {
	c := cmdutil.VerifyCommand()
	c.DisableFlagParsing = true
	c.RunE = func(c *cobra.Command, args []string) error {
		bin, err := verifyBinary()
		if err != nil {
			if slices.Contains(args, "-h") || slices.Contains(args, "--help") {
				fmt.Fprintf(c.OutOrStdout(), "%s\n\nUsage:\n  %s\n\nThe flags are %s's, which is not installed; install it with\n  %s\n", c.Long, c.UseLine(), cmdutil.VerifyBinary, installHint())
				return nil
			}
			return exit(exitDocker, fmt.Errorf("ngxlint verify needs the %s program, which was not found next to ngxlint or on PATH: %s", cmdutil.VerifyBinary, installHint()))
		}
		return forward(c, bin, append([]string{"verify"}, args...))
	}
	return c
}

// installHint says how to install ngxlint-verify at this binary's version.
func installHint() string {
	v := version()
	if v == "dev" {
		v = "latest"
	}
	return fmt.Sprintf("go install github.com/ngxlint/ngxlint/cmd/%s@%s", cmdutil.VerifyBinary, v)
}

// verifyBinary finds ngxlint-verify next to this executable (as given, then
// with symbolic links resolved), else on PATH.
func verifyBinary() (string, error) {
	name := cmdutil.VerifyBinary
	if runtime.GOOS == "windows" {
		name += ".exe"
	}
	if exe, err := os.Executable(); err == nil {
		dirs := []string{filepath.Dir(exe)}
		if real, err := filepath.EvalSymlinks(exe); err == nil && filepath.Dir(real) != dirs[0] {
			dirs = append(dirs, filepath.Dir(real))
		}
		for _, d := range dirs {
			p := filepath.Join(d, name)
			if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() && st.Mode().Perm()&0o111 != 0 {
				return p, nil
			}
		}
	}
	return exec.LookPath(cmdutil.VerifyBinary)
}

// forward runs bin with args on the command's streams and returns its exit
// status. SIGINT and SIGTERM are passed on, so that ngxlint-verify removes
// its containers before it exits.
func forward(c *cobra.Command, bin string, args []string) error {
	cmd := exec.Command(bin, args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = c.InOrStdin(), c.OutOrStdout(), c.ErrOrStderr()
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	if err := cmd.Start(); err != nil {
		return exit(exitDocker, fmt.Errorf("run %s: %w", bin, err))
	}
	done := make(chan struct{})
	defer close(done)
	go func() {
		for {
			select {
			case s := <-sigs:
				_ = cmd.Process.Signal(s) // it may have exited meanwhile
			case <-done:
				return
			}
		}
	}()
	err := cmd.Wait()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ee):
		code := ee.ExitCode()
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			code = 128 + int(ws.Signal())
		}
		return exit(code, nil)
	}
	return exit(exitDocker, fmt.Errorf("run %s: %w", bin, err))
}
