package image

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/testcontainers/testcontainers-go"

	"github.com/ngxlint/ngxlint/harness/edge"
)

// EdgeImagePath is where the executable sits in the edge image.
const EdgeImagePath = "/ngxlint"

var edgeCache = struct {
	sync.Mutex
	m map[string]string // executable path -> ref
}{m: map[string]string{}}

// EnsureEdge returns the edge image for the running executable
// (os.Executable()), building it if needed. The executable must call
// edge.RunIfEdge() first thing in main() — or, for a test binary, in
// TestMain — which EnsureEdge verifies before packaging it.
func EnsureEdge(ctx context.Context, p *testcontainers.DockerProvider, progress io.Writer) (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("edge image: locate own executable: %w", err)
	}
	if r, err := filepath.EvalSymlinks(exe); err == nil {
		exe = r
	}
	return EnsureEdgeFrom(ctx, p, exe, progress)
}

// EnsureEdgeFrom is EnsureEdge for a given executable.
func EnsureEdgeFrom(ctx context.Context, p *testcontainers.DockerProvider, exe string, progress io.Writer) (string, error) {
	edgeCache.Lock()
	ref, ok := edgeCache.m[exe]
	edgeCache.Unlock()
	if ok {
		if _, err := p.Client().ImageInspect(ctx, ref); err == nil {
			return ref, nil
		}
	}
	key := "edge|" + exe
	if ref, ok := imageCache.lookup(key); ok {
		if _, err := p.Client().ImageInspect(ctx, ref); err == nil {
			edgeCache.Lock()
			edgeCache.m[exe] = ref
			edgeCache.Unlock()
			return ref, nil
		}
	}
	if err := probeDispatch(ctx, exe); err != nil {
		return "", err
	}
	ctxTar, sum, sources, err := edgeContext(exe)
	if err != nil {
		return "", err
	}
	ref, err = ensureBuilt(ctx, p, EdgeRepo, ctxTar, sum, exe, progress)
	if err != nil {
		return "", err
	}
	imageCache.store(key, ref, sources)
	edgeCache.Lock()
	edgeCache.m[exe] = ref
	edgeCache.Unlock()
	return ref, nil
}

// EdgeContext returns the deterministic build context for an edge image
// around exe, and its SHA-256. A statically linked exe is copied alone; a
// dynamic one (cgo) gets its ELF interpreter and shared libraries too.
func EdgeContext(exe string) (ctxTar []byte, sum string, err error) {
	ctxTar, sum, _, err = edgeContext(exe)
	return ctxTar, sum, err
}

// edgeContext is EdgeContext plus the host files the image copies.
func edgeContext(exe string) (ctxTar []byte, sum string, sources []string, err error) {
	data, err := os.ReadFile(exe)
	if err != nil {
		return nil, "", nil, fmt.Errorf("edge image: %w", err)
	}
	r := newRootfs()
	r.addFile(EdgeImagePath, data, 0o755, exe)
	if _, err := r.addELFClosure(exe); err != nil {
		return nil, "", nil, fmt.Errorf("edge image: %w", err)
	}
	r.addDir("/tmp", 0o1777)
	r.addFile("/etc/passwd", []byte("root:x:0:0:root:/root:/usr/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"), 0o644, "")
	r.addFile("/etc/group", []byte("root:x:0:\nnogroup:x:65534:\n"), 0o644, "")
	r.addFile("/etc/nsswitch.conf", []byte("passwd: files\ngroup: files\nhosts: files dns\n"), 0o644, "")
	var env []string
	if len(r.libDirs) > 0 {
		env = append(env, "LD_LIBRARY_PATH="+strings.Join(r.libDirs, ":"))
	}
	df := dockerfile(env, []string{EdgeImagePath, edge.Subcommand})
	ctxTar, sum, err = r.tar(df)
	return ctxTar, sum, r.sources(), err
}

var probeOK sync.Map // exe -> struct{}

// probeDispatch runs exe with NGXLINT_EDGE_PROBE=1 and checks that it
// answers edge.ProbeReply, i.e. that it calls edge.RunIfEdge before
// anything else. "-test.run=^$" keeps a test binary that lacks the hook
// from running its tests (and recursing into EnsureEdge).
func probeDispatch(ctx context.Context, exe string) error {
	if _, ok := probeOK.Load(exe); ok {
		return nil
	}
	pctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(pctx, exe, "-test.run=^$", "-test.count=1")
	cmd.Env = append(os.Environ(), edge.EnvProbe+"=1")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if err != nil || !strings.Contains(out.String(), edge.ProbeReply) {
		return fmt.Errorf("edge image: %s does not dispatch to the edge (probe: %v, output %q): "+
			"call edge.RunIfEdge() first thing in main(), or in TestMain for a test binary "+
			"(func TestMain(m *testing.M) { edge.RunIfEdge(); os.Exit(m.Run()) }, or harnesstest.Main)",
			exe, err, strings.TrimSpace(out.String()))
	}
	probeOK.Store(exe, struct{}{})
	return nil
}
