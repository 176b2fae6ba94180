#!/usr/bin/env bash
# Installs the real MCP clients the tests drive the server with, from the package
# registries, under target/ci-tools: the Python SDK client (mcp), the MCP Inspector CLI and
# the MCP conformance suite (with the Node 22 they need). Idempotent; the integration
# tests call it when needed.
set -euo pipefail
cd "$(dirname "$0")/../.."
tools="target/ci-tools"
mkdir -p "$tools"

if ! "$tools/venv/bin/python" -c "import mcp" 2>/dev/null; then
  python3 -m venv "$tools/venv"
  "$tools/venv/bin/pip" install --quiet --disable-pip-version-check -r tests/clients/requirements.txt
fi

node_bin="$tools/node/node_modules/.bin"
if [ ! -x "$node_bin/mcp-inspector" ] || [ ! -x "$node_bin/conformance" ] || [ ! -x "$node_bin/node" ] \
   || ! cmp -s tests/clients/package.json "$tools/node/package.json"; then
  mkdir -p "$tools/node"
  cp tests/clients/package.json "$tools/node/package.json"
  npm install --prefix "$tools/node" --no-audit --no-fund --loglevel=error
fi
echo "MCP clients ready under $tools"
