package image_test

import (
	"context"
	"testing"
	"time"

	"github.com/ngxlint/ngxlint/harness/harnesstest"
	"github.com/ngxlint/ngxlint/harness/image"
)

func TestEnsureNginxUserImagePresent(t *testing.T) {
	p := harnesstest.RequireDocker(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	built, err := image.EnsureNginx(ctx, p, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	// A locally present "user" image is used as is: inspected, not pulled.
	got, err := image.EnsureNginx(ctx, p, built, nil)
	if err != nil || got != built {
		t.Fatalf("EnsureNginx(%s) = %s, %v", built, got, err)
	}
	// Second call: cached, no rebuild.
	again, err := image.EnsureNginx(ctx, p, "", nil)
	if err != nil || again != built {
		t.Fatalf("rebuild gave %s, %v", again, err)
	}
	if _, err := image.PruneImages(ctx, p, "bogus", time.Hour); err == nil {
		t.Fatal("PruneImages accepted an unknown kind")
	}
}
