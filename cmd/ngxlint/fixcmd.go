package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/ngxlint/ngxlint/lint/fix"
)

func newFixCmd() *cobra.Command {
	var o loadOpts
	var write bool
	c := &cobra.Command{
		Use:   "fix [--write] PATH",
		Short: "Print (or apply with --write) every safe fix as a unified diff",
		Long: `Print every safe fix as a unified diff, or apply them with --write.

Writes are atomic (temporary file and rename, file mode kept) and touch only
the edited byte ranges. Running fix again changes nothing. A tree with syntax
errors is refused (exit 3).`,
		Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			if args[0] == "-" {
				return usagef("fix needs files on disk, not standard input")
			}
			res, err := computeFixes(c.Context(), &o, args[0])
			if err != nil {
				return err
			}
			if len(res.Files) == 0 {
				fmt.Fprintln(c.ErrOrStderr(), "ngxlint: nothing to fix")
				return nil
			}
			if !write {
				d, err := fix.Diff(res)
				if err != nil {
					return err
				}
				_, err = fmt.Fprint(c.OutOrStdout(), d)
				return err
			}
			if err := fix.Write(res); err != nil {
				return err
			}
			fmt.Fprintf(c.ErrOrStderr(), "ngxlint: applied %s to %s\n", plural(len(res.Applied), "fix"), plural(len(res.Files), "file"))
			return nil
		},
	}
	o.Register(c)
	o.RegisterFixSeverity(c)
	c.Flags().BoolVarP(&write, "write", "w", false, "apply the fixes in place")
	return c
}

// computeFixes runs the fix rounds over a tree without writing.
func computeFixes(ctx context.Context, o *loadOpts, root string) (*fix.Result, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	lo, _, err := o.LintOptions()
	if err != nil {
		return nil, err
	}
	sev, err := o.FixSeverity()
	if err != nil {
		return nil, err
	}
	copts, err := o.ConfigOptions()
	if err != nil {
		return nil, err
	}
	res, err := fix.Tree(ctx, root, copts, lo, sev)
	if errors.Is(err, fix.ErrSyntax) {
		return nil, exit(exitConfig, fmt.Errorf("%w: refusing to fix a configuration nginx cannot load", err))
	}
	if err != nil {
		return nil, err
	}
	return res, nil
}
