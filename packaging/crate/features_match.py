#!/usr/bin/env python3
"""Checks that orchestra-mcp built on its own compiles every dependency exactly as the
workspace's test build does (same features), so the packaging builds (cargo install from
the package, maturin) reuse the test build's artifacts: maturin then compiles nothing, and
the install from the package only the workspace's own crates, from their packages.

    packaging/crate/features_match.py

Compares cargo's unit graphs (`--unit-graph`, unstable: run with RUSTC_BOOTSTRAP=1) of
`cargo test --release` and `cargo build --release -p orchestra-mcp`. A unit the second has
and the first lacks is a dependency the workspace's crates turn more features on for: ask
for those features in host/Cargo.toml too (its comment says where).

It also checks that wasmtime, a dependency and a build dependency (build.rs precompiles
the component with it), is built once in each graph: a second unit is a crate the build's
graph resolves with other features than the binary's (host/Cargo.toml's build-dependencies
say how to align them).
"""

import json
import os
import subprocess
import sys


def units(*args: str) -> set:
    env = dict(os.environ, RUSTC_BOOTSTRAP="1")
    out = subprocess.run(
        ["cargo", *args, "--release", "--unit-graph", "-Z", "unstable-options"],
        env=env, check=True, capture_output=True, text=True,
    ).stdout
    graph = json.loads(out)
    wasmtime = [u for u in graph["units"] if u["pkg_id"].endswith("#wasmtime@" + u["pkg_id"].rsplit("@", 1)[-1])
                and u["target"]["name"] == "wasmtime" and u["mode"] == "build"]
    if len(wasmtime) != 1:
        sys.exit(f"features_match.py: `cargo {' '.join(args)}` builds wasmtime {len(wasmtime)} times; "
                 "align the build-dependencies' features in host/Cargo.toml")
    return {
        (u["pkg_id"], u["target"]["name"], u["mode"], ",".join(u["features"]))
        for u in graph["units"]
        if u["mode"] in ("build", "run-custom-build")
        and not u["pkg_id"].startswith("path+")  # the workspace's own crates differ by design
    }


def main() -> None:
    workspace = units("test", "--no-run")
    alone = units("build", "-p", "orchestra-mcp")
    missing = sorted(alone - workspace)
    for pkg_id, target, mode, features in missing:
        name = pkg_id.rsplit("#", 1)[-1]
        print(f"{name} ({target}, {mode}): features [{features}] only in the package's own build")
    if missing:
        sys.exit(f"features_match.py: {len(missing)} dependency build(s) differ; see host/Cargo.toml")
    print(f"features_match.py: the {len(alone)} dependency builds of orchestra-mcp are the workspace's")


if __name__ == "__main__":
    main()
