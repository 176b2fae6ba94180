#!/usr/bin/env bash
# Installs the real MCP clients the tests drive the server with, from the package
# registries, under target/ci-tools: the Python SDK client (mcp) and the MCP Inspector CLI
# (with the Node 22 it needs). Idempotent; the integration tests call it when needed.
set -euo pipefail
cd "$(dirname "$0")/../.."
tools="target/ci-tools"
mkdir -p "$tools"

if ! "$tools/venv/bin/python" -c "import mcp" 2>/dev/null; then
  python3 -m venv "$tools/venv"
  "$tools/venv/bin/pip" install --quiet --disable-pip-version-check -r tests/clients/requirements.txt
fi

if [ ! -x "$tools/node/node_modules/.bin/mcp-inspector" ] || [ ! -x "$tools/node/node_modules/.bin/node" ]; then
  mkdir -p "$tools/node"
  cp tests/clients/package.json "$tools/node/package.json"
  npm install --prefix "$tools/node" --no-audit --no-fund --loglevel=error
fi
echo "MCP clients ready under $tools"
