#!/usr/bin/env bash
# Builds the ngxlint image (Dockerfile: FROM scratch, nothing pulled) from a
# fresh static binary and the host's CA bundle, runs it on the blog's
# configs and checks the result; prints the image's size.
#
#   scripts/image-check.sh                  build, check, remove the image
#   KEEP_IMAGE=1 scripts/image-check.sh     keep it (tag: $NGXLINT_IMAGE)
#   NGXLINT_BIN=dist/ngxlint_linux_amd64_v1/ngxlint scripts/image-check.sh
#                                           use a binary built elsewhere
set -euo pipefail
cd "$(dirname "$0")/.."

image=${NGXLINT_IMAGE:-ngxlint.local/ngxlint:check}
ca=${NGXLINT_CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}

fail() { echo "image-check: FAIL: $*" >&2; exit 1; }

ctx=$(mktemp -d)
cleanup() {
	rm -rf "$ctx"
	[ -n "${cid:-}" ] && docker rm -f "$cid" >/dev/null 2>&1
	[ -n "${KEEP_IMAGE:-}" ] || docker image rm -f "$image" >/dev/null 2>&1 || true
}
trap cleanup EXIT

[ -r "$ca" ] || fail "no CA bundle at $ca (Debian: apt-get install ca-certificates)"
docker info >/dev/null 2>&1 || fail "no Docker engine"

commit=$(git rev-parse HEAD 2>/dev/null || echo unknown)
version=$(git describe --tags --always --dirty 2>/dev/null || echo dev)
if [ -n "${NGXLINT_BIN:-}" ]; then
	cp "$NGXLINT_BIN" "$ctx/ngxlint"
else
	CGO_ENABLED=0 GOOS=linux go build -trimpath \
		-ldflags "-s -w -X main.buildVersion=$version -X main.buildCommit=$commit" \
		-o "$ctx/ngxlint" ./cmd/ngxlint
fi
cp "$ca" "$ctx/ca-certificates.crt"

# Without buildx the CLI says the legacy builder is deprecated: only show
# the output when the build fails.
out=$(docker build -q --build-arg VERSION="$version" -t "$image" -f Dockerfile "$ctx" 2>&1) || fail "docker build: $out"

# The image holds the binary and the CA bundle, and nothing else (the
# rest is what Docker adds to every container).
cid=$(docker create "$image")
files=$(docker export "$cid" | tar -t | grep -v '/$' | grep -Ev '^(\.dockerenv|etc/(hosts|hostname|resolv\.conf|mtab)|dev/.*|proc/.*|sys/.*)$' | sort | tr '\n' ' ')
[ "$files" = "etc/ssl/certs/ca-certificates.crt usr/local/bin/ngxlint " ] || fail "unexpected files in the image: $files"
docker rm -f "$cid" >/dev/null
cid=

# The README's command, without a network (linting needs none).
set +e
out=$(docker run --rm --network none -v "$PWD:/src" "$image" lint /src/fixtures/blog/broken.conf 2>&1)
code=$?
set -e
[ "$code" = 1 ] || fail "lint broken.conf: exit $code, want 1: $out"
grep -q 'fixtures/blog/broken.conf:11:13: error: .*\[NGX101 ssl-server-name-off\]' <<<"$out" || fail "lint broken.conf: no NGX101 at 11:13: $out"

set +e
out=$(docker run --rm --network none -v "$PWD:/src" "$image" lint /src/fixtures/blog/fixed.conf 2>&1)
code=$?
set -e
[ "$code" = 0 ] || fail "lint fixed.conf: exit $code, want 0: $out"
grep -q NGX101 <<<"$out" && fail "lint fixed.conf still reports NGX101: $out"

out=$(docker run --rm --network none "$image" version)
grep -qx "ngxlint $version" <<<"$out" || [ -n "${NGXLINT_BIN:-}" ] || fail "version: want ngxlint $version: $out"
grep -qx "commit:   $commit" <<<"$out" || [ -n "${NGXLINT_BIN:-}" ] || fail "version: want commit $commit: $out"

size=$(docker image inspect -f '{{.Size}}' "$image")
echo "image-check: ok: $image, $size bytes ($((size / 1024 / 1024)) MiB); lint broken.conf exits 1 with NGX101, fixed.conf exits 0"
