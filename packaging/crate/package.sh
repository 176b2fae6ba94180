#!/usr/bin/env bash
# Packs the crates for crates.io: orchestra-mcp, carrying the tools component exactly as the
# guest source built it (so the published crate builds without the guest or the wasm
# target), and the workspace crates it depends on. Run after a build of the workspace,
# which writes target/components/:
#   packaging/crate/package.sh [--allow-dirty]
# Writes target/package/<crate>-<version>.crate. Publishing is then one command per crate,
# in this order: cargo publish -p orchestra-mcp-transport, -face, orchestra-fake, orchestra-mcp.
set -euo pipefail
cd "$(dirname "$0")/../.."
target="${CARGO_TARGET_DIR:-$PWD/target}"
built="$target/components/orchestra-mcp-tools.wasm"
if [ ! -f "$built" ]; then
    echo "package.sh: no tools component at $built; build the workspace first (cargo build --release)." >&2
    exit 1
fi
# cargo package is given --allow-dirty for the component copied in below, which git ignores;
# so this script refuses other uncommitted changes itself, unless told they are wanted.
if [ "${1:-}" != "--allow-dirty" ] && [ -n "$(git status --porcelain)" ]; then
    echo "package.sh: the work tree has uncommitted changes; commit them, or pass --allow-dirty:" >&2
    git status --short >&2
    exit 1
fi

mkdir -p host/components
cp "$built" host/components/orchestra-mcp-tools.wasm
# --no-verify: cargo's check builds each crate again in the dev profile (a second wasmtime
# build); .ci/run instead installs from the unpacked crate, reusing the release build.
cargo package --no-verify --allow-dirty \
    -p orchestra-mcp-transport -p orchestra-mcp-face -p orchestra-fake -p orchestra-mcp

version="$(cargo pkgid -p orchestra-mcp | sed 's/.*[#@]//')"
crate="$target/package/orchestra-mcp-$version.crate"
# The shipped component must be byte for byte what the guest source builds to.
if ! tar -xzOf "$crate" "orchestra-mcp-$version/components/orchestra-mcp-tools.wasm" | cmp -s - "$built"; then
    echo "package.sh: the component in $crate differs from $built" >&2
    exit 1
fi
echo "packed $crate ($(wc -c < "$crate") bytes) with the tools component $(sha256sum "$built" | cut -c1-16)"
