package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/ngxlint/ngxlint/lint/settings"
)

func newConfigCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "config",
		Short: "Work with .ngxlint.yaml",
	}
	c.AddCommand(&cobra.Command{
		Use:   "schema",
		Short: "Print the JSON Schema of .ngxlint.yaml (for editor completion)",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			b, err := settings.Schema()
			if err != nil {
				return err
			}
			_, err = fmt.Fprintln(c.OutOrStdout(), string(b))
			return err
		},
	})
	return c
}
