#!/usr/bin/env bash
# Packs the MCP bundle (.mcpb) for Claude Desktop and other MCPB hosts from a built binary:
#   packaging/mcpb/pack.sh <orchestra-mcp binary> <out.mcpb> [<target triple>]
# With a target triple, the bundle declares only that target's platform (each bundle holds
# one binary); without one, the manifest's list stays as it is.
# The bundle holds manifest.json and server/orchestra-mcp (orchestra-mcp.exe for a Windows
# binary). The manifest is validated, then packed, with the mcpb CLI (npm
# @anthropic-ai/mcpb), taken from MCPB (default: the one tests/clients/setup.sh installs).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
binary="$1"
out="$2"
target="${3:-}"
mcpb="${MCPB:-$here/../../target/ci-tools/node/node_modules/.bin/mcpb}"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/server"
case "$target" in
  "") platform= ;;
  *linux*) platform=linux ;;
  *apple*) platform=darwin ;;
  *windows*) platform=win32 ;;
  *) echo "pack.sh: no MCPB platform for $target" >&2; exit 2 ;;
esac
if [ -n "$platform" ]; then
  python3 - "$here/manifest.json" "$platform" > "$stage/manifest.json" <<'PY'
import json, sys
manifest = json.load(open(sys.argv[1]))
manifest["compatibility"]["platforms"] = [sys.argv[2]]
print(json.dumps(manifest, indent=2, ensure_ascii=False))
PY
else
  cp "$here/manifest.json" "$stage/manifest.json"
fi
case "$binary" in
  *.exe) cp "$binary" "$stage/server/orchestra-mcp.exe" ;;
  *) cp "$binary" "$stage/server/orchestra-mcp" && chmod 755 "$stage/server/orchestra-mcp" ;;
esac
"$mcpb" validate "$stage/manifest.json" >/dev/null
mkdir -p "$(dirname "$out")"
"$mcpb" pack "$stage" "$out" >/dev/null
