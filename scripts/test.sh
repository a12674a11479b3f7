#!/usr/bin/env bash
# Runs the whole test suite on a fresh Debian machine: installs what the
# tests need (nginx, its stream module, pre-commit), then go vet and go test.
# The README names this script as the test command; .ci/run calls it.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v nginx >/dev/null 2>&1 || need+=(nginx)
[ -f /usr/lib/nginx/modules/ngx_stream_module.so ] || need+=(libnginx-mod-stream)
command -v pre-commit >/dev/null 2>&1 || need+=(pre-commit)
command -v git >/dev/null 2>&1 || need+=(git)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
# Debian's package starts a system nginx on port 80; the tests run their own.
nginx -s stop >/dev/null 2>&1 || true

export PATH="$PATH:/usr/local/go/bin"
# In CI the container tests must run: a missing Docker engine fails them
# instead of skipping them.
if [ "${CI:-}" = true ]; then
  export NGXLINT_REQUIRE_DOCKER=1
fi
go vet ./...
go test -count=1 -timeout 30m ./...
