# Multi-stage build: compile in the Rust image, run from a slim Debian with only the binary.
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked --features s3,dynamodb --bin signpost

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --create-home --home-dir /var/lib/signpost signpost
COPY --from=build /src/target/release/signpost /usr/local/bin/signpost
USER signpost
WORKDIR /var/lib/signpost
ENV SIGNPOST_BIND=0.0.0.0:8080 \
    SIGNPOST_DATA_DIR=/var/lib/signpost \
    SIGNPOST_LOG_FORMAT=json
EXPOSE 8080
ENTRYPOINT ["signpost"]
CMD ["serve"]
