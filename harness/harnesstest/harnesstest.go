// Package harnesstest holds test helpers for packages whose tests run the
// harness containers. It imports "testing", so only _test.go files should
// import it.
package harnesstest

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/testcontainers/testcontainers-go"

	"github.com/ngxlint/ngxlint/harness/edge"
	"github.com/ngxlint/ngxlint/harness/image"
)

// EnvRequireDocker=1 turns RequireDocker's skip into a failure. CI sets it
// so that container tests cannot pass by silently skipping.
const EnvRequireDocker = "NGXLINT_REQUIRE_DOCKER"

// Main is the TestMain of a package that builds the edge image: the edge
// image packages the test binary itself, which must therefore dispatch to
// the edge when started as "/ngxlint edge …" in the container.
//
//	func TestMain(m *testing.M) { harnesstest.Main(m) }
func Main(m *testing.M) {
	edge.RunIfEdge()
	image.ConfigureEnv()
	os.Exit(m.Run())
}

var (
	sweepOnce sync.Once
)

// RequireDocker returns a healthy Docker provider. Without one it skips the
// test loudly (a banner on stderr and the reason in the skip message), or,
// with NGXLINT_REQUIRE_DOCKER=1, fails it. On first success in a process it
// also sweeps resources left by crashed runs and prunes edge images older
// than a day.
func RequireDocker(t testing.TB) *testcontainers.DockerProvider {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	p, err := image.Docker(ctx)
	if err != nil {
		if os.Getenv(EnvRequireDocker) == "1" {
			t.Fatalf("%s=1 but the container test %s cannot run: %v", EnvRequireDocker, t.Name(), err)
		}
		msg := fmt.Sprintf("SKIPPING container test %s: %v. Set %s=1 to make this a failure.", t.Name(), err, EnvRequireDocker)
		fmt.Fprintf(os.Stderr, "\n!!!!!!!! %s\n\n", msg)
		t.Skip(msg)
	}
	sweepOnce.Do(func() {
		if err := image.Sweep(ctx, p); err != nil {
			t.Logf("sweep: %v", err)
		}
		if removed, err := image.PruneImages(ctx, p, "edge", 24*time.Hour); err != nil {
			t.Logf("prune images: %v", err)
		} else if len(removed) > 0 {
			t.Logf("pruned old harness images: %v", removed)
		}
	})
	return p
}
