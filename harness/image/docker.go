// Package image connects to Docker for the ngxlint harness and provides the
// two images it runs, without ever pulling from a registry unless the user
// explicitly asks for an image that is not present:
//
//   - the nginx image: the user's (e.g. nginx:1.27) or one built FROM
//     scratch out of the host's nginx binary and its shared libraries;
//   - the edge image: FROM scratch with the running executable (the ngxlint
//     binary, or the test binary under go test) as /ngxlint.
//
// Both built images are tagged by the SHA-256 of their build context
// (ngxlint.local/nginx:<hash>, ngxlint.local/edge:<hash>), kept, and
// reused: a second run only hashes the context and calls ImageInspect.
package image

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/client"
	"github.com/testcontainers/testcontainers-go"
)

// Labels on every container and network the harness creates.
const (
	// LabelHarness=1 marks harness resources (Sweep's filter).
	LabelHarness = "ngxlint.harness"
	// LabelOwner identifies the creating process: "<hostname>/<pid>/<starttime>".
	LabelOwner = "ngxlint.harness.owner"
	// LabelRun identifies one verify run, so that its clean-up also finds
	// what it created but never got a handle for (a container still being
	// created when Ctrl-C arrived).
	LabelRun = "ngxlint.harness.run"
)

// Repositories of the built images. The dotted first component keeps
// testcontainers' hub-prefix substitution away from them.
const (
	NginxRepo = "ngxlint.local/nginx"
	EdgeRepo  = "ngxlint.local/edge"
)

// Environment variables.
const (
	envHostOverride = "TESTCONTAINERS_HOST_OVERRIDE"
	envRyukDisabled = "TESTCONTAINERS_RYUK_DISABLED"
)

// ErrDockerUnavailable is wrapped by Docker's errors when no engine can be
// used.
var ErrDockerUnavailable = errors.New("Docker is unavailable")

// ConfigureEnv sets the testcontainers environment the harness depends on.
// It is idempotent and called by Docker; call it yourself before any other
// testcontainers call in the process (testcontainers reads its config once).
//
//   - TESTCONTAINERS_HOST_OVERRIDE=localhost unless set: /.dockerenv exists
//     on the dev/CI machines, and without it testcontainers would dial the
//     default gateway for every endpoint and wait strategy.
//   - TESTCONTAINERS_RYUK_DISABLED=true (exact string; "1" re-enables Ryuk):
//     Ryuk needs the testcontainers/ryuk image, i.e. a pull. Harness
//     resources are labelled and removed by Sweep instead.
func ConfigureEnv() {
	if _, ok := os.LookupEnv(envHostOverride); !ok {
		os.Setenv(envHostOverride, "localhost")
	}
	if os.Getenv(envRyukDisabled) != "true" {
		os.Setenv(envRyukDisabled, "true")
	}
}

// Docker configures the environment, connects to the Docker engine and
// checks it answers within 5 s.
func Docker(ctx context.Context) (*testcontainers.DockerProvider, error) {
	ConfigureEnv()
	type result struct {
		p   *testcontainers.DockerProvider
		err error
	}
	ch := make(chan result, 1)
	go func() {
		p, err := testcontainers.NewDockerProvider()
		ch <- result{p, err}
	}()
	var p *testcontainers.DockerProvider
	select {
	case r := <-ch:
		if r.err != nil {
			return nil, unavailable(r.err)
		}
		p = r.p
	case <-time.After(10 * time.Second):
		return nil, unavailable(errors.New("timed out connecting to the Docker engine"))
	case <-ctx.Done():
		return nil, unavailable(ctx.Err())
	}
	hctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := p.Health(hctx); err != nil {
		return nil, unavailable(err)
	}
	if !p.Config().RyukDisabled {
		return nil, fmt.Errorf("testcontainers has Ryuk enabled, which would pull testcontainers/ryuk: " +
			"its configuration was read before ngxlint set TESTCONTAINERS_RYUK_DISABLED=true; " +
			"call image.ConfigureEnv (or image.Docker) before any other testcontainers call")
	}
	return p, nil
}

func unavailable(err error) error {
	return fmt.Errorf("%w: %w (install docker.io and start dockerd, or set DOCKER_HOST)", ErrDockerUnavailable, err)
}

var (
	ownerOnce sync.Once
	ownerID   string
)

// Owner returns this process's owner id, "<hostname>/<pid>/<starttime>".
func Owner() string {
	ownerOnce.Do(func() {
		host, _ := os.Hostname()
		pid := os.Getpid()
		ownerID = fmt.Sprintf("%s/%d/%d", host, pid, procStart(pid))
	})
	return ownerID
}

// Labels returns the labels for a harness container or network.
func Labels() map[string]string {
	return map[string]string{LabelHarness: "1", LabelOwner: Owner()}
}

// procStart returns the start time (clock ticks since boot, field 22 of
// /proc/<pid>/stat) of a process, 0 if unknown.
func procStart(pid int) uint64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')') // comm may contain spaces
	if i < 0 {
		return 0
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 20 {
		return 0
	}
	v, _ := strconv.ParseUint(f[19], 10, 64) // field 22 overall
	return v
}

// ownerAlive reports whether the owner label names a process that is still
// running on this host. Owners on other hosts are considered alive.
func ownerAlive(owner string) (alive, local bool) {
	parts := strings.Split(owner, "/")
	if len(parts) != 3 {
		return false, true
	}
	host, _ := os.Hostname()
	if parts[0] != host {
		return true, false
	}
	pid, err := strconv.Atoi(parts[1])
	if err != nil {
		return false, true
	}
	start, _ := strconv.ParseUint(parts[2], 10, 64)
	if _, err := os.Stat(fmt.Sprintf("/proc/%d", pid)); err != nil {
		return false, true
	}
	return procStart(pid) == start, true
}

// foreignMaxAge is how old a resource owned by another host must be before
// Sweep removes it.
const foreignMaxAge = 6 * time.Hour

func stale(labels map[string]string, created time.Time) bool {
	alive, local := ownerAlive(labels[LabelOwner])
	if local {
		return !alive
	}
	return !created.IsZero() && time.Since(created) > foreignMaxAge
}

// Sweep removes containers and networks labelled ngxlint.harness=1 that
// were left behind by crashed runs: those whose owning process (see
// Labels) has exited. Resources of live processes — concurrent test
// packages, other engineers' runs — are left alone; resources created on
// another host are removed after 6 hours.
func Sweep(ctx context.Context, p *testcontainers.DockerProvider) error {
	cli := p.Client()
	filter := client.Filters{}.Add("label", LabelHarness+"=1")
	var errs []error
	cl, err := cli.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: filter})
	if err != nil {
		return fmt.Errorf("sweep: list containers: %w", err)
	}
	for _, c := range cl.Items {
		if !stale(c.Labels, time.Unix(c.Created, 0)) {
			continue
		}
		if _, err := cli.ContainerRemove(ctx, c.ID, client.ContainerRemoveOptions{Force: true, RemoveVolumes: true}); err != nil && !cerrdefs.IsNotFound(err) {
			errs = append(errs, fmt.Errorf("sweep: remove container %.12s: %w", c.ID, err))
		}
	}
	nl, err := cli.NetworkList(ctx, client.NetworkListOptions{Filters: filter})
	if err != nil {
		return errors.Join(append(errs, fmt.Errorf("sweep: list networks: %w", err))...)
	}
	for _, n := range nl.Items {
		if !stale(n.Labels, n.Created) {
			continue
		}
		if _, err := cli.NetworkRemove(ctx, n.ID, client.NetworkRemoveOptions{}); err != nil && !cerrdefs.IsNotFound(err) {
			errs = append(errs, fmt.Errorf("sweep: remove network %s: %w", n.Name, err))
		}
	}
	return errors.Join(errs...)
}

// SweepRun removes every container and network labelled with one run's
// LabelRun, whatever their state: the last step of that run's clean-up.
func SweepRun(ctx context.Context, p *testcontainers.DockerProvider, run string) error {
	cli := p.Client()
	filter := client.Filters{}.Add("label", LabelRun+"="+run)
	var errs []error
	cl, err := cli.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: filter})
	if err != nil {
		return fmt.Errorf("sweep run: list containers: %w", err)
	}
	for _, c := range cl.Items {
		if _, err := cli.ContainerRemove(ctx, c.ID, client.ContainerRemoveOptions{Force: true, RemoveVolumes: true}); err != nil && !cerrdefs.IsNotFound(err) {
			errs = append(errs, fmt.Errorf("sweep run: remove container %.12s: %w", c.ID, err))
		}
	}
	nl, err := cli.NetworkList(ctx, client.NetworkListOptions{Filters: filter})
	if err != nil {
		return errors.Join(append(errs, fmt.Errorf("sweep run: list networks: %w", err))...)
	}
	for _, n := range nl.Items {
		if _, err := cli.NetworkRemove(ctx, n.ID, client.NetworkRemoveOptions{}); err != nil && !cerrdefs.IsNotFound(err) {
			errs = append(errs, fmt.Errorf("sweep run: remove network %s: %w", n.Name, err))
		}
	}
	return errors.Join(errs...)
}

// PruneImages removes built harness images of the given kind ("edge",
// "nginx", or "" for both; i.e. ngxlint.local/edge:*, ngxlint.local/nginx:*) that were last built or reused (LastTagTime)
// more than olderThan ago, except the refs in keep. Images in use by a
// container are skipped (no force). Under go test every change to a test
// package yields a new test binary and so a new edge image of tens of MB;
// harnesstest.RequireDocker prunes edge images older than a day.
func PruneImages(ctx context.Context, p *testcontainers.DockerProvider, kind string, olderThan time.Duration, keep ...string) (removed []string, err error) {
	cli := p.Client()
	var refs []string
	switch kind {
	case "edge":
		refs = []string{EdgeRepo}
	case "nginx":
		refs = []string{NginxRepo}
	case "":
		refs = []string{EdgeRepo, NginxRepo}
	default:
		return nil, fmt.Errorf("prune: unknown image kind %q", kind)
	}
	il, err := cli.ImageList(ctx, client.ImageListOptions{Filters: client.Filters{}.Add("reference", refs...)})
	if err != nil {
		return nil, fmt.Errorf("prune: list images: %w", err)
	}
	var errs []error
	for _, im := range il.Items {
		last := time.Unix(im.Created, 0)
		if ins, err := cli.ImageInspect(ctx, im.ID); err == nil && ins.Metadata.LastTagTime.After(last) {
			last = ins.Metadata.LastTagTime
		}
		if time.Since(last) < olderThan {
			continue
		}
		for _, ref := range im.RepoTags {
			if contains(keep, ref) || !(strings.HasPrefix(ref, NginxRepo+":") || strings.HasPrefix(ref, EdgeRepo+":")) {
				continue
			}
			if _, err := cli.ImageRemove(ctx, ref, client.ImageRemoveOptions{PruneChildren: true}); err != nil {
				if !cerrdefs.IsNotFound(err) && !cerrdefs.IsConflict(err) {
					errs = append(errs, fmt.Errorf("prune %s: %w", ref, err))
				}
				continue
			}
			removed = append(removed, ref)
		}
	}
	return removed, errors.Join(errs...)
}
