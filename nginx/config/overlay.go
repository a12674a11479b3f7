package config

// overlayFS serves edited contents in place of files on disk, so a fix can
// be re-linted before anything is written.
type overlayFS struct {
	files map[string][]byte // by absolute local path
	disk  diskFS
}

func (o overlayFS) read(p string, limit int64) ([]byte, fileID, error) {
	if b, ok := o.files[absPath(p)]; ok {
		// the edited file is still the file on disk, if it exists there
		id := statID(p)
		if id.fi == nil {
			id = fileID{name: absPath(p)}
		}
		return b, id, nil
	}
	return o.disk.read(p, limit)
}

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
