package config

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"syscall"
	"unsafe"
)

// Options control how a tree is loaded.
type Options struct {
	// Prefix overrides nginx's conf prefix (the main file's directory).
	Prefix string
	// PathMap maps deployed path prefixes to local ones, so absolute
	// includes such as /etc/nginx/conf.d/*.conf resolve inside a repo.
	PathMap []Mapping
	// Context declares what a snippet is: "main" (default), "http",
	// "server", "location", "upstream", "stream", "stream-server".
	// A first-line comment `# ngxlint:context location` does the same.
	Context string
	// MaxFileSize rejects larger files; 0 means 16 MiB.
	MaxFileSize int64
	// MaxDepth bounds block nesting; 0 means 200.
	MaxDepth int
	// MaxFiles bounds the number of parses (include explosions); 0 means 20000.
	MaxFiles int
	// Stdin is read when the root is "-".
	Stdin io.Reader
	// Overlay replaces the content of files on disk (keyed by path), so
	// edits can be checked before they are written.
	Overlay map[string][]byte
	// Missing, when set, is asked for a file an include names that does
	// not exist (not a glob: an unmatched glob is no error in nginx). It
	// returns a stand-in and why (`verify` runs production trees whose
	// repository lacks mime.types or certbot's options file); ok false
	// keeps nginx's error. Stand-ins are listed in Tree.Stubs.
	Missing func(name string) (src []byte, why string, ok bool)
}

// Mapping is one `--map /etc/nginx=./nginx` entry.
type Mapping struct{ From, To string }

// ParseMapping parses "FROM=TO".
func ParseMapping(s string) (Mapping, error) {
	from, to, ok := strings.Cut(s, "=")
	if !ok || from == "" || to == "" {
		return Mapping{}, fmt.Errorf("path mapping %q: want FROM=TO, e.g. /etc/nginx=./nginx", s)
	}
	return Mapping{From: filepath.Clean(from), To: filepath.Clean(to)}, nil
}

// Contexts a snippet may declare.
var Contexts = []string{"main", "http", "server", "location", "upstream", "stream", "stream-server", "stream-upstream"}

func validContext(c string) bool {
	for _, x := range Contexts {
		if x == c {
			return true
		}
	}
	return false
}

type loader struct {
	ctx   context.Context
	opts  Options
	fs    fileSystem
	tree  *Tree
	diags []Diagnostic

	// topBlock is the block the root file's top level stands for: "" for
	// a whole nginx.conf, "http" for an http snippet, and so on.
	topBlock string

	dirSlab []Directive
	argSlab []Arg
	kidSlab []*Directive
	comSlab []Comment
	// current slab sizes (see grow)
	dirN, argN, kidN, comN int
	files                  int

	freeParsers []*parser
	reads       map[string]cachedRead // single-file includes read so far
	rootID      fileID                // identity of the root file, for cycle checks
	wd          string
	wdSet       bool
}

// newKids copies a block's children into a slab-allocated slice of exactly
// their number.
func (l *loader) newKids(kids []*Directive) []*Directive {
	n := len(kids)
	if n == 0 {
		return []*Directive{}
	}
	if len(l.kidSlab) < n {
		l.kidN = grow(l.kidN, 64, 8192)
		l.kidSlab = make([]*Directive, max(l.kidN, n))
	}
	k := l.kidSlab[:n:n]
	l.kidSlab = l.kidSlab[n:]
	copy(k, kids)
	return k
}

func (l *loader) newComment() *Comment {
	if len(l.comSlab) == 0 {
		l.comN = grow(l.comN, 16, 1024)
		l.comSlab = make([]Comment, l.comN)
	}
	c := &l.comSlab[0]
	l.comSlab = l.comSlab[1:]
	return c
}

// grow doubles a slab size from lo up to hi: a snippet or a test allocates
// little, a big tree gets big slabs and few allocations.
func grow(prev, lo, hi int) int {
	if prev == 0 {
		return lo
	}
	return min(2*prev, hi)
}

// newDirective hands out directives from a slab: one allocation per
// thousands of nodes instead of one per node keeps big trees cheap.
func (l *loader) newDirective() *Directive {
	if len(l.dirSlab) == 0 {
		l.dirN = grow(l.dirN, 32, 4096)
		l.dirSlab = make([]Directive, l.dirN)
	}
	d := &l.dirSlab[0]
	l.dirSlab = l.dirSlab[1:]
	return d
}

// moreArgs moves the words of the statement being read to a fresh
// argument slab when the current one is full, and returns them there.
func (l *loader) moreArgs(words []Arg) []Arg {
	l.argN = grow(l.argN, 64, 8192)
	l.argSlab = make([]Arg, max(l.argN, 2*len(words)))
	return l.argSlab[:copy(l.argSlab, words)]
}

func (l *loader) addDiag(f *File, off int32, sev Severity, msg string) {
	d := Diagnostic{Severity: sev, Message: msg}
	if f != nil {
		pos := f.Position(off)
		d.Path, d.Line, d.Col, d.Offset = pos.Path, pos.Line, pos.Col, pos.Offset
		d.Via = f.Chain()
	}
	l.diags = append(l.diags, d)
}

// Load reads the configuration rooted at root: a main config file, a
// directory holding nginx.conf, a snippet, "-" for standard input, or a
// `nginx -T` dump. Diagnostics come back sorted by file (files in load
// order) and position; the tree is usable even when they hold errors.
func Load(ctx context.Context, root string, opts Options) (*Tree, []Diagnostic) {
	if root == "-" {
		r := opts.Stdin
		if r == nil {
			r = os.Stdin
		}
		src, err := readLimited(r, opts.maxFileSize())
		if err != nil {
			return nil, []Diagnostic{{Path: "-", Severity: SevError, Message: err.Error()}}
		}
		return Parse(ctx, "-", src, opts)
	}
	if st, err := os.Stat(root); err == nil && st.IsDir() {
		root = filepath.Join(root, "nginx.conf")
	}
	l := newLoader(ctx, opts, diskFS{})
	src, id, err := l.fs.read(root, opts.maxFileSize())
	if err != nil {
		return nil, []Diagnostic{{Path: root, Severity: SevError, Message: err.Error()}}
	}
	if isDump(src) {
		return Parse(ctx, root, src, opts)
	}
	l.rootID = id
	return l.run(root, l.unmap(absPath(root)), src)
}

// Parse loads a configuration held in memory. A `nginx -T` dump is
// recognised by its `# configuration file PATH:` separators and becomes the
// tree it describes; otherwise includes resolve on disk.
func Parse(ctx context.Context, name string, src []byte, opts Options) (*Tree, []Diagnostic) {
	if isDump(src) {
		files, order := splitDump(src)
		if len(order) == 0 {
			return nil, []Diagnostic{{Path: name, Severity: SevError, Message: "nginx -T output holds no configuration file"}}
		}
		// edited files (a fix round over a dump) replace the dump's own
		for p, b := range opts.Overlay {
			if _, ok := files[p]; ok {
				files[p] = b
			}
		}
		l := newLoader(ctx, opts, &memFS{files: files})
		l.rootID = fileID{name: order[0]}
		t, d := l.run(order[0], order[0], files[order[0]])
		if t != nil {
			t.Dump = true
		}
		return t, d
	}
	l := newLoader(ctx, opts, diskFS{})
	nginxName := name
	if name != "-" {
		nginxName = l.unmap(absPath(name))
	}
	l.rootID = statID(name)
	return l.run(name, nginxName, src)
}

func newLoader(ctx context.Context, opts Options, fsys fileSystem) *loader {
	if opts.MaxDepth == 0 {
		opts.MaxDepth = 200
	}
	if opts.MaxFiles == 0 {
		opts.MaxFiles = 20000
	}
	return &loader{ctx: ctx, opts: opts, fs: withOverlay(opts, fsys)}
}

func (o Options) maxFileSize() int64 {
	if o.MaxFileSize > 0 {
		return o.MaxFileSize
	}
	return 16 << 20
}

func absPath(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}

func (l *loader) run(localPath, nginxName string, src []byte) (*Tree, []Diagnostic) {
	t := &Tree{Context: "main"}
	l.tree = t
	if l.opts.Prefix != "" {
		t.Prefix = l.unmap(absPath(l.opts.Prefix))
	} else if _, ok := l.fs.(*memFS); ok {
		t.Prefix = path.Dir(nginxName)
	} else {
		t.Prefix = filepath.Dir(nginxName)
	}
	// The context is known before parsing: it decides what the top level
	// of the snippet is (a leaf `server` is fine in an upstream snippet,
	// not in an http one).
	badComment := ""
	if c := contextComment(string(src)); c != "" {
		if validContext(c) {
			t.Context = c
		} else {
			badComment = c
		}
	}
	if l.opts.Context != "" {
		if !validContext(l.opts.Context) {
			l.diags = append(l.diags, Diagnostic{Severity: SevError, Message: fmt.Sprintf("unknown context %q (want one of %s)", l.opts.Context, strings.Join(Contexts, ", "))})
		} else {
			t.Context = l.opts.Context
		}
	}
	l.topBlock = contextBlock[t.Context]
	f := l.parse(localPath, nginxName, src, nil, l.rootID)
	t.Root = f
	if t.Context == "main" && l.opts.Context == "" && contextComment(f.Src) == "" {
		t.Context = InferContext(f.Top)
		t.ContextInferred = t.Context != "main"
	}
	if badComment != "" {
		l.addDiag(f, 0, SevError, fmt.Sprintf("unknown context %q in ngxlint:context comment (want one of %s)", badComment, strings.Join(Contexts, ", ")))
	}
	l.sortDiags()
	return t, l.diags
}

// contextBlock maps a snippet context to the block it stands for.
var contextBlock = map[string]string{
	"main": "", "http": "http", "server": "server", "location": "location",
	"upstream": "upstream", "stream": "stream", "stream-server": "server",
	"stream-upstream": "upstream",
}

// sortDiags orders diagnostics as nginx would meet them file by file: files
// in load order (root first, then includes as they were read), positions
// ascending within a file. Diagnostics without a file come first.
func (l *loader) sortDiags() {
	order := make(map[string]int, len(l.tree.Files))
	for i, f := range l.tree.Files {
		if _, ok := order[f.Path]; !ok {
			order[f.Path] = i + 1
		}
	}
	sort.SliceStable(l.diags, func(i, j int) bool {
		a, b := l.diags[i], l.diags[j]
		if oa, ob := order[a.Path], order[b.Path]; oa != ob {
			return oa < ob
		}
		return a.Offset < b.Offset
	})
}

// contextComment reads `# ngxlint:context X` from the first line.
func contextComment(src string) string {
	line, _, _ := strings.Cut(src, "\n")
	line = strings.TrimSpace(strings.TrimPrefix(line, "\uFEFF"))
	if !strings.HasPrefix(line, "#") {
		return ""
	}
	rest := strings.TrimSpace(line[1:])
	if !strings.HasPrefix(rest, "ngxlint:context") {
		return ""
	}
	f := strings.Fields(strings.TrimPrefix(rest, "ngxlint:context"))
	if len(f) == 0 {
		return ""
	}
	return f[0]
}

// parse parses one file instance.
func (l *loader) parse(localPath, nginxName string, src []byte, via *Directive, id fileID) *File {
	l.files++
	f := &File{Path: l.displayPath(localPath), Name: nginxName, Via: via, id: id}
	if len(src) > 0 {
		f.Src = unsafe.String(&src[0], len(src))
	}
	l.tree.Files = append(l.tree.Files, f)
	if i := bytes.IndexByte(src, 0); i >= 0 {
		l.addDiag(f, int32(i), SevError, "binary file: NUL byte; nginx configuration files are text")
		return f
	}
	p := l.newParser(f)
	if strings.HasPrefix(f.Src, "\uFEFF") {
		l.addDiag(f, 0, SevWarning, `UTF-8 byte order mark: nginx reads it as part of the first directive's name ("unknown directive"); remove it`)
		p.i = 3
	}
	p.parseFile()
	l.freeParsers = append(l.freeParsers, p)
	return f
}

// newParser takes a parser from the free list (an include parses while
// its includer's parser is mid-file, so there is one per nesting level),
// keeping its buffers.
func (l *loader) newParser(f *File) *parser {
	var p *parser
	if n := len(l.freeParsers); n > 0 {
		p = l.freeParsers[n-1]
		l.freeParsers = l.freeParsers[:n-1]
	} else {
		p = &parser{}
	}
	*p = parser{l: l, f: f, src: f.Src,
		kids: p.kids[:0], kidStart: p.kidStart[:0],
		stack: p.stack[:0], pending: p.pending[:0], lastAt: p.lastAt[:0]}
	return p
}

// displayPath is DisplayPath with the working directory looked up once
// per load rather than once per file.
func (l *loader) displayPath(p string) string {
	if !l.wdSet {
		l.wd, _ = os.Getwd()
		l.wdSet = true
	}
	return displayPathIn(p, l.wd)
}

// DisplayPath makes a path relative to the working directory when it is
// inside it, so reports stay short and stable across machines.
func DisplayPath(p string) string {
	wd, _ := os.Getwd()
	return displayPathIn(p, wd)
}

func displayPathIn(p, wd string) string {
	if p == "-" || wd == "" {
		return p
	}
	if !filepath.IsAbs(p) {
		p = filepath.Join(wd, p)
	}
	if rel, err := filepath.Rel(wd, p); err == nil && !strings.HasPrefix(rel, "..") {
		return rel
	}
	return p
}

// mapPath turns a deployed path into the local one using the path map.
func (l *loader) mapPath(p string) string {
	if _, ok := l.fs.(*memFS); ok {
		return p
	}
	best := -1
	for i, m := range l.opts.PathMap {
		if (p == m.From || strings.HasPrefix(p, m.From+"/")) && (best < 0 || len(m.From) > len(l.opts.PathMap[best].From)) {
			best = i
		}
	}
	if best < 0 {
		return p
	}
	m := l.opts.PathMap[best]
	return filepath.Join(absPath(m.To), strings.TrimPrefix(p, m.From))
}

// unmap turns a local path into the deployed one (the inverse of mapPath).
func (l *loader) unmap(p string) string {
	for _, m := range l.opts.PathMap {
		to := absPath(m.To)
		if p == to || strings.HasPrefix(p, to+"/") {
			return filepath.Join(m.From, strings.TrimPrefix(p, to))
		}
	}
	return p
}

func hasGlob(s string) bool { return strings.ContainsAny(s, "*?[") }

// include resolves an include directive as ngx_conf_include does.
func (l *loader) include(p *parser, d *Directive, termPos int) {
	arg := d.Args[0].Value
	name := arg
	mem, isMem := l.fs.(*memFS)
	if isMem {
		if !path.IsAbs(name) {
			name = path.Join(l.tree.Prefix, name)
		}
	} else if !filepath.IsAbs(name) {
		name = filepath.Join(l.tree.Prefix, name)
	}
	inc := &Include{Pattern: name}
	d.Include = inc
	// nginx runs the include handler when it reaches the ';', so that is
	// the line its errors carry (`include` and its path may be on others).
	at := int32(termPos)
	var matches []string
	if hasGlob(name) {
		var err error
		if isMem {
			matches, err = mem.glob(name)
		} else {
			var local []string
			local, err = globPOSIX(l.mapPath(name))
			for _, m := range local {
				matches = append(matches, l.unmap(m))
			}
		}
		if err != nil {
			l.addDiag(p.f, at, SevError, fmt.Sprintf("glob() %q failed (%v)", name, err))
			return
		}
	} else {
		matches = []string{name}
	}
	locals := make([]string, len(matches))
	for i, m := range matches {
		locals[i] = l.mapPath(m)
	}
	ahead := l.readAhead(locals)
	for i, m := range matches {
		if l.files >= l.opts.MaxFiles {
			l.addDiag(p.f, at, SevError, fmt.Sprintf("more than %d file parses; include explosion?", l.opts.MaxFiles))
			return
		}
		local := locals[i]
		var src []byte
		var id fileID
		var err error
		if ahead != nil {
			src, id, err = ahead.get(i)
		} else {
			src, id, err = l.read(local)
		}
		if err != nil && errors.Is(err, fs.ErrNotExist) && l.opts.Missing != nil {
			if stub, why, ok := l.opts.Missing(m); ok {
				src, err = stub, nil
				id = fileID{name: "stub:" + m}
				l.tree.Stubs = append(l.tree.Stubs, Stub{Name: m, Why: why})
			}
		}
		if err != nil {
			l.addDiag(p.f, at, SevError, includeErr(m, local, err))
			continue
		}
		if chain := l.cycle(p.f, d, local, id); chain != "" {
			l.addDiag(p.f, at, SevError, "include cycle: "+chain)
			continue
		}
		f := l.parse(local, m, src, d, id)
		inc.Files = append(inc.Files, f)
	}
}

// read reads a file an include names, once per load: a snippet included
// from every server is read once and its bytes shared by its parses (each
// inclusion is still a parse of its own).
func (l *loader) read(local string) ([]byte, fileID, error) {
	if r, ok := l.reads[local]; ok {
		return r.src, r.id, r.err
	}
	src, id, err := l.fs.read(local, l.opts.maxFileSize())
	if l.reads == nil {
		l.reads = map[string]cachedRead{}
	}
	l.reads[local] = cachedRead{src, id, err}
	return src, id, err
}

type cachedRead struct {
	src []byte
	id  fileID
	err error
}

// tooBig is the file-size limit error; the diagnostic names the file.
type tooBig struct{ size, limit int64 }

func (e tooBig) Error() string {
	return fmt.Sprintf("file is %d bytes, over the %d-byte limit", e.size, e.limit)
}

// readAhead starts reading the files a glob matched, a few at a time on
// other goroutines, while the parser works through them in order: on a tree
// of hundreds of small files, opening them costs about as much as parsing
// them. Only disk reads are worth it; nil means read inline.
func (l *loader) readAhead(paths []string) *aheadReads {
	if len(paths) < 2 {
		return nil
	}
	switch l.fs.(type) {
	case diskFS, overlayFS:
	default:
		return nil
	}
	a := &aheadReads{items: make([]aheadRead, len(paths))}
	for i := range a.items {
		a.items[i].done = make(chan struct{})
	}
	fsys, limit, ctx := l.fs, l.opts.maxFileSize(), l.ctx
	var next atomic.Int64
	for w := min(len(paths), readAheadWorkers); w > 0; w-- {
		go func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= len(paths) {
					return
				}
				it := &a.items[i]
				if ctx != nil && ctx.Err() != nil {
					it.err = ctx.Err()
				} else {
					it.src, it.id, it.err = fsys.read(paths[i], limit)
				}
				close(it.done)
			}
		}()
	}
	return a
}

const readAheadWorkers = 4

type aheadReads struct{ items []aheadRead }

type aheadRead struct {
	done chan struct{}
	src  []byte
	id   fileID
	err  error
}

func (a *aheadReads) get(i int) ([]byte, fileID, error) {
	it := &a.items[i]
	<-it.done
	return it.src, it.id, it.err
}

func includeErr(name, local string, err error) string {
	var pe *fs.PathError
	var big tooBig
	switch {
	case errors.As(err, &big):
		return fmt.Sprintf(`"%s": %v`, name, err)
	case errors.Is(err, fs.ErrNotExist):
		msg := fmt.Sprintf(`open() "%s" failed (2: No such file or directory)`, name)
		if local != name {
			msg += fmt.Sprintf(" (looked for %s)", local)
		}
		return msg
	case errors.Is(err, syscall.ELOOP):
		return fmt.Sprintf(`open() "%s" failed (40: Too many levels of symbolic links)`, name)
	case errors.Is(err, syscall.EISDIR):
		return fmt.Sprintf(`pread() "%s" failed (21: Is a directory)`, name)
	case errors.As(err, &pe):
		return fmt.Sprintf(`open() "%s" failed (%v)`, name, pe.Err)
	}
	return err.Error()
}

// cycle reports an include that comes back to a file already being parsed
// (nginx itself has no cycle check and dies of "too many open files"). The
// message shows the whole chain from the root file, each step as the
// file:line of its include directive, ending with the file included again.
func (l *loader) cycle(f *File, d *Directive, local string, id fileID) string {
	found := false
	for x := f; x != nil && !found; x = x.Via.File {
		found = x.id.same(id)
		if x.Via == nil {
			break
		}
	}
	if !found {
		return ""
	}
	var chain []string
	for x := f; ; x = x.Via.File {
		chain = append(chain, fmt.Sprintf("%s:%d", x.Path, x.Position(d.End-1).Line))
		if x.Via == nil {
			break
		}
		d = x.Via
	}
	// chain holds innermost first; show it in include order.
	for i, j := 0, len(chain)-1; i < j; i, j = i+1, j-1 {
		chain[i], chain[j] = chain[j], chain[i]
	}
	return strings.Join(chain, " -> ") + " -> " + l.displayPath(local)
}

// fileSystem abstracts where included files come from: the disk, or the
// files of a `nginx -T` dump.
type fileSystem interface {
	// read returns a file's bytes and its identity, for cycle checks.
	read(path string, limit int64) ([]byte, fileID, error)
}

// fileID identifies a file for include-cycle checks: the fstat of the open
// file on disk (so symlinks and hard links to one file are one file, at no
// extra system call), the name in a dump. The zero fileID matches nothing.
type fileID struct {
	fi   os.FileInfo
	name string
}

func (a fileID) same(b fileID) bool {
	if a.fi != nil && b.fi != nil {
		return os.SameFile(a.fi, b.fi)
	}
	return a.fi == nil && b.fi == nil && a.name != "" && a.name == b.name
}

// statID identifies a file by path, for roots given as bytes.
func statID(p string) fileID {
	if p == "-" {
		return fileID{}
	}
	fi, err := os.Stat(p)
	if err != nil {
		return fileID{}
	}
	return fileID{fi: fi}
}

type diskFS struct{}

func (diskFS) read(p string, limit int64) ([]byte, fileID, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, fileID{}, err
	}
	defer func() { _ = f.Close() }() // read-only
	st, err := f.Stat()
	if err != nil {
		return nil, fileID{}, err
	}
	id := fileID{fi: st}
	if st.IsDir() {
		return nil, id, &fs.PathError{Op: "pread", Path: p, Err: syscall.EISDIR}
	}
	if st.Size() > limit {
		return nil, id, tooBig{st.Size(), limit}
	}
	if !st.Mode().IsRegular() || st.Size() == 0 {
		b, err := readLimited(f, limit) // pipes, /proc: the size says nothing
		return b, id, err
	}
	// Read exactly the size fstat gave: one allocation, no regrowth.
	b := make([]byte, st.Size())
	n, err := io.ReadFull(f, b)
	if err == io.ErrUnexpectedEOF {
		return b[:n], id, nil // shrank meanwhile
	}
	if err != nil {
		return nil, id, err
	}
	var probe [1]byte
	if m, _ := f.Read(probe[:]); m > 0 { // grew meanwhile
		rest, err := readLimited(f, limit-int64(n)-1)
		if err != nil {
			return nil, id, err
		}
		b = append(append(b, probe[0]), rest...)
	}
	return b, id, nil
}

func readLimited(r io.Reader, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("input is over the %d-byte limit", limit)
	}
	return b, nil
}

// globPOSIX matches like glob(3) with no flags, as ngx_open_glob does:
// results in byte order, and a leading dot must be matched explicitly.
func globPOSIX(pattern string) ([]string, error) {
	dir, file := filepath.Split(pattern)
	dir = strings.TrimSuffix(dir, "/")
	if dir == "" {
		dir = "."
		if strings.HasPrefix(pattern, "/") {
			dir = "/"
		}
	}
	var dirs []string
	if hasGlob(dir) {
		var err error
		dirs, err = globPOSIX(dir)
		if err != nil {
			return nil, err
		}
	} else {
		dirs = []string{dir}
	}
	var out []string
	for _, d := range dirs {
		if !hasGlob(file) {
			p := filepath.Join(d, file)
			if _, err := os.Lstat(p); err == nil {
				out = append(out, p)
			}
			continue
		}
		ents, err := os.ReadDir(d)
		if err != nil {
			continue // glob(3) without GLOB_ERR ignores unreadable dirs
		}
		for _, e := range ents {
			n := e.Name()
			if strings.HasPrefix(n, ".") && !strings.HasPrefix(file, ".") {
				continue
			}
			ok, err := filepath.Match(file, n)
			if err != nil {
				return nil, err
			}
			if ok {
				out = append(out, filepath.Join(d, n))
			}
		}
	}
	sort.Strings(out)
	return out, nil
}

// memFS serves the files of a `nginx -T` dump.
type memFS struct{ files map[string][]byte }

func (m *memFS) read(p string, limit int64) ([]byte, fileID, error) {
	b, ok := m.files[p]
	if !ok {
		return nil, fileID{}, &fs.PathError{Op: "open", Path: p, Err: fs.ErrNotExist}
	}
	if int64(len(b)) > limit {
		return nil, fileID{}, tooBig{int64(len(b)), limit}
	}
	return b, fileID{name: p}, nil
}

func (m *memFS) glob(pattern string) ([]string, error) {
	var out []string
	pc := strings.Split(pattern, "/")
	for name := range m.files {
		nc := strings.Split(name, "/")
		if len(nc) != len(pc) {
			continue
		}
		ok := true
		for i := range pc {
			if strings.HasPrefix(nc[i], ".") && !strings.HasPrefix(pc[i], ".") && hasGlob(pc[i]) {
				ok = false
				break
			}
			m, err := path.Match(pc[i], nc[i])
			if err != nil {
				return nil, err
			}
			if !m {
				ok = false
				break
			}
		}
		if ok {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out, nil
}

const dumpHeader = "# configuration file "

// isDump recognises `nginx -T` output: its first configuration line is a
// `# configuration file PATH:` separator (after nginx's own status lines).
func isDump(src []byte) bool {
	rest := src
	for len(rest) > 0 {
		line := rest
		if i := bytes.IndexByte(rest, '\n'); i >= 0 {
			line, rest = rest[:i], rest[i+1:]
		} else {
			rest = nil
		}
		line = bytes.TrimRight(line, "\r")
		if bytes.HasPrefix(line, []byte("nginx: ")) || len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		return bytes.HasPrefix(line, []byte(dumpHeader)) && bytes.HasSuffix(line, []byte(":"))
	}
	return false
}

// splitDump cuts a dump into its files. nginx writes each file's bytes
// followed by one extra newline, which is removed again.
func splitDump(src []byte) (map[string][]byte, []string) {
	files := map[string][]byte{}
	var order []string
	var cur string
	var start int
	flush := func(end int) {
		if cur == "" {
			return
		}
		b := src[start:end]
		b = bytes.TrimSuffix(b, []byte("\n"))
		if _, dup := files[cur]; !dup {
			order = append(order, cur)
		}
		files[cur] = b
	}
	for off := 0; off < len(src); {
		end := bytes.IndexByte(src[off:], '\n')
		var line []byte
		next := len(src)
		if end >= 0 {
			line = src[off : off+end]
			next = off + end + 1
		} else {
			line = src[off:]
		}
		l := bytes.TrimRight(line, "\r")
		if bytes.HasPrefix(l, []byte(dumpHeader)) && bytes.HasSuffix(l, []byte(":")) {
			flush(off)
			cur = string(l[len(dumpHeader) : len(l)-1])
			start = next
		}
		off = next
	}
	flush(len(src))
	return files, order
}

// InferContext guesses where an undeclared snippet lives from its
// top-level statements: conf.d files hold server blocks (http), snippets
// included by servers hold locations, and location snippets hold proxy
// directives. A file with main-only statements is a whole configuration.
func InferContext(top []*Directive) string {
	has := map[string]bool{}
	for d := range Children(top) {
		has[d.Name] = true
	}
	for _, n := range []string{"events", "http", "stream", "mail", "worker_processes", "user", "pid", "load_module", "daemon", "master_process", "worker_rlimit_nofile", "env"} {
		if has[n] {
			return "main"
		}
	}
	switch {
	case has["server"] || has["upstream"] || has["map"] || has["geo"] || has["split_clients"] || has["log_format"]:
		return "http"
	case has["location"] || has["listen"] || has["server_name"]:
		return "server"
	}
	for n := range has {
		if n == "proxy_pass" || n == "grpc_pass" || n == "uwsgi_pass" || n == "fastcgi_pass" || n == "return" || n == "try_files" {
			return "location"
		}
	}
	return "main"
}
