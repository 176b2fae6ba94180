#!/usr/bin/env bash
# Packs the MCP bundle (.mcpb) for Claude Desktop and other MCPB hosts from a built binary:
#   packaging/mcpb/pack.sh <orchestra-mcp binary> <out.mcpb>
# The bundle holds manifest.json and server/orchestra-mcp (orchestra-mcp.exe for a Windows
# binary). The manifest is validated, then packed, with the mcpb CLI (npm
# @anthropic-ai/mcpb), taken from MCPB (default: the one tests/clients/setup.sh installs).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
binary="$1"
out="$2"
mcpb="${MCPB:-$here/../../target/ci-tools/node/node_modules/.bin/mcpb}"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/server"
cp "$here/manifest.json" "$stage/manifest.json"
case "$binary" in
  *.exe) cp "$binary" "$stage/server/orchestra-mcp.exe" ;;
  *) cp "$binary" "$stage/server/orchestra-mcp" && chmod 755 "$stage/server/orchestra-mcp" ;;
esac
"$mcpb" validate "$stage/manifest.json" >/dev/null
mkdir -p "$(dirname "$out")"
"$mcpb" pack "$stage" "$out" >/dev/null
