// Command genlog writes a synthetic nginx error log (errlog.GenerateLog)
// for scripts/bench-explain.sh: genlog -size 1G -ratio 0.01 -o error.log.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/ngxlint/ngxlint/nginx/errlog"
)

func main() {
	size := flag.String("size", "1G", "bytes to write (suffix K, M or G: powers of 1024)")
	ratio := flag.Float64("ratio", 0.01, "share of lines that are upstream failures")
	seed := flag.Int64("seed", 1, "random seed; the same seed writes the same bytes")
	out := flag.String("o", "", "output file (default stdout)")
	flag.Parse()
	n, err := parseSize(*size)
	if err != nil {
		fmt.Fprintln(os.Stderr, "genlog:", err)
		os.Exit(2)
	}
	w := os.Stdout
	if *out != "" {
		if w, err = os.Create(*out); err != nil {
			fmt.Fprintln(os.Stderr, "genlog:", err)
			os.Exit(1)
		}
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	// every error counts: the generator's, the flush's and the close's
	err = errlog.GenerateLog(bw, n, *ratio, *seed)
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		err = w.Close()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "genlog:", err)
		os.Exit(1)
	}
}

func parseSize(s string) (int64, error) {
	mult := int64(1)
	switch {
	case strings.HasSuffix(s, "K"):
		mult, s = 1<<10, strings.TrimSuffix(s, "K")
	case strings.HasSuffix(s, "M"):
		mult, s = 1<<20, strings.TrimSuffix(s, "M")
	case strings.HasSuffix(s, "G"):
		mult, s = 1<<30, strings.TrimSuffix(s, "G")
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v < 0 {
		return 0, fmt.Errorf("-size %q: want bytes, e.g. 1G or 512M", s)
	}
	return v * mult, nil
}
