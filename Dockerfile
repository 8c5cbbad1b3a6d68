# syntax=docker/dockerfile:1
# Multi-stage build: a glibc release binary (Debian 12 toolchain) on the distroless Debian 12
# runtime image, non-root, no shell. The release workflow (.github/workflows/release.yml) builds
# it natively for linux/amd64 and linux/arm64. The source label is written from Cargo.toml's
# repository by scripts/generate_references.py.
#   docker build --build-arg REVISION="$(git rev-parse --short=12 HEAD)" -t adobe_status_exporter .
#   docker run --rm -p 10042:10042 adobe_status_exporter --demo
# Checked without a Docker engine by scripts/check_container.py (hadolint, a replay of the
# builder stage, and the binary run on the runtime image's Debian 12 libc).

# The toolchain the image is built with (>= rust-version in Cargo.toml).
ARG RUST_VERSION=1.95

FROM rust:${RUST_VERSION}-bookworm AS builder
WORKDIR /src
# Dependencies first, in their own layer, so a source edit does not rebuild them. The workspace
# has three crates (the exporter, the demo simulator it embeds and its web layer), and the
# exporter's manifest names a bench target, so each gets stubs of its sources.
COPY Cargo.toml Cargo.lock build.rs ./
COPY crates/adobe-status-sim/Cargo.toml ./crates/adobe-status-sim/
COPY crates/exporter-toolkit-web/Cargo.toml ./crates/exporter-toolkit-web/
RUN mkdir -p src benches crates/adobe-status-sim/src crates/exporter-toolkit-web/src \
    && echo 'fn main() {}' > src/main.rs \
    && touch src/lib.rs crates/adobe-status-sim/src/lib.rs crates/exporter-toolkit-web/src/lib.rs \
    && echo 'fn main() {}' > benches/pipeline.rs \
    && cargo build --release --locked \
    && rm -rf src crates/adobe-status-sim/src crates/exporter-toolkit-web/src
COPY src ./src
COPY crates/adobe-status-sim/src ./crates/adobe-status-sim/src
COPY crates/exporter-toolkit-web/src ./crates/exporter-toolkit-web/src
# No .git in the build context: the revision for adobe_status_exporter_build_info comes in here.
ARG REVISION=unknown
ENV ADOBE_STATUS_EXPORTER_REVISION=${REVISION}
# touch: the stub build is newer than the copied sources, which could look up to date. (Here
# build.rs re-runs anyway, as there is no .git, and that alone rebuilds the crate.)
# state: the empty directory the runtime stage keeps --status.state-file in (no shell there).
RUN touch src/main.rs src/lib.rs crates/adobe-status-sim/src/lib.rs \
    crates/exporter-toolkit-web/src/lib.rs \
    && cargo build --release --locked \
    && mkdir -p state

# distroless/cc: glibc, libgcc and the CA certificates reqwest/rustls trusts; nothing else.
FROM gcr.io/distroless/cc-debian12:nonroot
ARG VERSION=0.1.0
ARG REVISION=unknown
LABEL org.opencontainers.image.title="adobe_status_exporter" \
      org.opencontainers.image.description="Prometheus exporter for the Adobe Status API: incidents and maintenances per Adobe product and service" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.source="https://github.com/adobe-status-exporter/adobe_status_exporter" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.base.name="gcr.io/distroless/cc-debian12:nonroot"
COPY --from=builder /src/target/release/adobe_status_exporter /usr/local/bin/adobe_status_exporter
# The last good Adobe data survives a container restart here (README "Restarts"): a volume, so
# it stays writable with a read-only root filesystem; owned by the USER below.
COPY --from=builder --chown=65532:65532 /src/state /var/lib/adobe_status_exporter
VOLUME ["/var/lib/adobe_status_exporter"]
# Numeric, so Kubernetes can enforce runAsNonRoot without reading /etc/passwd.
USER 65532:65532
EXPOSE 10042
# Orchestrators probe /-/healthy and /-/ready over HTTP (no shell here for a HEALTHCHECK).
ENTRYPOINT ["/usr/local/bin/adobe_status_exporter", "--status.state-file=/var/lib/adobe_status_exporter/state"]
