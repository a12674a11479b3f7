// Command gentree writes config.GenerateLintTree's benchmark tree for
// scripts/bench-lint.sh: the tree under -out, and with -hosts an
// /etc/hosts file mapping every name the tree resolves to 127.0.0.1, for
// `nginx -t` without DNS.
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/ngxlint/ngxlint/nginx/config"
)

func main() {
	servers := flag.Int("servers", 5000, "http server blocks (ten to a file)")
	out := flag.String("out", "", "directory to write the tree into")
	hosts := flag.String("hosts", "", "write an /etc/hosts for the tree here")
	stream := flag.String("stream-module", "", "load_module path for the stream module")
	rejects := flag.Bool("nginx-rejects", false, "add the cases nginx refuses to load")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "gentree: -out is required")
		os.Exit(2)
	}
	root, st, err := config.GenerateLintTree(*out, config.LintGenOptions{Servers: *servers, StreamModule: *stream, NginxRejects: *rejects})
	if err != nil {
		fmt.Fprintln(os.Stderr, "gentree:", err)
		os.Exit(1)
	}
	if *hosts != "" {
		var b strings.Builder
		b.WriteString("127.0.0.1 localhost\n::1 localhost\n")
		for _, h := range st.Hosts {
			fmt.Fprintf(&b, "127.0.0.1 %s\n", h)
		}
		if err := os.WriteFile(*hosts, []byte(b.String()), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "gentree:", err)
			os.Exit(1)
		}
	}
	fmt.Printf("%s files=%d lines=%d bytes=%d servers=%d upstreams=%d hosts=%d\n", root, st.Files, st.Lines, st.Bytes, st.Servers, st.Upstreams, len(st.Hosts))
}
