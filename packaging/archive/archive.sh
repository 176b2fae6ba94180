#!/usr/bin/env bash
# Packs a built binary into a release archive with its checksum, named the way
# `cargo binstall` finds it (host/Cargo.toml's [package.metadata.binstall]):
#   packaging/archive/archive.sh <orchestra-mcp binary> <target triple> <out dir>
# writes <out dir>/orchestra-mcp-v<version>-<target>.tar.gz (.zip for Windows) and a
# .sha256 beside it, each holding orchestra-mcp-v<version>-<target>/ with the binary,
# README.md and LICENSE.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
binary="$1"
target="$2"
out="$(mkdir -p "$3" && cd "$3" && pwd)"
version="$(sed -n 's/^version = "\(.*\)"$/\1/p' "$root/Cargo.toml" | head -1)"
name="orchestra-mcp-v$version-$target"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
mkdir "$stage/$name"
case "$target" in
  *windows*) cp "$binary" "$stage/$name/orchestra-mcp.exe" ;;
  *) cp "$binary" "$stage/$name/orchestra-mcp" && chmod 755 "$stage/$name/orchestra-mcp" ;;
esac
cp "$root/README.md" "$root/LICENSE" "$stage/$name/"
case "$target" in
  *windows*) archive="$name.zip"; (cd "$stage" && zip -qr "$out/$archive" "$name") ;;
  *) archive="$name.tar.gz"; tar -C "$stage" -czf "$out/$archive" "$name" ;;
esac
(cd "$out" && sha256sum "$archive" > "$archive.sha256")
echo "$out/$archive"
