package image

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"debug/elf"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// rootfs is an in-memory image filesystem, written as a deterministic tar
// build context: "Dockerfile" plus everything under "rootfs/".
type rootfs struct {
	entries map[string]*entry // image path ("/usr/sbin/nginx") → entry
	// libDirs are non-default directories libraries were found in; they go
	// into LD_LIBRARY_PATH.
	libDirs []string
}

type entry struct {
	typ    byte // tar.TypeReg, tar.TypeDir, tar.TypeSymlink
	mode   int64
	data   []byte
	link   string
	source string // host path, for messages
}

func newRootfs() *rootfs { return &rootfs{entries: map[string]*entry{}} }

func clean(p string) string { return path.Clean("/" + filepath.ToSlash(p)) }

func (r *rootfs) addDir(p string, mode int64) {
	p = clean(p)
	if p == "/" {
		return
	}
	if e, ok := r.entries[p]; ok && e.typ != tar.TypeDir {
		return // a symlink or file already claims it
	}
	r.entries[p] = &entry{typ: tar.TypeDir, mode: mode}
}

func (r *rootfs) addFile(p string, data []byte, mode int64, source string) {
	r.entries[clean(p)] = &entry{typ: tar.TypeReg, mode: mode, data: data, source: source}
}

func (r *rootfs) addSymlink(p, target string) {
	r.entries[clean(p)] = &entry{typ: tar.TypeSymlink, mode: 0o777, link: target}
}

// addHostFile copies the content of hostPath (symlinks followed) to the
// same path in the image. Symlinked directories on the way (merged /usr:
// /lib64 → usr/lib64) are reproduced as symlinks and the file is stored
// under the resolved directory, so that the original path resolves in the
// image exactly as on the host.
func (r *rootfs) addHostFile(hostPath string, mode int64) error {
	data, err := os.ReadFile(hostPath)
	if err != nil {
		return err
	}
	dir, err := r.mirrorDir(filepath.Dir(hostPath), 0)
	if err != nil {
		return err
	}
	r.addFile(path.Join(dir, filepath.Base(hostPath)), data, mode, hostPath)
	return nil
}

// mirrorDir reproduces the symlinked components of host directory dir in
// the image and returns the resolved directory.
func (r *rootfs) mirrorDir(dir string, depth int) (string, error) {
	if depth > 16 {
		return "", fmt.Errorf("too many symlink levels resolving %s", dir)
	}
	dir = filepath.Clean(dir)
	parts := strings.Split(strings.TrimPrefix(dir, "/"), "/")
	cur := "/"
	for i, part := range parts {
		if part == "" {
			continue
		}
		next := filepath.Join(cur, part)
		fi, err := os.Lstat(next)
		if err != nil {
			return "", err
		}
		if fi.Mode()&fs.ModeSymlink != 0 {
			target, err := os.Readlink(next)
			if err != nil {
				return "", err
			}
			r.addSymlink(next, target)
			resolved := target
			if !filepath.IsAbs(target) {
				resolved = filepath.Join(cur, target)
			}
			rest := filepath.Join(append([]string{resolved}, parts[i+1:]...)...)
			return r.mirrorDir(rest, depth+1)
		}
		cur = next
	}
	return cur, nil
}

// tar writes the build context deterministically: sorted entries, every
// parent directory listed, zero mtimes and owners. It returns the archive
// and the hex SHA-256 of it.
func (r *rootfs) tar(dockerfile string) ([]byte, string, error) {
	// Make every parent directory explicit.
	for p := range r.entries {
		for d := path.Dir(p); d != "/"; d = path.Dir(d) {
			if _, ok := r.entries[d]; !ok {
				r.entries[d] = &entry{typ: tar.TypeDir, mode: 0o755}
			}
		}
	}
	paths := make([]string, 0, len(r.entries))
	for p := range r.entries {
		paths = append(paths, p)
	}
	sort.Strings(paths)

	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	epoch := time.Unix(0, 0)
	hdr := func(h *tar.Header) *tar.Header {
		h.ModTime, h.Uid, h.Gid, h.Format = epoch, 0, 0, tar.FormatGNU
		return h
	}
	if err := tw.WriteHeader(hdr(&tar.Header{Name: "Dockerfile", Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(dockerfile))})); err != nil {
		return nil, "", err
	}
	if _, err := tw.Write([]byte(dockerfile)); err != nil {
		return nil, "", err
	}
	if err := tw.WriteHeader(hdr(&tar.Header{Name: "rootfs/", Typeflag: tar.TypeDir, Mode: 0o755})); err != nil {
		return nil, "", err
	}
	for _, p := range paths {
		e := r.entries[p]
		name := "rootfs" + p
		h := &tar.Header{Name: name, Typeflag: e.typ, Mode: e.mode}
		switch e.typ {
		case tar.TypeDir:
			h.Name += "/"
		case tar.TypeSymlink:
			h.Linkname = e.link
		case tar.TypeReg:
			h.Size = int64(len(e.data))
		}
		if err := tw.WriteHeader(hdr(h)); err != nil {
			return nil, "", fmt.Errorf("tar %s: %w", p, err)
		}
		if e.typ == tar.TypeReg {
			if _, err := tw.Write(e.data); err != nil {
				return nil, "", err
			}
		}
	}
	if err := tw.Close(); err != nil {
		return nil, "", err
	}
	sum := sha256.Sum256(buf.Bytes())
	return buf.Bytes(), hex.EncodeToString(sum[:]), nil
}

// ErrNotELF is returned for an executable that is not an ELF file.
var ErrNotELF = errors.New("not an ELF executable")

// elfInfo describes an executable's dynamic linking.
type elfInfo struct {
	interp  string   // PT_INTERP, "" when static
	needed  []string // DT_NEEDED of the file itself
	machine elf.Machine
	class   elf.Class
	runpath []string
}

func readELF(p string) (*elfInfo, error) {
	f, err := elf.Open(p)
	if err != nil {
		var fe *elf.FormatError
		if errors.As(err, &fe) {
			return nil, fmt.Errorf("%s: %w", p, ErrNotELF)
		}
		return nil, err
	}
	defer f.Close()
	info := &elfInfo{machine: f.Machine, class: f.Class}
	for _, prog := range f.Progs {
		if prog.Type == elf.PT_INTERP {
			b := make([]byte, prog.Filesz)
			if _, err := prog.ReadAt(b, 0); err != nil {
				return nil, fmt.Errorf("%s: read PT_INTERP: %w", p, err)
			}
			info.interp = strings.TrimRight(string(b), "\x00")
		}
	}
	info.needed, _ = f.ImportedLibraries() // error only when there is no dynamic section
	for _, tag := range []elf.DynTag{elf.DT_RUNPATH, elf.DT_RPATH} {
		vals, _ := f.DynString(tag)
		for _, v := range vals {
			for _, d := range strings.Split(v, ":") {
				d = strings.ReplaceAll(d, "$ORIGIN", filepath.Dir(p))
				d = strings.ReplaceAll(d, "${ORIGIN}", filepath.Dir(p))
				if d != "" {
					info.runpath = append(info.runpath, d)
				}
			}
		}
	}
	return info, nil
}

// triplet returns the Debian multiarch triplet for an ELF machine.
func triplet(m elf.Machine, c elf.Class) string {
	switch m {
	case elf.EM_X86_64:
		return "x86_64-linux-gnu"
	case elf.EM_AARCH64:
		return "aarch64-linux-gnu"
	case elf.EM_386:
		return "i386-linux-gnu"
	case elf.EM_ARM:
		return "arm-linux-gnueabihf"
	case elf.EM_RISCV:
		return "riscv64-linux-gnu"
	case elf.EM_PPC64:
		return "powerpc64le-linux-gnu"
	case elf.EM_S390:
		return "s390x-linux-gnu"
	case elf.EM_LOONGARCH:
		return "loongarch64-linux-gnu"
	}
	return ""
}

// defaultLibDirs are searched by ld.so without an ld.so.cache.
func defaultLibDirs(m elf.Machine, c elf.Class) []string {
	var dirs []string
	if t := triplet(m, c); t != "" {
		dirs = append(dirs, "/lib/"+t, "/usr/lib/"+t)
	}
	if c == elf.ELFCLASS64 {
		dirs = append(dirs, "/lib64", "/usr/lib64")
	}
	return append(dirs, "/lib", "/usr/lib")
}

// ldSoConfDirs reads /etc/ld.so.conf and its includes (one level of globs).
func ldSoConfDirs() []string {
	var dirs []string
	var read func(string, int)
	read = func(file string, depth int) {
		b, err := os.ReadFile(file)
		if err != nil || depth > 4 {
			return
		}
		for _, line := range strings.Split(string(b), "\n") {
			line = strings.TrimSpace(line)
			if i := strings.IndexByte(line, '#'); i >= 0 {
				line = strings.TrimSpace(line[:i])
			}
			if line == "" {
				continue
			}
			if inc, ok := strings.CutPrefix(line, "include "); ok {
				matches, _ := filepath.Glob(strings.TrimSpace(inc))
				sort.Strings(matches)
				for _, m := range matches {
					read(m, depth+1)
				}
				continue
			}
			dirs = append(dirs, line)
		}
	}
	read("/etc/ld.so.conf", 0)
	return dirs
}

// addELFClosure adds the interpreter and the transitive DT_NEEDED closure of
// the given ELF files (already in the image or not) to r. It reports
// whether any file was dynamic.
func (r *rootfs) addELFClosure(files ...string) (dynamic bool, err error) {
	seen := map[string]bool{} // soname
	type item struct {
		path string
		info *elfInfo
	}
	var queue []item
	for _, f := range files {
		info, err := readELF(f)
		if err != nil {
			return false, err
		}
		queue = append(queue, item{f, info})
	}
	defaults := map[string]bool{}
	extra := ldSoConfDirs()
	for len(queue) > 0 {
		it := queue[0]
		queue = queue[1:]
		if it.info.interp != "" {
			dynamic = true
			if !seen["interp:"+it.info.interp] {
				seen["interp:"+it.info.interp] = true
				seen["interp-base:"+filepath.Base(it.info.interp)] = true
				if err := r.addHostFile(it.info.interp, 0o755); err != nil {
					return dynamic, fmt.Errorf("ELF interpreter of %s: %w", it.path, err)
				}
			}
		}
		dirs := append([]string{}, it.info.runpath...)
		for _, d := range defaultLibDirs(it.info.machine, it.info.class) {
			defaults[d] = true
			dirs = append(dirs, d)
		}
		dirs = append(dirs, extra...)
		for _, lib := range it.info.needed {
			dynamic = true
			if seen[lib] || seen["interp-base:"+lib] {
				continue // ld.so is also a DT_NEEDED of libc
			}
			seen[lib] = true
			found := ""
			var foundInfo *elfInfo
			for _, d := range dirs {
				cand := filepath.Join(d, lib)
				if strings.Contains(lib, "/") {
					cand = lib
				}
				info, err := readELF(cand)
				if err != nil {
					continue
				}
				if info.machine != it.info.machine || info.class != it.info.class {
					continue // e.g. a 32-bit lib in /usr/lib
				}
				found, foundInfo = cand, info
				if !defaults[d] && !strings.Contains(lib, "/") && !contains(r.libDirs, d) {
					r.libDirs = append(r.libDirs, d)
				}
				break
			}
			if found == "" {
				return dynamic, fmt.Errorf("shared library %s (needed by %s) not found in %s", lib, it.path, strings.Join(dirs, ", "))
			}
			if err := r.addHostFile(found, 0o755); err != nil {
				return dynamic, err
			}
			queue = append(queue, item{found, foundInfo})
		}
	}
	return dynamic, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
