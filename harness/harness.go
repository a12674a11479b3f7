// Package harness runs a user's nginx configuration in a real nginx
// container against mock TLS "CDN edge" containers on a private Docker
// network, offline.
//
// Building blocks:
//
//   - image.Docker / image.EnsureNginx / image.EnsureEdge / image.Sweep:
//     the engine and the two images (never pulled unless the user asks);
//   - NewNetwork: a labelled private bridge network;
//   - RunEdge: an edge container reachable from nginx under network aliases
//     (e.g. d1234567890.cloudfront.net), with its admin port published on
//     127.0.0.1;
//   - RunNginx: nginx with a given nginx.conf, port 80 published on
//     127.0.0.1, ready when GET /__harness/ready answers 200.
//
// The host only ever talks to 127.0.0.1; nginx reaches the edges by name
// through Docker's embedded DNS. Start the edges before nginx: nginx
// resolves literal proxy_pass hosts when it loads its configuration.
package harness

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/moby/moby/api/types/container"
	mobynet "github.com/moby/moby/api/types/network"
	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/network"
	"github.com/testcontainers/testcontainers-go/wait"

	"github.com/ngxlint/ngxlint/harness/edge"
	"github.com/ngxlint/ngxlint/harness/image"
)

// Fixed ports inside the containers.
const (
	EdgeTLSPort   = "443/tcp"
	EdgeAdminPort = "8081/tcp"
	NginxPort     = "80/tcp"
	// DefaultReadyPath must answer 200 in the nginx configuration:
	//   location = /__harness/ready { return 200; }
	DefaultReadyPath = "/__harness/ready"
	// NginxConfPath is where RunNginx puts the configuration.
	NginxConfPath = "/etc/nginx/nginx.conf"
)

// NewNetwork creates a private bridge network labelled for image.Sweep.
// Remove it after its containers (testcontainers.CleanupNetwork registered
// before the containers' cleanups does that in tests).
func NewNetwork(ctx context.Context, labels ...map[string]string) (*testcontainers.DockerNetwork, error) {
	image.ConfigureEnv()
	return network.New(ctx, network.WithLabels(withLabels(labels...)))
}

// withLabels is image.Labels plus extra labels (a run's LabelRun).
func withLabels(extra ...map[string]string) map[string]string {
	l := image.Labels()
	for _, e := range extra {
		for k, v := range e {
			l[k] = v
		}
	}
	return l
}

// LoopbackPorts exposes the container ports and publishes each on a random
// port of 127.0.0.1 only (testcontainers alone would bind every interface).
func LoopbackPorts(ports ...string) testcontainers.CustomizeRequestOption {
	return func(req *testcontainers.GenericContainerRequest) error {
		if err := testcontainers.WithExposedPorts(ports...)(req); err != nil {
			return err
		}
		loopback := netip.MustParseAddr("127.0.0.1")
		return testcontainers.WithHostConfigModifier(func(hc *container.HostConfig) {
			if hc.PortBindings == nil {
				hc.PortBindings = mobynet.PortMap{}
			}
			for _, p := range ports {
				port, err := mobynet.ParsePort(p)
				if err != nil {
					continue // WithExposedPorts already rejected it
				}
				hc.PortBindings[port] = []mobynet.PortBinding{{HostIP: loopback, HostPort: "0"}}
			}
		})(req)
	}
}

// loopbackURL returns http://127.0.0.1:<mapped port>.
func loopbackURL(ctx context.Context, c *testcontainers.DockerContainer, port string) (string, error) {
	mp, err := c.MappedPort(ctx, port)
	if err != nil {
		return "", err
	}
	return "http://127.0.0.1:" + strconv.Itoa(int(mp.Num())), nil
}

// EdgeSpec describes an edge container.
type EdgeSpec struct {
	// Image is the edge image (image.EnsureEdge).
	Image string
	// Aliases are the names nginx reaches the edge by, e.g.
	// "d1234567890.cloudfront.net". At least one.
	Aliases []string
	// Config: Names, Profile, MinVersion/MaxVersion, CertPEM/KeyPEM/ChainPEM,
	// HostCheck/HostStatus, ALPN, Plain (":4180", container ports).
	// Listen/AdminListen/Stdout are ignored (the edge listens on Port and
	// 8081 in the container).
	Config edge.Config
	// Customizers are extra testcontainers options (e.g.
	// testcontainers.WithLogger).
	Customizers []testcontainers.ContainerCustomizer
	// Port is the TLS port inside the container (default 443): the port
	// the proxied URL names, so nginx's address stays untouched.
	Port int
	// Labels are added to the container's (a run's LabelRun).
	Labels map[string]string
	// NoWait returns as soon as the container runs; call Edge.Ready
	// before using it. Its network alias exists from the start, which is
	// all nginx needs to load, so nginx can start meanwhile.
	NoWait bool
}

// Edge is a running edge container.
type Edge struct {
	Container *testcontainers.DockerContainer
	// AdminURL is http://127.0.0.1:<port> of the admin API.
	AdminURL string
}

// RunEdge starts an edge container on nw and waits until it listens. On
// error the returned Edge may still hold a container to terminate.
func RunEdge(ctx context.Context, nw *testcontainers.DockerNetwork, spec EdgeSpec) (*Edge, error) {
	if spec.Image == "" || len(spec.Aliases) == 0 || nw == nil {
		return nil, fmt.Errorf("harness: RunEdge needs an image, a network and at least one alias")
	}
	cfg := spec.Config
	port := spec.Port
	if port == 0 {
		port = 443
	}
	args := []string{"--listen", ":" + strconv.Itoa(port), "--admin", ":8081", "--names", strings.Join(cfg.Names, ",")}
	if cfg.Profile != "" {
		args = append(args, "--profile", cfg.Profile)
	}
	if cfg.MinVersion != 0 {
		args = append(args, "--min-version", edge.VersionName(cfg.MinVersion))
	}
	if cfg.MaxVersion != 0 {
		args = append(args, "--max-version", edge.VersionName(cfg.MaxVersion))
	}
	if cfg.HostCheck {
		args = append(args, "--host-check")
	}
	if cfg.HostStatus != 0 {
		args = append(args, "--host-status", strconv.Itoa(cfg.HostStatus))
	}
	if cfg.ALPN != nil {
		args = append(args, "--alpn", strings.Join(cfg.ALPN, ","))
	}
	if len(cfg.Plain) > 0 {
		args = append(args, "--plain", strings.Join(cfg.Plain, ","))
	}
	var files []testcontainers.ContainerFile
	addFile := func(flag, path string, data []byte) {
		if len(data) == 0 {
			return
		}
		files = append(files, testcontainers.ContainerFile{Reader: bytes.NewReader(data), ContainerFilePath: path, FileMode: 0o644})
		args = append(args, flag, path)
	}
	addFile("--cert", "/edge/cert.pem", cfg.CertPEM)
	addFile("--key", "/edge/key.pem", cfg.KeyPEM)
	addFile("--chain", "/edge/chain.pem", cfg.ChainPEM)

	opts := []testcontainers.ContainerCustomizer{
		network.WithNetwork(spec.Aliases, nw),
		testcontainers.WithLabels(withLabels(spec.Labels)),
		testcontainers.WithCmd(args...),
		LoopbackPorts(EdgeAdminPort),
	}
	if !spec.NoWait {
		opts = append(opts, testcontainers.WithWaitStrategy(
			wait.ForLog("listening").WithStartupTimeout(30*time.Second),
			wait.ForHTTP("/__edge/healthz").WithPort(EdgeAdminPort).WithForcedIPv4LocalHost().WithStartupTimeout(30*time.Second),
		))
	}
	if len(files) > 0 {
		opts = append(opts, testcontainers.WithFiles(files...))
	}
	opts = append(opts, spec.Customizers...)
	c, err := testcontainers.Run(ctx, spec.Image, opts...)
	e := &Edge{Container: c}
	if err != nil {
		return e, fmt.Errorf("harness: start edge %s: %w%s", spec.Aliases[0], err, tailLogs(c))
	}
	if e.AdminURL, err = loopbackURL(ctx, c, EdgeAdminPort); err != nil {
		return e, fmt.Errorf("harness: edge admin port: %w", err)
	}
	return e, nil
}

var adminClient = &http.Client{Timeout: 10 * time.Second}

// Ready waits until the edge answers on its admin port, which it opens
// after its TLS listener.
func (e *Edge) Ready(ctx context.Context) error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, e.AdminURL+"/__edge/healthz", nil)
		if err != nil {
			return err
		}
		resp, err := adminClient.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("harness: edge not ready after 30s: %v%s", err, tailLogs(e.Container))
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// Log returns the edge's log entries with Seq > since.
func (e *Edge) Log(ctx context.Context, since int64) ([]edge.LogEntry, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("%s/__edge/log?since=%d", e.AdminURL, since), nil)
	if err != nil {
		return nil, err
	}
	resp, err := adminClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("edge log: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("edge log: %s", resp.Status)
	}
	return edge.DecodeLog(resp.Body)
}

// Reset clears the edge's log.
func (e *Edge) Reset(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.AdminURL+"/__edge/reset", nil)
	if err != nil {
		return err
	}
	resp, err := adminClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	return nil
}

// SetDown switches the edge down (it resets every new connection) or up
// again: to reach a backup member or an error_page fallback, the harness
// makes the upstream in front of it fail as a dead one would.
func (e *Edge) SetDown(ctx context.Context, down bool) error {
	on := "0"
	if down {
		on = "1"
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.AdminURL+"/__edge/down?on="+on, nil)
	if err != nil {
		return err
	}
	resp, err := adminClient.Do(req)
	if err != nil {
		return fmt.Errorf("edge down: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		return fmt.Errorf("edge down: %s", resp.Status)
	}
	return nil
}

// IPs returns the edge's addresses on its networks, as nginx's error.log
// names them in its upstream field.
func (e *Edge) IPs(ctx context.Context) ([]string, error) {
	return e.Container.ContainerIPs(ctx)
}

// Terminate stops and removes the container at once.
func (e *Edge) Terminate() error {
	if e == nil || e.Container == nil {
		return nil
	}
	return testcontainers.TerminateContainer(e.Container, testcontainers.StopTimeout(0))
}

// NginxSpec describes an nginx container.
type NginxSpec struct {
	// Image is the nginx image (image.EnsureNginx).
	Image string
	// Config is the complete nginx.conf, copied to /etc/nginx/nginx.conf.
	// It must not contain "daemon off;" (passed with -g) and must serve
	// ReadyPath with 200 on port 80.
	Config string
	// Files are extra files (CA bundles, certificates, includes).
	Files []testcontainers.ContainerFile
	// ConfPath is where nginx reads its configuration (-c); it defaults to
	// NginxConfPath, where Config is written.
	ConfPath string
	// ReadyPath defaults to DefaultReadyPath; ReadyPort (default
	// NginxPort) is the port it is served on.
	ReadyPath string
	ReadyPort string
	// Ports are further container ports published on 127.0.0.1.
	Ports []string
	// StartupTimeout defaults to 30 s.
	StartupTimeout time.Duration
	Customizers    []testcontainers.ContainerCustomizer
	// Labels are added to the container's (a run's LabelRun).
	Labels map[string]string
}

// Nginx is a running nginx container.
type Nginx struct {
	Container *testcontainers.DockerContainer
	// BaseURL is http://127.0.0.1:<port> of nginx's port 80.
	BaseURL string
}

// RunNginx starts nginx on nw (nil: Docker's default bridge) with
// spec.Config (or the configuration among spec.Files at spec.ConfPath) and
// waits for ReadyPath. It is the one way the harness starts nginx. The
// entrypoint is "nginx -c /etc/nginx/nginx.conf -g 'daemon off;'", which
// also bypasses the official images' docker-entrypoint.sh scripts.
func RunNginx(ctx context.Context, nw *testcontainers.DockerNetwork, spec NginxSpec) (*Nginx, error) {
	if spec.Image == "" {
		return nil, fmt.Errorf("harness: RunNginx needs an image")
	}
	if spec.ReadyPath == "" {
		spec.ReadyPath = DefaultReadyPath
	}
	if spec.ReadyPort == "" {
		spec.ReadyPort = NginxPort
	}
	if spec.ConfPath == "" {
		spec.ConfPath = NginxConfPath
	}
	if spec.StartupTimeout == 0 {
		spec.StartupTimeout = 30 * time.Second
	}
	files := spec.Files
	if spec.Config != "" {
		files = append([]testcontainers.ContainerFile{{
			Reader: strings.NewReader(spec.Config), ContainerFilePath: spec.ConfPath, FileMode: 0o644,
		}}, files...)
	}
	ports := []string{spec.ReadyPort}
	for _, p := range spec.Ports {
		if !slices.Contains(ports, p) {
			ports = append(ports, p)
		}
	}
	var opts []testcontainers.ContainerCustomizer
	if nw != nil {
		opts = append(opts, network.WithNetwork(nil, nw))
	}
	opts = append(opts,
		testcontainers.WithLabels(withLabels(spec.Labels)),
		testcontainers.WithEntrypoint("nginx"),
		testcontainers.WithCmd("-c", spec.ConfPath, "-g", "daemon off;"),
		testcontainers.WithFiles(files...),
		LoopbackPorts(ports...),
		testcontainers.WithWaitStrategy(
			wait.ForHTTP(spec.ReadyPath).WithPort(spec.ReadyPort).WithForcedIPv4LocalHost().
				WithStartupTimeout(spec.StartupTimeout).WithPollInterval(50*time.Millisecond),
		),
	)
	opts = append(opts, spec.Customizers...)
	c, err := testcontainers.Run(ctx, spec.Image, opts...)
	n := &Nginx{Container: c}
	if err != nil {
		return n, fmt.Errorf("harness: start nginx: %w%s", err, tailLogs(c))
	}
	if n.BaseURL, err = loopbackURL(ctx, c, spec.ReadyPort); err != nil {
		return n, fmt.Errorf("harness: nginx port: %w", err)
	}
	return n, nil
}

// ReadFile copies a file out of the container (no shell needed).
func (n *Nginx) ReadFile(ctx context.Context, path string) ([]byte, error) {
	rc, err := n.Container.CopyFileFromContainer(ctx, path)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

// Terminate stops and removes the container at once.
func (n *Nginx) Terminate() error {
	if n == nil || n.Container == nil {
		return nil
	}
	return testcontainers.TerminateContainer(n.Container, testcontainers.StopTimeout(0))
}

// containerOutput returns a container's stdout and stderr (up to 1 MiB).
func containerOutput(c *testcontainers.DockerContainer) string {
	if c == nil {
		return ""
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	rc, err := c.Logs(ctx)
	if err != nil {
		return ""
	}
	defer rc.Close()
	b, _ := io.ReadAll(io.LimitReader(rc, 1<<20))
	return string(b)
}

// tailLogs returns the last lines of a container's output, for errors.
func tailLogs(c *testcontainers.DockerContainer) string {
	lines := strings.Split(strings.TrimSpace(containerOutput(c)), "\n")
	if len(lines) > 20 {
		lines = lines[len(lines)-20:]
	}
	if len(lines) == 1 && lines[0] == "" {
		return ""
	}
	return "\ncontainer output:\n" + strings.Join(lines, "\n")
}
