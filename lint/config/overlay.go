package config

import "path/filepath"

// overlayFS serves edited contents in place of files on disk, so a fix can
// be re-linted before anything is written.
type overlayFS struct {
	files map[string][]byte // by absolute local path
	disk  diskFS
}

func (o overlayFS) read(p string, limit int64) ([]byte, error) {
	if b, ok := o.files[absPath(p)]; ok {
		return b, nil
	}
	return o.disk.read(p, limit)
}

func (o overlayFS) canonical(p string) string { return o.disk.canonical(filepath.Clean(p)) }

func withOverlay(opts Options, fsys fileSystem) fileSystem {
	if len(opts.Overlay) == 0 {
		return fsys
	}
	if d, ok := fsys.(diskFS); ok {
		files := make(map[string][]byte, len(opts.Overlay))
		for k, v := range opts.Overlay {
			files[absPath(k)] = v
		}
		return overlayFS{files: files, disk: d}
	}
	return fsys
}
