package image

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/client"
	"github.com/testcontainers/testcontainers-go"
)

// Defaults for the host nginx.
const (
	DefaultNginxBinary  = "/usr/sbin/nginx"
	DefaultModulesDir   = "/usr/lib/nginx/modules"
	DefaultNginxConfDir = "/etc/nginx"
	// EnvNginxBinary overrides DefaultNginxBinary for EnsureNginx.
	EnvNginxBinary = "NGXLINT_NGINX_BINARY"
	// NginxImagePath is where the nginx binary sits in a built image (and
	// in the official images).
	NginxImagePath = "/usr/sbin/nginx"
	// pullTimeout bounds a pull of a user-requested image.
	pullTimeout = 5 * time.Minute
)

// ErrImageUnavailable is returned when --nginx-image names an image that
// is neither local nor pullable (no registry reachable).
var ErrImageUnavailable = errors.New("nginx image unavailable")

// ErrNoNginx is wrapped when there is no host nginx to build an image from
// and no image was given.
var ErrNoNginx = errors.New("no nginx binary on this host and no nginx image given: " +
	"install Debian's nginx (apt-get install nginx) or pass --nginx-image nginx:1.27 (needs a registry)")

// NginxSource describes the host nginx installation to package.
type NginxSource struct {
	// Binary is the nginx executable (default $NGXLINT_NGINX_BINARY, then
	// /usr/sbin/nginx). It is installed as /usr/sbin/nginx in the image.
	Binary string
	// ModulesDir holds dynamic modules (*.so), all copied with their
	// libraries (default /usr/lib/nginx/modules; Debian's
	// libnginx-mod-stream puts ngx_stream_module.so there). Missing is fine.
	ModulesDir string
	// ConfDir supplies mime.types, *_params, snippets/*.conf (default
	// /etc/nginx). nginx.conf and sites-* are never copied.
	ConfDir string
}

func (s NginxSource) withDefaults() NginxSource {
	if s.Binary == "" {
		s.Binary = os.Getenv(EnvNginxBinary)
	}
	if s.Binary == "" {
		s.Binary = DefaultNginxBinary
	}
	if s.ModulesDir == "" {
		s.ModulesDir = DefaultModulesDir
	}
	if s.ConfDir == "" {
		s.ConfDir = DefaultNginxConfDir
	}
	return s
}

// EnsureNginx returns an nginx image reference to run.
//
// With userImage set (e.g. "nginx:1.27"), that image is used: if it is not
// present locally it is pulled — only because the user asked for it — with
// a 5-minute bound, and a failed pull is reported as such. With userImage
// empty, an image built FROM scratch from the host's nginx is reused
// (ngxlint.local/nginx:<hash>) or built; nothing is ever pulled.
func EnsureNginx(ctx context.Context, p *testcontainers.DockerProvider, userImage string, progress io.Writer) (string, error) {
	if userImage != "" {
		return ensureUserImage(ctx, p, userImage, progress)
	}
	return EnsureNginxFrom(ctx, p, NginxSource{}, progress)
}

var nginxCache = struct {
	sync.Mutex
	m map[NginxSource]string
}{m: map[NginxSource]string{}}

// EnsureNginxFrom builds (or reuses) the FROM-scratch image for src.
func EnsureNginxFrom(ctx context.Context, p *testcontainers.DockerProvider, src NginxSource, progress io.Writer) (string, error) {
	src = src.withDefaults()
	nginxCache.Lock()
	ref, ok := nginxCache.m[src]
	nginxCache.Unlock()
	if ok {
		if _, err := p.Client().ImageInspect(ctx, ref); err == nil {
			return ref, nil
		}
	}
	key := fmt.Sprintf("nginx|%+v", src)
	if ref, ok := imageCache.lookup(key); ok {
		if _, err := p.Client().ImageInspect(ctx, ref); err == nil {
			nginxCache.Lock()
			nginxCache.m[src] = ref
			nginxCache.Unlock()
			return ref, nil
		}
	}
	ctxTar, sum, sources, err := nginxContext(src)
	if err != nil {
		return "", err
	}
	ref, err = ensureBuilt(ctx, p, NginxRepo, ctxTar, sum, src.Binary, progress)
	if err != nil {
		return "", err
	}
	imageCache.store(key, ref, sources)
	nginxCache.Lock()
	nginxCache.m[src] = ref
	nginxCache.Unlock()
	return ref, nil
}

// NginxContext returns the deterministic build context (an uncompressed
// tar) for src and its SHA-256.
func NginxContext(src NginxSource) (ctxTar []byte, sum string, err error) {
	ctxTar, sum, _, err = nginxContext(src)
	return ctxTar, sum, err
}

// nginxContext is NginxContext plus the host files the image copies.
func nginxContext(src NginxSource) (ctxTar []byte, sum string, sources []string, err error) {
	src = src.withDefaults()
	if _, err := os.Stat(src.Binary); err != nil {
		return nil, "", nil, fmt.Errorf("%w (%v)", ErrNoNginx, err)
	}
	r := newRootfs()
	bin, err := os.ReadFile(src.Binary)
	if err != nil {
		return nil, "", nil, err
	}
	r.addFile(NginxImagePath, bin, 0o755, src.Binary)
	elfFiles := []string{src.Binary}

	// Dynamic modules (ngx_stream_module.so, …) and their libraries.
	if mods, _ := filepath.Glob(filepath.Join(src.ModulesDir, "*.so")); len(mods) > 0 {
		sort.Strings(mods)
		for _, m := range mods {
			data, err := os.ReadFile(m)
			if err != nil {
				return nil, "", nil, err
			}
			r.addFile(path.Join(DefaultModulesDir, filepath.Base(m)), data, 0o644, m)
			elfFiles = append(elfFiles, m)
		}
	}
	if _, err := r.addELFClosure(elfFiles...); err != nil {
		return nil, "", nil, fmt.Errorf("nginx image: %w", err)
	}
	// Debian's prefix-relative "load_module modules/…" goes through
	// /usr/share/nginx/modules → ../../lib/nginx/modules.
	if fi, err := os.Lstat("/usr/share/nginx/modules"); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		if t, err := os.Readlink("/usr/share/nginx/modules"); err == nil {
			r.addSymlink("/usr/share/nginx/modules", t)
		}
	}

	_, dirs := nginxBuildInfo(src.Binary)
	for _, d := range []string{"/etc/nginx", "/etc/nginx/conf.d", "/var/log/nginx", "/var/lib/nginx",
		"/var/cache/nginx", "/run", "/var/run", "/usr/share/nginx", "/usr/share/nginx/html"} {
		r.addDir(d, 0o755)
	}
	r.addDir("/tmp", 0o1777)
	for _, d := range dirs {
		r.addDir(d, 0o755)
	}

	// Stock include files users' configs reference; never nginx.conf.
	for _, name := range []string{"mime.types", "fastcgi.conf", "fastcgi_params", "proxy_params", "scgi_params",
		"uwsgi_params", "koi-utf", "koi-win", "win-utf"} {
		if data, err := os.ReadFile(filepath.Join(src.ConfDir, name)); err == nil {
			r.addFile(path.Join("/etc/nginx", name), data, 0o644, filepath.Join(src.ConfDir, name))
		}
	}
	if snippets, _ := filepath.Glob(filepath.Join(src.ConfDir, "snippets", "*.conf")); len(snippets) > 0 {
		sort.Strings(snippets)
		for _, s := range snippets {
			if data, err := os.ReadFile(s); err == nil {
				r.addFile(path.Join("/etc/nginx/snippets", filepath.Base(s)), data, 0o644, s)
			}
		}
	}
	addUserFiles(r)

	var env []string
	if len(r.libDirs) > 0 {
		env = append(env, "LD_LIBRARY_PATH="+strings.Join(r.libDirs, ":"))
	}
	// No EXPOSE: testcontainers publishes every EXPOSEd port on all
	// interfaces when a request lists none; the harness publishes
	// explicitly, on 127.0.0.1. "daemon off" is part of the entrypoint so
	// that a plain `docker run` works; the harness overrides it anyway.
	df := dockerfile(env, []string{NginxImagePath, "-g", "daemon off;"})
	ctxTar, sum, err = r.tar(df)
	return ctxTar, sum, r.sources(), err
}

// addUserFiles writes /etc/passwd, /etc/group and /etc/nsswitch.conf with
// the users Debian (www-data), official-image (nginx) and default
// (nobody/nogroup) configurations run workers as.
func addUserFiles(r *rootfs) {
	r.addFile("/etc/passwd", []byte(`root:x:0:0:root:/root:/usr/sbin/nologin
www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin
nginx:x:101:101:nginx user:/nonexistent:/usr/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
`), 0o644, "")
	r.addFile("/etc/group", []byte(`root:x:0:
www-data:x:33:
nginx:x:101:
nogroup:x:65534:
nobody:x:65534:
`), 0o644, "")
	r.addFile("/etc/nsswitch.conf", []byte("passwd: files\ngroup: files\nshadow: files\nhosts: files dns\n"), 0o644, "")
}

var (
	reVersion = regexp.MustCompile(`nginx version: [^/]+/(\S+)`)
	reDirOpt  = regexp.MustCompile(`--(prefix|modules-path|http-[a-z]+-temp-path)=(/\S+)`)
	reFileOpt = regexp.MustCompile(`--(conf-path|error-log-path|http-log-path|pid-path|lock-path)=(/\S+)`)
)

// nginxBuildInfo runs "nginx -V" and returns the version and the
// directories its compiled-in paths need: the prefix, the modules path,
// the parents of temp paths (nginx creates only the last level) and of
// file paths. Failures are not fatal: the image then gets the defaults.
func nginxBuildInfo(bin string) (version string, dirs []string) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	out, _ := exec.CommandContext(ctx, bin, "-V").CombinedOutput()
	if m := reVersion.FindSubmatch(out); m != nil {
		version = string(m[1])
	}
	for _, m := range reDirOpt.FindAllSubmatch(out, -1) {
		d := string(m[2])
		if strings.HasSuffix(string(m[1]), "temp-path") {
			d = path.Dir(d)
		}
		dirs = append(dirs, path.Clean(d))
	}
	for _, m := range reFileOpt.FindAllSubmatch(out, -1) {
		dirs = append(dirs, path.Dir(string(m[2])))
	}
	return version, dirs
}

// ensureUserImage makes sure a user-specified image is present, pulling it
// only when missing.
func ensureUserImage(ctx context.Context, p *testcontainers.DockerProvider, ref string, progress io.Writer) (string, error) {
	if progress == nil {
		progress = io.Discard
	}
	cli := p.Client()
	if _, err := cli.ImageInspect(ctx, ref); err == nil {
		return ref, nil
	} else if !cerrdefs.IsNotFound(err) {
		return "", fmt.Errorf("inspect nginx image %s: %w", ref, err)
	}
	fmt.Fprintf(progress, "ngxlint: nginx image %s is not available locally; pulling it because it was requested explicitly (timeout %s)\n", ref, pullTimeout)
	pctx, cancel := context.WithTimeout(ctx, pullTimeout)
	defer cancel()
	opts := client.ImagePullOptions{}
	if _, auth, err := testcontainers.DockerImageAuth(pctx, ref); err == nil {
		if b, err := json.Marshal(auth); err == nil {
			opts.RegistryAuth = base64.URLEncoding.EncodeToString(b)
		}
	}
	pullErr := func(err error) error {
		return fmt.Errorf("%w: nginx image %s is not available locally and pulling it failed: %w "+
			"(pull it yourself with `docker pull %s`, or omit --nginx-image to build an image from the host's nginx)", ErrImageUnavailable, ref, err, ref)
	}
	resp, err := cli.ImagePull(pctx, ref, opts)
	if err != nil {
		return "", pullErr(err)
	}
	defer resp.Close()
	last := ""
	for msg, err := range resp.JSONMessages(pctx) {
		if err != nil {
			return "", pullErr(err)
		}
		if msg.Error != nil {
			return "", pullErr(errors.New(msg.Error.Message))
		}
		// Only the coarse status lines, not per-layer progress bars.
		if msg.ID == "" && msg.Status != "" && msg.Status != last {
			fmt.Fprintf(progress, "ngxlint: %s\n", msg.Status)
			last = msg.Status
		}
	}
	if _, err := cli.ImageInspect(ctx, ref); err != nil {
		return "", pullErr(fmt.Errorf("image still missing after the pull: %w", err))
	}
	return ref, nil
}
