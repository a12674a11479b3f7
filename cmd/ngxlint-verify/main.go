// Command ngxlint-verify is `ngxlint verify` (and the hidden `edge`
// command the harness runs in its containers): it runs a configuration in a
// real nginx against mock CDN edges. It is a program of its own because the
// harness links Docker's client and testcontainers, whose initialisers
// would slow every `ngxlint lint`; ngxlint runs it for `ngxlint verify`.
package main

import (
	"io"
	"os"

	"github.com/ngxlint/ngxlint/cmd/internal/cmdutil"
	"github.com/ngxlint/ngxlint/harness/edge"
)

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	root := cmdutil.NewRoot(stdin, stdout, stderr)
	root.AddCommand(newVerifyCmd())
	return cmdutil.Execute(root, args, stderr)
}

func main() {
	// The harness runs this very binary as the mock edge inside its
	// container (`ngxlint-verify edge …`); dispatch before anything else.
	edge.RunIfEdge()
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
