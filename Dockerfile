# syntax=docker/dockerfile:1
# orchestra-mcp in a container: a stdio MCP server by default,
#   docker run -i --rm -e ORCHESTRA_API_KEY ghcr.io/orchestra-mcp/orchestra-mcp
# or over streamable HTTP, which beyond loopback needs a bearer token and the Host name
# clients use:
#   docker run --rm -p 8080:8080 -e ORCHESTRA_API_KEY -e ORCHESTRA_MCP_HTTP_TOKEN \
#     -e ORCHESTRA_MCP_HTTP_ALLOWED_HOSTS=mcp.example.com \
#     ghcr.io/orchestra-mcp/orchestra-mcp serve --http 0.0.0.0:8080
#
# The binary comes from one of two stages, chosen by BINARY: `source` (the default)
# compiles it here; `prebuilt` takes linux/<arch>/orchestra-mcp from the build context, as
# the release workflow and .ci/run do with the binary they already built.
ARG BINARY=source
# The release base; .ci/run, which reaches no image registry, passes a stand-in made from
# the same Debian 12 files (packaging/container/stand-in-base.sh).
ARG BASE=gcr.io/distroless/cc-debian12:nonroot

FROM rust:1.95-slim-bookworm AS source
RUN rustup target add wasm32-wasip2
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p orchestra-mcp \
    && install -D target/release/orchestra-mcp /out/orchestra-mcp

FROM scratch AS prebuilt
ARG TARGETARCH=amd64
COPY linux/${TARGETARCH}/orchestra-mcp /out/orchestra-mcp

FROM ${BINARY} AS binary

# glibc, libgcc and CA certificates, no shell, running as the unprivileged user `nonroot`.
FROM ${BASE}
COPY --from=binary /out/orchestra-mcp /usr/local/bin/orchestra-mcp
USER nonroot
ENTRYPOINT ["/usr/local/bin/orchestra-mcp"]
CMD ["serve"]
