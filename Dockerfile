# ngxlint in an image with nothing else in it. Nothing is pulled: the build
# context holds a static ngxlint binary and a CA bundle, and
# scripts/image-check.sh prepares it:
#
#   ngxlint             CGO_ENABLED=0 go build -trimpath ./cmd/ngxlint
#                       (or a linux binary from a goreleaser dist/)
#   ca-certificates.crt the host's /etc/ssl/certs/ca-certificates.crt
#
#   docker build -t ngxlint -f Dockerfile CONTEXT
#   docker run --rm -v "$PWD:/src" ngxlint lint /src/nginx
FROM scratch

ARG VERSION=dev
LABEL org.opencontainers.image.title="ngxlint" \
      org.opencontainers.image.description="nginx linter for upstream TLS mistakes" \
      org.opencontainers.image.source="https://github.com/ngxlint/ngxlint" \
      org.opencontainers.image.version="${VERSION}"

COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY ngxlint /usr/local/bin/ngxlint

# No shell, no passwd file: a numeric user that owns nothing. Configs are
# read through a bind mount; `ngxlint fix --write` needs
# `--user "$(id -u):$(id -g)"` to write them back.
USER 65532:65532
WORKDIR /src
ENTRYPOINT ["/usr/local/bin/ngxlint"]
CMD ["--help"]
