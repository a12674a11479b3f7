package config

import (
	"fmt"
	"sort"
	"strings"
)

// Edit replaces File.Src[Start:End] with NewText: the one way ngxlint
// changes a configuration, whether a rule's fix or the harness staging a
// copy. Start == End inserts.
type Edit struct {
	File       *File
	Start, End int32
	NewText    string
}

// ApplyEdits applies edits to the files they name and returns the new
// contents by path. Edits compose: identical edits collapse, insertions at
// one offset are applied in the order given, and an insertion at the
// start of a replaced range goes before the replacement. Edits whose
// ranges overlap are an error, never silently dropped.
func ApplyEdits(edits []Edit) (map[string][]byte, error) {
	byFile := map[string][]Edit{}
	srcs := map[string]string{}
	var order []string
	for _, e := range edits {
		if e.File == nil {
			return nil, fmt.Errorf("edit without a file at bytes %d-%d", e.Start, e.End)
		}
		if _, ok := byFile[e.File.Path]; !ok {
			order = append(order, e.File.Path)
		}
		byFile[e.File.Path] = append(byFile[e.File.Path], e)
		srcs[e.File.Path] = e.File.Src
	}
	out := make(map[string][]byte, len(byFile))
	for _, path := range order {
		b, err := apply(path, srcs[path], byFile[path])
		if err != nil {
			return nil, err
		}
		out[path] = b
	}
	return out, nil
}

func apply(path, src string, es []Edit) ([]byte, error) {
	// by start; at one start, insertions (in the order given) before a
	// replacement
	sort.SliceStable(es, func(i, j int) bool {
		if es[i].Start != es[j].Start {
			return es[i].Start < es[j].Start
		}
		return es[i].End-es[i].Start < es[j].End-es[j].Start && es[i].Start == es[i].End
	})
	uniq := es[:0:0]
	for _, e := range es {
		if e.Start < 0 || e.End < e.Start || int(e.End) > len(src) {
			return nil, fmt.Errorf("%s: edit at bytes %d-%d is outside the file (%d bytes)", path, e.Start, e.End, len(src))
		}
		if n := len(uniq); n > 0 {
			prev := uniq[n-1]
			if e == prev {
				continue
			}
			if e.Start < prev.End {
				return nil, fmt.Errorf("%s: conflicting edits at bytes %d-%d and %d-%d", path, prev.Start, prev.End, e.Start, e.End)
			}
		}
		uniq = append(uniq, e)
	}
	var b strings.Builder
	b.Grow(len(src))
	var at int32
	for _, e := range uniq {
		b.WriteString(src[at:e.Start])
		b.WriteString(e.NewText)
		at = e.End
	}
	b.WriteString(src[at:])
	return []byte(b.String()), nil
}
