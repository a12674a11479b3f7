package errlog

import (
	"bufio"
	"compress/gzip"
	"errors"
	"io"
	"os"
)

// Open opens an error log for scanning. "-" is standard input, and gzip
// input is decompressed whatever the file is called: rotated logs are not
// always named .gz (error.log.1 after a compress-then-rename, or a log
// piped in from zcat-less tooling), and a .gz name on a plain file should
// not make the log unreadable either.
func Open(path string) (io.ReadCloser, error) {
	var f io.ReadCloser
	if path == "-" {
		// Closing the returned reader must not close the process's stdin.
		f = io.NopCloser(os.Stdin)
	} else {
		file, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		f = file
	}
	rc, err := decompress(f)
	if err != nil {
		_ = f.Close() // read-only; the decompress error is the one to report
		return nil, err
	}
	return rc, nil
}

// decompress sniffs the gzip magic through a bufio.Reader so the peeked
// bytes are not lost for plain input. bufio passes large reads straight
// through once its buffer is drained, so the extra layer costs no copy on
// the bulk of the data.
func decompress(f io.ReadCloser) (io.ReadCloser, error) {
	br := bufio.NewReaderSize(f, 64<<10)
	magic, err := br.Peek(2)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	if len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, err
		}
		return &readCloser{Reader: zr, close: func() error {
			return errors.Join(zr.Close(), f.Close())
		}}, nil
	}
	return &readCloser{Reader: br, close: f.Close}, nil
}

type readCloser struct {
	io.Reader
	close func() error
}

func (r *readCloser) Close() error { return r.close() }
