#!/usr/bin/env bash
# Checks the release configuration: `goreleaser check`, then a snapshot
# build of every target in .goreleaser.yaml into dist/ (nothing published),
# then the artifacts: one archive per target, checksums that verify, static
# binaries, and `ngxlint version` reporting the snapshot's version and commit.
#
# goreleaser is a Go tool of the separate module tools/go.mod (not a
# dependency of ngxlint). Its first build compiles it: minutes; later runs
# take it from the Go build cache.
set -euo pipefail
cd "$(dirname "$0")/.."

fail() { echo "release-check: FAIL: $*" >&2; exit 1; }
goreleaser() { go tool -modfile=tools/go.mod goreleaser "$@"; }

# Without a git remote (a worktree, a local clone's clone) goreleaser's
# snapshot silently drops every git fact, the commit included. Name one for
# its processes only: `git ls-remote --get-url` just prints it.
if ! git ls-remote --get-url >/dev/null 2>&1; then
	export GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=remote.origin.url GIT_CONFIG_VALUE_0=https://github.com/ngxlint/ngxlint.git
fi

t0=$(date +%s)
goreleaser --version >/dev/null
t1=$(date +%s)
goreleaser check
goreleaser release --snapshot --clean
t2=$(date +%s)

[ -f dist/metadata.json ] || fail "no dist/metadata.json"
version=$(sed -n 's/.*"version":"\([^"]*\)".*/\1/p' dist/metadata.json)
[ -n "$version" ] || fail "no version in dist/metadata.json"
commit=$(git rev-parse HEAD)

want=""
for target in linux_amd64 linux_arm64 darwin_amd64 darwin_arm64 windows_amd64 windows_arm64; do
	ext=tar.gz
	[[ $target == windows_* ]] && ext=zip
	want+="ngxlint_${version}_${target}.${ext} "
done
got=$(find dist -maxdepth 1 -type f \( -name '*.tar.gz' -o -name '*.zip' \) -printf '%f\n' | sort | tr '\n' ' ')
want=$(tr ' ' '\n' <<<"$want" | sed '/^$/d' | sort | tr '\n' ' ')
[ "$got" = "$want" ] || fail "archives: got [$got], want [$want]"
(cd dist && sha256sum --quiet -c checksums.txt) || fail "dist/checksums.txt does not verify"
[ "$(wc -l <dist/checksums.txt)" = 6 ] || fail "dist/checksums.txt: want 6 lines"

# Every binary is static (CGO_ENABLED=0) and carries the version and
# commit -ldflags set (-trimpath keeps the flags themselves out of the
# build info, so look for the values).
for bin in dist/ngxlint_*/ngxlint dist/ngxlint_*/ngxlint.exe; do
	[ -e "$bin" ] || continue
	go version -m "$bin" | grep -q 'CGO_ENABLED=0' || fail "$bin: not built with CGO_ENABLED=0"
	grep -aqF "v$version" "$bin" || fail "$bin: no v$version in the binary"
	grep -aqF "$commit" "$bin" || fail "$bin: no commit $commit in the binary"
done
host=dist/ngxlint_linux_amd64_v1/ngxlint
if [ "$(go env GOOS)/$(go env GOARCH)" = linux/amd64 ]; then
	out=$("$host" version)
	grep -qx "ngxlint v$version" <<<"$out" || fail "$host version: want v$version: $out"
	grep -qx "commit:   $commit" <<<"$out" || fail "$host version: want commit $commit: $out"
	out=$("$host" lint fixtures/blog/fixed.conf 2>&1) || fail "$host lint fixtures/blog/fixed.conf: $out"
fi

echo "release-check: ok: version $version; goreleaser ready in $((t1 - t0))s, check + snapshot build in $((t2 - t1))s"
(cd dist && for f in ./*.tar.gz ./*.zip checksums.txt; do printf '  %-50s %9d bytes\n' "${f#./}" "$(stat -c %s "$f")"; done)
