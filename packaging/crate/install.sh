#!/usr/bin/env bash
# Installs orchestra-mcp from the crates packaging/crate/package.sh wrote, as
# `cargo install orchestra-mcp` would from crates.io: from the unpacked package, whose
# build embeds the shipped component (there is no guest source to build, so no wasm
# target is needed), with the workspace crates it depends on taken from their packages too.
#   packaging/crate/install.sh <install root>
# The build shares the workspace's target directory, so it reuses what the workspace build
# compiled (same dependency versions from the packaged Cargo.lock, same features, same profile).
set -euo pipefail
cd "$(dirname "$0")/../.."
target="${CARGO_TARGET_DIR:-$PWD/target}"
root="$1"
version="$(cargo pkgid -p orchestra-mcp | sed 's/.*[#@]//')"
# Outside the workspace, or cargo takes the unpacked crates for unlisted members of it.
unpacked="$(mktemp -d)"
trap 'rm -rf "$unpacked"' EXIT
patches=()
for crate in orchestra-mcp-transport orchestra-mcp-face orchestra-fake orchestra-mcp; do
    tar -xzf "$target/package/$crate-$version.crate" -C "$unpacked"
    if [ "$crate" != orchestra-mcp ]; then
        patches+=(--config "patch.crates-io.$crate.path=\"$unpacked/$crate-$version\"")
    fi
done
if [ -e "$unpacked/orchestra-mcp-$version/../guest" ] || [ ! -f "$unpacked/orchestra-mcp-$version/components/orchestra-mcp-tools.wasm" ]; then
    echo "install.sh: the unpacked package is not self-contained" >&2
    exit 1
fi
# A published crate carries no profile: the workspace's release profile is passed on, so the
# build is the test build's (a profile that differs recompiles every dependency).
profile=()
while read -r setting; do profile+=(--config "profile.release.$setting"); done < <(python3 -c '
import json, tomllib
def settings(table, prefix=""):
    for key, value in table.items():
        if isinstance(value, dict):  # build-override: one dotted key per setting
            yield from settings(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}={json.dumps(value)}"
print("\n".join(settings(tomllib.load(open("Cargo.toml", "rb"))["profile"]["release"])))')
cargo install --locked --force --path "$unpacked/orchestra-mcp-$version" --root "$root" --target-dir "$target" \
    "${profile[@]}" "${patches[@]}"
