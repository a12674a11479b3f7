package cmdutil

import "github.com/spf13/cobra"

// VerifyBinary is the program that runs `ngxlint verify`: the harness
// links Docker's client and testcontainers, whose package initialisers
// would cost every lint run tens of milliseconds, so it is a binary of
// its own that ngxlint runs.
const VerifyBinary = "ngxlint-verify"

// VerifyCommand is `verify` as both binaries show it, without flags or
// action: ngxlint-verify adds them, ngxlint passes everything on to
// ngxlint-verify.
func VerifyCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "verify [--fix] PATH",
		Short: "Run the config in a real nginx against mock CDN edges: reproduce the failure, prove the fix",
		Long: `Run the configuration in a throwaway nginx container against mock TLS edges that
behave like a CDN, one per TLS upstream host and reachable under its real name,
so nginx's SNI behaviour is exactly production's. One request goes through
every proxying location. With --fix, ngxlint's fixes are applied to a copy and
the requests run again.

The edges serve the names a correct configuration must send: proxy_ssl_name if
set, else the literal Host header, else the server's only server_name.
--upstream HOST=NAME[,NAME…] overrides them.

Verdicts: ok (worked as given), fixed (failed before, works after --fix),
failing (still fails), reproduced (failed; --fix not asked).

Needs a Docker engine. No image is ever pulled unless --nginx-image names one
that is missing locally; by default an image is built from the host's nginx.

The command is the ngxlint-verify program, which ngxlint runs (install both:
go install github.com/ngxlint/ngxlint/cmd/...@latest).

Exit status: 0 every upstream ok or fixed; 1 otherwise; 2 usage; 3 the config
does not load; 4 Docker (or an nginx to put in the image, or ngxlint-verify)
is unavailable.`,
		Example: `  ngxlint verify fixtures/blog/broken.conf
  ngxlint verify --fix fixtures/blog/broken.conf
  ngxlint verify --nginx-image nginx:1.27 --fix /etc/nginx`,
	}
}
