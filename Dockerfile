# katalon-prep container images: one recipe, two variants.
#
#   docker build -t katalon-prep .                        # FROM scratch, the binary only (default; the GitHub Action)
#   docker build --target shell -t katalon-prep:shell .   # busybox: sh and cat for GitLab and Jenkins jobs
#
# Both final stages take the binary from the `build` stage, which compiles a
# static musl binary from this checkout. Where the engine cannot pull, the
# same file builds from a binary made on the host (ci/container-tests.sh):
#   --build-arg BUILD_IMAGE=<any local image with /bin/sh> \
#   --build-arg PREBUILT=<the static binary's path inside the build context>
# (or a folder holding katalon-prep-<arch>-unknown-linux-musl per platform,
# as the release's multi-platform build does), so CI tests exactly the final
# stages users get.

ARG BUILD_IMAGE=rust:1.91-alpine
ARG SHELL_BASE=busybox:1.36.1-musl

FROM ${BUILD_IMAGE} AS build
ARG PREBUILT=
WORKDIR /src
COPY . .
# The builder's packages follow its image tag; pinning apk versions here
# would only break the build when Alpine moves them.
# hadolint ignore=DL3018
RUN set -eu; \
    mkdir -p /out; \
    if [ -d "$PREBUILT" ]; then \
        cp "$PREBUILT/katalon-prep-$(uname -m)-unknown-linux-musl" /out/katalon-prep; \
    elif [ -n "$PREBUILT" ]; then \
        cp "$PREBUILT" /out/katalon-prep; \
    else \
        apk add --no-cache musl-dev; \
        cargo build --release --locked; \
        cp target/release/katalon-prep /out/katalon-prep; \
    fi; \
    cp docker/entrypoint.sh /out/entrypoint.sh; \
    chmod 0755 /out/katalon-prep /out/entrypoint.sh; \
    /out/katalon-prep --version

# The shell variant: GitLab pipes the job script into `sh` inside the image;
# Jenkins starts it with `cat` as an arbitrary UID, then `docker exec`s steps.
FROM ${SHELL_BASE} AS shell
ARG VERSION=dev
ARG REVISION=unknown
LABEL org.opencontainers.image.title="katalon-prep (shell)" \
      org.opencontainers.image.description="katalon-prep with a busybox shell, for GitLab CI and Jenkins docker agents" \
      org.opencontainers.image.source="https://github.com/katalon-prep/katalon-prep" \
      org.opencontainers.image.documentation="https://github.com/katalon-prep/katalon-prep#readme" \
      org.opencontainers.image.licenses="MIT OR Apache-2.0" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}"
COPY --from=build /out/katalon-prep /usr/local/bin/katalon-prep
COPY --from=build /out/entrypoint.sh /usr/local/bin/katalon-prep-entrypoint
ENTRYPOINT ["/usr/local/bin/katalon-prep-entrypoint"]

# The default: nothing but the binary (certificates are built in; a CA of
# your own comes through SSL_CERT_FILE). The GitHub Action runs this one.
FROM scratch AS static
ARG VERSION=dev
ARG REVISION=unknown
LABEL org.opencontainers.image.title="katalon-prep" \
      org.opencontainers.image.description="Prepare Katalon test runs in CI: the API key from secrets, plugins pinned and cached, a checked katalonc line" \
      org.opencontainers.image.source="https://github.com/katalon-prep/katalon-prep" \
      org.opencontainers.image.documentation="https://github.com/katalon-prep/katalon-prep#readme" \
      org.opencontainers.image.licenses="MIT OR Apache-2.0" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}"
COPY --from=build /out/katalon-prep /usr/local/bin/katalon-prep
ENTRYPOINT ["/usr/local/bin/katalon-prep"]
