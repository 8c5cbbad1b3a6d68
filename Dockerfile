# syntax=docker/dockerfile:1
# Multi-stage build: a glibc release binary on a distroless, non-root runtime image.
# Build:  docker build -t adobe_status_exporter .
# Run:    docker run -p 10042:10042 adobe_status_exporter --demo --web.listen-address=:10042

FROM rust:1-bookworm AS builder
WORKDIR /src
# Dependencies first, so source edits do not rebuild them.
COPY Cargo.toml Cargo.lock build.rs ./
RUN mkdir src && echo 'fn main() {}' > src/main.rs && touch src/lib.rs \
    && cargo build --release --locked \
    && rm -rf src
COPY src ./src
ARG REVISION=unknown
ENV ADOBE_STATUS_EXPORTER_REVISION=${REVISION}
RUN touch src/main.rs src/lib.rs && cargo build --release --locked \
    && cp target/release/adobe_status_exporter /adobe_status_exporter

# distroless/cc: glibc + CA certificates (reqwest/rustls reads the system trust store),
# no shell; runs as uid 65532. Orchestrators probe /-/healthy and /-/ready over HTTP.
FROM gcr.io/distroless/cc-debian12:nonroot
ARG REVISION=unknown
LABEL org.opencontainers.image.title="adobe_status_exporter" \
      org.opencontainers.image.description="Prometheus exporter for the Adobe Status API" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.revision="${REVISION}"
COPY --from=builder /adobe_status_exporter /usr/local/bin/adobe_status_exporter
USER 65532:65532
EXPOSE 10042
ENTRYPOINT ["/usr/local/bin/adobe_status_exporter"]
