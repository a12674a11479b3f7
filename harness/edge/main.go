package edge

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

// Environment variables understood by RunIfEdge.
const (
	// EnvEdge=1 makes RunIfEdge run the edge with os.Args[1:] as flags
	// (an alternative to the "edge" first argument).
	EnvEdge = "NGXLINT_EDGE"
	// EnvProbe=1 makes RunIfEdge print ProbeReply and exit 0. The image
	// builder uses it to check that an executable really dispatches to the
	// edge before packaging it (a test binary without the TestMain hook
	// would otherwise start and run its tests inside the container).
	EnvProbe = "NGXLINT_EDGE_PROBE"
	// ProbeReply is printed on stdout for EnvProbe.
	ProbeReply = "ngxlint-edge-dispatch-ok"
	// Subcommand is the first argument that selects the edge.
	Subcommand = "edge"
)

// RunIfEdge must be the first statement of main() of any binary that the
// harness packages as the edge image (the ngxlint CLI), and of TestMain of
// any test package that builds the edge image (because there the packaged
// executable is the test binary):
//
//	func main() { edge.RunIfEdge(); … }
//
//	func TestMain(m *testing.M) { edge.RunIfEdge(); os.Exit(m.Run()) }
//
// If os.Args[1] is "edge", or NGXLINT_EDGE=1, it runs Main and exits the
// process with its status. If NGXLINT_EDGE_PROBE=1 it prints ProbeReply and
// exits 0. Otherwise it returns and the program continues normally.
func RunIfEdge() {
	if os.Getenv(EnvProbe) == "1" {
		fmt.Println(ProbeReply)
		os.Exit(0)
	}
	if len(os.Args) > 1 && os.Args[1] == Subcommand {
		os.Exit(Main(os.Args[2:]))
	}
	if os.Getenv(EnvEdge) == "1" {
		os.Exit(Main(os.Args[1:]))
	}
}

// Main runs the edge from command-line flags (the arguments after "edge")
// until SIGINT/SIGTERM, and returns the exit status. Flags:
//
//	--listen :443 --admin :8081 --names a.example,b.example
//	--profile cdn|strict|close|reset|blackhole|lenient
//	--min-version 1.2 --max-version 1.3
//	--cert leaf.pem --key key.pem --chain chain.pem
//	--host-check --host-status 403 --alpn h2,http/1.1
func Main(args []string) int {
	return mainWith(args, os.Stdout, os.Stderr)
}

func mainWith(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("ngxlint edge", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		cfg                          Config
		names, minV, maxV, alpn      string
		certFile, keyFile, chainFile string
	)
	fs.StringVar(&cfg.Listen, "listen", ":443", "TLS listen address")
	fs.StringVar(&cfg.AdminListen, "admin", ":8081", "plain-HTTP admin listen address (empty: none)")
	fs.StringVar(&names, "names", "", "comma-separated names served (SNI, and Host with --host-check)")
	fs.StringVar(&cfg.Profile, "profile", ProfileCDN, "reaction to missing/unknown SNI: "+ProfileHelp(Profiles))
	fs.StringVar(&minV, "min-version", "", "minimum TLS version (1.0, 1.1, 1.2, 1.3)")
	fs.StringVar(&maxV, "max-version", "", "maximum TLS version")
	fs.StringVar(&certFile, "cert", "", "leaf certificate PEM (default: self-signed for --names)")
	fs.StringVar(&keyFile, "key", "", "private key PEM")
	fs.StringVar(&chainFile, "chain", "", "intermediate certificates PEM, sent after the leaf")
	fs.BoolVar(&cfg.HostCheck, "host-check", false, "answer --host-status when Host is not one of --names")
	fs.IntVar(&cfg.HostStatus, "host-status", 403, "status for a Host mismatch (403 or 421)")
	fs.StringVar(&alpn, "alpn", "h2,http/1.1", "ALPN protocols offered (comma-separated; empty: no ALPN)")
	var plain string
	fs.StringVar(&plain, "plain", "", "comma-separated plain-HTTP listen addresses answering 200 (e.g. :80,:4180)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "ngxlint edge: unexpected arguments %q\n", fs.Args())
		return 2
	}
	cfg.Names = splitList(names)
	cfg.Plain = splitList(plain)
	cfg.ALPN = splitList(alpn)
	if cfg.ALPN == nil {
		cfg.ALPN = []string{}
	}
	var err error
	if cfg.MinVersion, err = ParseVersion(minV); err != nil {
		fmt.Fprintf(stderr, "ngxlint edge: --min-version: %v\n", err)
		return 2
	}
	if cfg.MaxVersion, err = ParseVersion(maxV); err != nil {
		fmt.Fprintf(stderr, "ngxlint edge: --max-version: %v\n", err)
		return 2
	}
	read := func(path string) []byte {
		if path == "" || err != nil {
			return nil
		}
		var b []byte
		b, err = os.ReadFile(path)
		return b
	}
	cfg.CertPEM, cfg.KeyPEM, cfg.ChainPEM = read(certFile), read(keyFile), read(chainFile)
	if err != nil {
		fmt.Fprintf(stderr, "ngxlint edge: %v\n", err)
		return 1
	}
	if (certFile == "") != (keyFile == "") {
		fmt.Fprintln(stderr, "ngxlint edge: --cert and --key go together")
		return 2
	}
	cfg.Stdout = stdout
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := Serve(ctx, cfg); err != nil {
		fmt.Fprintf(stderr, "ngxlint edge: %v\n", err)
		return 1
	}
	return 0
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
