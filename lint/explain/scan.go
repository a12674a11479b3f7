package explain

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"sync"

	"github.com/ngxlint/ngxlint/nginx/errlog"
)

// ScanOptions say how logs are read.
type ScanOptions struct {
	// Stdin is read for the path "-" (default os.Stdin).
	Stdin io.Reader
	// Workers is how many sections a large plain file is split into and
	// scanned in parallel (default GOMAXPROCS). Compressed files and
	// standard input are read sequentially.
	Workers int
	// Progress, if set, receives the number of bytes read from the
	// sources as they are read (compressed bytes for gzip input). It is
	// called from several goroutines at once.
	Progress func(n int64)
}

// readSize is how much is read from a source per system call: the
// Scanner asks for 64 KiB at a time, and a call per 64 KiB costs more
// than the scan itself on fast storage.
const readSize = 1 << 20

// minSplit is the smallest file worth splitting between workers.
const minSplit = 32 << 20

// TotalSize is the sum of the sizes of the given paths, for a progress
// bar; -1 when one of them is standard input or cannot be sized.
func TotalSize(paths []string) int64 {
	var n int64
	for _, p := range paths {
		if p == "-" {
			return -1
		}
		st, err := os.Stat(p)
		if err != nil || !st.Mode().IsRegular() {
			return -1
		}
		n += st.Size()
	}
	return n
}

// Scan reads every log in turn (files, gzip files whatever their name,
// "-" for standard input) and groups their lines. A source that cannot be
// opened is an error; a source that fails part-way (a truncated .gz) is
// kept for what could be read and reported in warnings.
func Scan(ctx context.Context, paths []string, ix *Index, opts Options, so ScanOptions) (rep *Report, warnings []error, err error) {
	reps, warnings, err := ScanAll(ctx, paths, []*Index{ix}, opts, so)
	if err != nil {
		return nil, warnings, err
	}
	return reps[0], warnings, nil
}

// ScanAll is Scan mapping the same lines to several configurations at
// once (the roots of one lint run): the logs are read once, and each
// index gets a report of its own.
func ScanAll(ctx context.Context, paths []string, ixs []*Index, opts Options, so ScanOptions) (reps []*Report, warnings []error, err error) {
	aggs := newAggSet(ixs, opts)
	for _, p := range paths {
		w, err := scanPath(ctx, p, ixs, opts, so, aggs)
		if err != nil {
			return nil, warnings, err
		}
		if w != nil {
			warnings = append(warnings, fmt.Errorf("%s: %w", p, w))
		}
	}
	for _, a := range aggs {
		reps = append(reps, a.Report())
	}
	return reps, warnings, nil
}

// aggSet is one Aggregator per configuration, fed the same records.
type aggSet []*Aggregator

func newAggSet(ixs []*Index, opts Options) aggSet {
	s := make(aggSet, len(ixs))
	for i, ix := range ixs {
		s[i] = NewAggregator(ix, opts)
	}
	return s
}

func (s aggSet) add(r *errlog.Record) {
	for _, a := range s {
		a.Add(r)
	}
}

func (s aggSet) addStats(st errlog.Stats) {
	for _, a := range s {
		a.AddStats(st)
	}
}

func (s aggSet) merge(o aggSet) {
	for i, a := range s {
		a.Merge(o[i])
	}
}

func scanPath(ctx context.Context, path string, ixs []*Index, opts Options, so ScanOptions, agg aggSet) (warn, err error) {
	var src io.Reader
	if path == "-" {
		src = so.Stdin
		if src == nil {
			src = os.Stdin
		}
	} else {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer func() { _ = f.Close() }() // read-only
		st, err := f.Stat()
		if err != nil {
			return nil, err
		}
		if st.IsDir() {
			return nil, fmt.Errorf("%s is a directory", path)
		}
		src = f
		workers := so.Workers
		if workers <= 0 {
			workers = runtime.GOMAXPROCS(0)
		}
		if st.Mode().IsRegular() && st.Size() >= minSplit && workers > 1 && !isGzip(f) {
			return scanSections(ctx, f, st.Size(), workers, ixs, opts, so, agg)
		}
	}
	br := bufio.NewReaderSize(&counting{r: src, ctx: ctx, progress: so.Progress}, readSize)
	var r io.Reader = br
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, err
		}
		defer func() { _ = zr.Close() }() // read-only: errors surface from Read
		r = zr
	}
	return scanReader(r, agg), nil
}

// scanReader feeds one reader's records to agg and returns the read
// error, if any; what was read before it counts.
func scanReader(r io.Reader, agg aggSet) error {
	s := errlog.NewScanner(r)
	for s.Scan() {
		rec := s.Record()
		agg.add(&rec)
	}
	agg.addStats(s.Stats())
	return s.Err()
}

func isGzip(f *os.File) bool {
	var m [2]byte
	n, _ := f.ReadAt(m[:], 0)
	return n == 2 && m[0] == 0x1f && m[1] == 0x8b
}

// scanSections splits a plain file at line boundaries and scans the
// sections in parallel, each into its own Aggregator, merged in file
// order so the result is the same as a sequential scan.
func scanSections(ctx context.Context, f *os.File, size int64, workers int, ixs []*Index, opts Options, so ScanOptions, agg aggSet) (warn, err error) {
	pts := splitPoints(f, size, workers)
	n := len(pts) - 1
	aggs := make([]aggSet, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		aggs[i] = newAggSet(ixs, opts)
		wg.Add(1)
		go func() {
			defer wg.Done()
			sec := io.NewSectionReader(f, pts[i], pts[i+1]-pts[i])
			r := bufio.NewReaderSize(&counting{r: sec, ctx: ctx, progress: so.Progress}, readSize)
			errs[i] = scanReader(r, aggs[i])
		}()
	}
	wg.Wait()
	for _, a := range aggs {
		agg.merge(a)
	}
	return errors.Join(errs...), nil
}

// splitPoints returns section boundaries 0 = p0 < p1 < … < pn = size,
// each inner one just after a newline, so every section holds whole lines.
func splitPoints(r io.ReaderAt, size int64, n int) []int64 {
	pts := []int64{0}
	buf := make([]byte, 64<<10)
	for i := 1; i < n; i++ {
		q := size*int64(i)/int64(n) - 1
		if q < pts[len(pts)-1] {
			continue
		}
		next := int64(-1)
		for q < size && next < 0 {
			k, err := r.ReadAt(buf, q)
			if j := bytes.IndexByte(buf[:k], '\n'); j >= 0 {
				next = q + int64(j) + 1
			}
			q += int64(k)
			if err != nil || k == 0 {
				break
			}
		}
		if next < 0 || next >= size {
			break
		}
		pts = append(pts, next)
	}
	return append(pts, size)
}

// counting reports bytes read and stops at cancellation.
type counting struct {
	r        io.Reader
	ctx      context.Context
	progress func(int64)
}

func (c *counting) Read(p []byte) (int, error) {
	if c.ctx != nil {
		if err := c.ctx.Err(); err != nil {
			return 0, err
		}
	}
	n, err := c.r.Read(p)
	if n > 0 && c.progress != nil {
		c.progress(int64(n))
	}
	return n, err
}

// ReadLog scans one uncompressed log from r into a, sequentially. It
// returns the read error, if any; the lines read before it count.
func (a *Aggregator) ReadLog(r io.Reader) error {
	return scanReader(r, aggSet{a})
}
