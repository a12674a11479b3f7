// Package fix applies findings' byte-range edits to the original files:
// in memory for checking, as a unified diff for review, or atomically on
// disk. Fixes are applied in rounds and re-linted between rounds, so two
// findings that want the same directive never add it twice, and running
// fix again changes nothing.
package fix

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/pmezard/go-difflib/difflib"

	"github.com/ngxlint/ngxlint/lint"
	"github.com/ngxlint/ngxlint/nginx/config"
	"github.com/ngxlint/ngxlint/rules/rule"
)

// Loader loads a tree with the given overlay of edited files.
type Loader func(ctx context.Context, overlay map[string][]byte) (*config.Tree, []config.Diagnostic)

// Linter lints a tree and returns its findings.
type Linter func(*config.Tree) []rule.Finding

// ErrSyntax is returned when the tree does not load cleanly: fixing a file
// nginx cannot read would only move the breakage.
var ErrSyntax = errors.New("configuration has syntax errors; not fixing")

// Result of Converge.
type Result struct {
	// Files maps paths to their fixed contents (only changed files).
	Files map[string][]byte
	// Original holds the contents before any fix, by path.
	Original map[string][]byte
	// Applied lists the fixes applied, in order.
	Applied []rule.Finding
	Rounds  int
	// Tree is the fixed configuration as the last round loaded it.
	Tree *config.Tree
}

// Converge applies every safe fix, re-linting after each round, until no
// fixable finding is left. Each round applies findings whose edits do not
// touch each other; the rest wait for the next round's fresh positions.
func Converge(ctx context.Context, load Loader, lint Linter, maxRounds int) (*Result, error) {
	res := &Result{Files: map[string][]byte{}, Original: map[string][]byte{}}
	overlay := map[string][]byte{}
	for round := 0; round < maxRounds; round++ {
		t, diags := load(ctx, overlay)
		if t == nil || config.HasErrors(diags) {
			if round == 0 {
				if e := firstError(diags); e != nil {
					return nil, fmt.Errorf("%w: %v", ErrSyntax, e)
				}
				return nil, ErrSyntax
			}
			return nil, fmt.Errorf("fix round %d produced a configuration with errors: %v", round, firstError(diags))
		}
		var batch []rule.Edit
		var picked []rule.Finding
		taken := taken{}
		for _, f := range lint(t) {
			if f.Fix == nil || f.Suppressed || len(f.Fix.Edits) == 0 {
				continue
			}
			if taken.clashes(f.Fix.Edits) {
				continue
			}
			for _, e := range f.Fix.Edits {
				taken.mark(e)
			}
			batch = append(batch, f.Fix.Edits...)
			picked = append(picked, f)
		}
		if len(batch) == 0 {
			res.Rounds = round
			res.Tree = t
			for p, b := range overlay {
				res.Files[p] = b
			}
			return res, nil
		}
		for _, e := range batch {
			if _, ok := res.Original[e.File.Path]; !ok {
				res.Original[e.File.Path] = []byte(e.File.Src)
			}
		}
		files, err := config.ApplyEdits(batch)
		if err != nil {
			return nil, err
		}
		for p, b := range files {
			overlay[p] = b
		}
		res.Applied = append(res.Applied, picked...)
	}
	return nil, fmt.Errorf("fixes did not converge after %d rounds", maxRounds)
}

func firstError(diags []config.Diagnostic) error {
	for _, d := range diags {
		if d.Severity == config.SevError {
			return d
		}
	}
	return nil
}

// taken marks, per path, the byte positions a round's edits cover: an
// edit [Start, End] covers the positions Start through End, both
// included, so touching ranges clash too (two inserts at one point would
// be ordered arbitrarily). A bit per position of the file keeps a check
// proportional to the edit's length, whatever the number of edits taken.
type taken map[string][]uint64

func (t taken) bits(e rule.Edit) []uint64 {
	b, ok := t[e.File.Path]
	if !ok {
		b = make([]uint64, (len(e.File.Src)+1)/64+1)
		t[e.File.Path] = b
	}
	return b
}

// span returns e's covered positions, clamped to the file.
func span(e rule.Edit, b []uint64) (int, int) {
	hi := len(b)*64 - 1
	return min(max(int(e.Start), 0), hi), min(max(int(e.End), 0), hi)
}

func (t taken) clashes(edits []rule.Edit) bool {
	for _, e := range edits {
		b := t.bits(e)
		lo, hi := span(e, b)
		for i := lo; i <= hi; {
			if i%64 == 0 && i+63 <= hi {
				if b[i/64] != 0 {
					return true
				}
				i += 64
				continue
			}
			if b[i/64]&(1<<(i%64)) != 0 {
				return true
			}
			i++
		}
	}
	return false
}

func (t taken) mark(e rule.Edit) {
	b := t.bits(e)
	lo, hi := span(e, b)
	for i := lo; i <= hi; i++ {
		b[i/64] |= 1 << (i % 64)
	}
}

// Diff renders a unified diff of the changes.
func Diff(res *Result) (string, error) {
	paths := make([]string, 0, len(res.Files))
	for p := range res.Files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	var b strings.Builder
	for _, p := range paths {
		d := difflib.UnifiedDiff{
			A:        difflib.SplitLines(string(res.Original[p])),
			B:        difflib.SplitLines(string(res.Files[p])),
			FromFile: "a/" + strings.TrimPrefix(p, "/"),
			ToFile:   "b/" + strings.TrimPrefix(p, "/"),
			Context:  3,
		}
		s, err := difflib.GetUnifiedDiffString(d)
		if err != nil {
			return "", fmt.Errorf("diff %s: %w", p, err)
		}
		b.WriteString(s)
	}
	return b.String(), nil
}

// Write stores the fixed files atomically: each goes to a temporary file
// in the same directory, keeps the original's mode, and is renamed over
// the original, so a crash leaves either the old or the new file.
func Write(res *Result) error {
	paths := make([]string, 0, len(res.Files))
	for p := range res.Files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		if err := WriteAtomic(p, res.Files[p]); err != nil {
			return err
		}
	}
	return nil
}

// WriteAtomic replaces path's content atomically, keeping its mode. A
// symlink is followed so the link itself survives.
func WriteAtomic(path string, data []byte) error {
	target, err := filepath.EvalSymlinks(path)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	st, err := os.Stat(target)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(target), "."+filepath.Base(target)+".ngxlint-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	// the temporary file is gone whatever happens: renamed into place, or
	// removed after a failure (a failed write's close error adds nothing)
	defer func() { _ = os.Remove(tmp.Name()) }()
	if _, err := tmp.Write(data); err != nil {
		_ = tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Chmod(st.Mode().Perm()); err != nil {
		_ = tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		_ = tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), target); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// Tree runs Converge over the configuration at root, loading it with
// opts and keeping the fixes of findings at or above sev. The CLI's fix
// and the harness's --fix share it.
func Tree(ctx context.Context, root string, opts config.Options, lo lint.Options, sev rule.Severity) (*Result, error) {
	return Converge(ctx,
		func(ctx context.Context, overlay map[string][]byte) (*config.Tree, []config.Diagnostic) {
			co := opts
			co.Overlay = overlay
			return config.Load(ctx, root, co)
		},
		func(t *config.Tree) []rule.Finding { return lint.AtLeast(lint.Run(t, lo).Findings, sev) },
		20)
}
