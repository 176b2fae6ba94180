#!/usr/bin/env bash
# Builds the image from a built binary (the Dockerfile's `prebuilt` stage) on the stand-in
# base, then runs it as its users do: `doctor --fake`, and a stdio MCP session in which the
# Python MCP client starts the container as its server and calls every tool against the
# fake Orchestra on the host's loopback.
#   packaging/container/check.sh <orchestra-mcp binary> <image tag>
set -euo pipefail
cd "$(dirname "$0")/../.."
binary="$1"
tag="$2"
export CONTAINERS_CONF="$PWD/packaging/container/containers.conf"
context="$(mktemp -d)"
fake_pid=
cleanup() { [ -z "$fake_pid" ] || kill "$fake_pid" 2>/dev/null || true; rm -rf "$context"; }
trap cleanup EXIT

base=localhost/orchestra-mcp-ci-base
packaging/container/stand-in-base.sh "$base"
install -D -m 755 "$binary" "$context/linux/amd64/orchestra-mcp"
podman build --quiet --file Dockerfile --build-arg BINARY=prebuilt --build-arg BASE="$base" \
    --tag "$tag" "$context" > /dev/null
[ "$(podman image inspect --format '{{.Config.User}}' "$tag")" = nonroot ] || { echo "the image does not run as nonroot" >&2; exit 1; }
podman run --rm "$tag" doctor --fake > /dev/null

# The fake on a free loopback port; the container shares the host's network to reach it.
"$binary" fake --listen 127.0.0.1:0 > "$context/fake.txt" &
fake_pid=$!
for _ in $(seq 50); do grep -q ORCHESTRA_BASE_URL "$context/fake.txt" && break; sleep 0.1; done
eval "$(grep -o 'export .*' "$context/fake.txt")"
export ORCHESTRA_BASE_URL ORCHESTRA_API_KEY ORCHESTRA_ALLOW_INSECURE_LOOPBACK
# The client passes its server only ORCHESTRA_* and the basics, so podman's settings go by env.
target/ci-tools/venv/bin/python tests/clients/python_client.py command auto env CONTAINERS_CONF="$CONTAINERS_CONF" \
    podman run -i --rm --network host -e ORCHESTRA_BASE_URL -e ORCHESTRA_API_KEY -e ORCHESTRA_ALLOW_INSECURE_LOOPBACK \
    -e RUST_LOG=warn "$tag" serve > "$context/session.txt"
tail -1 "$context/session.txt"
