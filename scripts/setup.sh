#!/usr/bin/env bash
# Installs what the test suite needs on a fresh Debian machine: nginx and
# its stream module (location matching and nginx -t differential tests, the
# harness image), pre-commit (the hook's end-to-end test) and git. Uses sudo
# when not root. Stops the system nginx the package starts on port 80.
set -euo pipefail

need=()
command -v nginx >/dev/null 2>&1 || need+=(nginx)
[ -f /usr/lib/nginx/modules/ngx_stream_module.so ] || need+=(libnginx-mod-stream)
command -v pre-commit >/dev/null 2>&1 || need+=(pre-commit)
command -v git >/dev/null 2>&1 || need+=(git)
[ -f /etc/ssl/certs/ca-certificates.crt ] || need+=(ca-certificates) # the image (scripts/image-check.sh)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
nginx -s stop >/dev/null 2>&1 || true

# Static analysis the test suite runs (TestStaticAnalysis): staticcheck and
# errcheck at pinned versions, through the Go module proxy.
export PATH="$PATH:/usr/local/go/bin"
gobin="$(go env GOPATH)/bin"
[ -x "$gobin/staticcheck" ] && "$gobin/staticcheck" -version 2>/dev/null | grep -q '0.8.2' ||
  go install honnef.co/go/tools/cmd/staticcheck@v0.8.2
[ -x "$gobin/errcheck" ] || go install github.com/kisielk/errcheck@v1.30.0
