package image

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/client"
	"github.com/testcontainers/testcontainers-go"
)

// buildTimeout bounds an image build. testcontainers retries non-permanent
// build errors with exponential backoff for up to 15 minutes otherwise.
const buildTimeout = 3 * time.Minute

// buildMu serialises builds in this process (the classic builder is fine
// with concurrent builds; this just avoids building the same tag twice).
var buildMu sync.Mutex

// ensureBuilt returns repo:<hash16>, building it from ctxTar unless an image
// with that tag already exists.
func ensureBuilt(ctx context.Context, p *testcontainers.DockerProvider, repo string, ctxTar []byte, sum, what string, progress io.Writer) (string, error) {
	if progress == nil {
		progress = io.Discard
	}
	tag := sum[:16]
	ref := repo + ":" + tag
	buildMu.Lock()
	defer buildMu.Unlock()
	if _, err := p.Client().ImageInspect(ctx, ref); err == nil {
		touch(ctx, p, ref)
		return ref, nil
	} else if !cerrdefs.IsNotFound(err) {
		return "", fmt.Errorf("inspect %s: %w", ref, err)
	}
	fmt.Fprintf(progress, "ngxlint: building image %s from %s (%.1f MB context, FROM scratch, no pull)\n",
		ref, what, float64(len(ctxTar))/(1<<20))
	start := time.Now()
	bctx, cancel := context.WithTimeout(ctx, buildTimeout)
	defer cancel()
	var buildLog bytes.Buffer
	got, err := p.BuildImage(bctx, &testcontainers.ContainerRequest{
		FromDockerfile: testcontainers.FromDockerfile{
			ContextArchive: bytes.NewReader(ctxTar),
			Dockerfile:     "Dockerfile", // must match the tar entry name exactly
			Repo:           repo,
			Tag:            tag,
			KeepImage:      true,
			BuildLogWriter: &buildLog,
			// No BuildOptionsModifier: the API default is the classic
			// builder, which treats FROM scratch as a no-op and never pulls.
		},
	})
	if err != nil {
		return "", fmt.Errorf("build %s: %w\n%s", ref, err, strings.TrimSpace(buildLog.String()))
	}
	if got != ref {
		return "", fmt.Errorf("build %s: engine tagged %s", ref, got)
	}
	fmt.Fprintf(progress, "ngxlint: built %s in %s\n", ref, time.Since(start).Round(time.Millisecond))
	return ref, nil
}

// touch re-tags ref onto itself, which sets the image's LastTagTime:
// PruneImages measures age from it, so an old image that is being reused
// is not pruned from under a concurrent run.
func touch(ctx context.Context, p *testcontainers.DockerProvider, ref string) {
	_, _ = p.Client().ImageTag(ctx, client.ImageTagOptions{Source: ref, Target: ref})
}

// dockerfile renders a FROM-scratch Dockerfile for the classic builder
// (no --chmod, no heredocs: modes come from the tar headers). It is kept to
// the minimum number of instructions: the classic builder creates and
// commits a container for every metadata instruction (ENV, LABEL, CMD, …),
// which costs ~0.5–1 s each on fuse-overlayfs, while COPY of the whole
// rootfs is ~0.2 s. Images are recognised by repository (ngxlint.local/…),
// so no LABEL is needed; Docker supplies a default PATH.
func dockerfile(env []string, entrypoint []string) string {
	var b strings.Builder
	b.WriteString("FROM scratch\nCOPY rootfs/ /\n")
	if len(env) > 0 {
		fmt.Fprintf(&b, "ENV %s\n", strings.Join(env, " "))
	}
	fmt.Fprintf(&b, "ENTRYPOINT %s\n", jsonArray(entrypoint))
	return b.String()
}

func jsonArray(a []string) string {
	q := make([]string, len(a))
	for i, s := range a {
		q[i] = fmt.Sprintf("%q", s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}
