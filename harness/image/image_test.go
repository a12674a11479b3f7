package image

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ngxlint/ngxlint/harness/edge"
)

func TestMain(m *testing.M) {
	// This package's tests package their own binary as the edge (probe).
	edge.RunIfEdge()
	ConfigureEnv()
	os.Exit(m.Run())
}

type tarEntry struct {
	hdr  *tar.Header
	data []byte
}

func readTar(t *testing.T, b []byte) ([]string, map[string]tarEntry) {
	t.Helper()
	tr := tar.NewReader(bytes.NewReader(b))
	var names []string
	m := map[string]tarEntry{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(tr)
		names = append(names, h.Name)
		m[h.Name] = tarEntry{h, data}
	}
	return names, m
}

func TestNginxContext(t *testing.T) {
	if _, err := os.Stat(DefaultNginxBinary); err != nil {
		t.Skipf("SKIP: no host nginx (%v): apt-get install nginx", err)
	}
	b1, sum1, err := NginxContext(NginxSource{})
	if err != nil {
		t.Fatal(err)
	}
	b2, sum2, err := NginxContext(NginxSource{})
	if err != nil {
		t.Fatal(err)
	}
	if sum1 != sum2 || !bytes.Equal(b1, b2) {
		t.Fatal("nginx build context is not deterministic")
	}
	names, m := readTar(t, b1)
	if names[0] != "Dockerfile" {
		t.Fatalf("first entry %q", names[0])
	}
	df := string(m["Dockerfile"].data)
	for _, want := range []string{"FROM scratch", "COPY rootfs/ /", `ENTRYPOINT ["/usr/sbin/nginx", "-g", "daemon off;"]`} {
		if !strings.Contains(df, want) {
			t.Errorf("Dockerfile lacks %q:\n%s", want, df)
		}
	}
	if strings.Contains(df, "EXPOSE") {
		t.Errorf("Dockerfile must not EXPOSE:\n%s", df)
	}
	for _, want := range []string{
		"rootfs/usr/sbin/nginx", "rootfs/etc/passwd", "rootfs/etc/group", "rootfs/etc/nsswitch.conf",
		"rootfs/var/lib/nginx/", "rootfs/var/log/nginx/", "rootfs/var/cache/nginx/", "rootfs/run/", "rootfs/tmp/", "rootfs/etc/nginx/",
	} {
		if _, ok := m[want]; !ok {
			t.Errorf("missing %s", want)
		}
	}
	for _, n := range names {
		h := m[n].hdr
		if !h.ModTime.Equal(m["Dockerfile"].hdr.ModTime) || h.ModTime.Unix() != 0 || h.Uid != 0 || h.Gid != 0 {
			t.Fatalf("%s: non-deterministic header %+v", n, h)
		}
	}
	if !sortedStrings(names[1:]) {
		t.Error("entries not sorted")
	}
	// The ELF interpreter must resolve at its PT_INTERP path in the image.
	info, err := readELF(DefaultNginxBinary)
	if err != nil {
		t.Fatal(err)
	}
	if !resolves(m, info.interp) {
		t.Errorf("PT_INTERP %s does not resolve in the image", info.interp)
	}
	for _, lib := range []string{"libc.so.6", "libssl.so.3", "libcrypto.so.3", "libpcre2-8.so.0", "libz.so.1"} {
		found := false
		for _, n := range names {
			if strings.HasSuffix(n, "/"+lib) && m[n].hdr.Typeflag == tar.TypeReg {
				found = true
			}
		}
		if !found {
			t.Errorf("library %s missing", lib)
		}
	}
	if _, err := os.Stat("/usr/lib/nginx/modules/ngx_stream_module.so"); err == nil {
		if _, ok := m["rootfs/usr/lib/nginx/modules/ngx_stream_module.so"]; !ok {
			t.Error("stream module missing")
		}
	}
	if fi := m["rootfs/tmp/"].hdr; fi.Mode&0o1777 != 0o1777 {
		t.Errorf("/tmp mode %o", fi.Mode)
	}
	t.Logf("nginx context: %d entries, %.1f MB, sha256 %s", len(names), float64(len(b1))/(1<<20), sum1[:16])
}

// resolves follows symlinks inside the tar to a regular file.
func resolves(m map[string]tarEntry, p string) bool {
	for i := 0; i < 20; i++ {
		// Resolve directory components.
		parts := strings.Split(strings.TrimPrefix(p, "/"), "/")
		cur := ""
		changed := false
		for j, part := range parts {
			cur += "/" + part
			e, ok := m["rootfs"+cur]
			if !ok {
				e, ok = m["rootfs"+cur+"/"]
			}
			if !ok {
				return false
			}
			if e.hdr.Typeflag == tar.TypeSymlink {
				target := e.hdr.Linkname
				if !filepath.IsAbs(target) {
					target = filepath.Join(filepath.Dir(cur), target)
				}
				p = filepath.Join(append([]string{target}, parts[j+1:]...)...)
				changed = true
				break
			}
			if j == len(parts)-1 {
				return e.hdr.Typeflag == tar.TypeReg
			}
		}
		if !changed {
			return false
		}
	}
	return false
}

func sortedStrings(a []string) bool {
	for i := 1; i < len(a); i++ {
		if a[i-1] > a[i] {
			return false
		}
	}
	return true
}

func TestNoNginxError(t *testing.T) {
	_, _, err := NginxContext(NginxSource{Binary: "/nonexistent/nginx"})
	if !errors.Is(err, ErrNoNginx) {
		t.Fatalf("err = %v", err)
	}
	want := "install Debian's nginx (apt-get install nginx) or pass --nginx-image nginx:1.27 (needs a registry)"
	if !strings.Contains(err.Error(), want) {
		t.Fatalf("error %q lacks %q", err, want)
	}
}

func TestEdgeContextAndProbe(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	if err := probeDispatch(context.Background(), exe); err != nil {
		t.Fatal(err)
	}
	b, sum, err := EdgeContext(exe)
	if err != nil {
		t.Fatal(err)
	}
	names, m := readTar(t, b)
	if _, ok := m["rootfs/ngxlint"]; !ok {
		t.Fatalf("no /ngxlint in %v", names)
	}
	if df := string(m["Dockerfile"].data); !strings.Contains(df, `ENTRYPOINT ["/ngxlint", "edge"]`) {
		t.Fatalf("Dockerfile:\n%s", df)
	}
	info, err := readELF(exe)
	if err != nil {
		t.Fatal(err)
	}
	if info.interp != "" && !resolves(m, info.interp) {
		t.Fatalf("dynamic test binary: interpreter %s not in image", info.interp)
	}
	t.Logf("edge context: static=%v, %d entries, %.1f MB, sha256 %s", info.interp == "", len(names), float64(len(b))/(1<<20), sum[:16])
}

func TestProbeRejectsNonDispatching(t *testing.T) {
	// /bin/true exits 0 without printing the probe reply.
	if _, err := os.Stat("/bin/true"); err != nil {
		t.Skip("no /bin/true")
	}
	err := probeDispatch(context.Background(), "/bin/true")
	if err == nil || !strings.Contains(err.Error(), "edge.RunIfEdge()") {
		t.Fatalf("err = %v", err)
	}
}
