#!/usr/bin/env python3
"""Checks that orchestra-mcp built on its own compiles every dependency exactly as the
workspace's test build does (same features), so the packaging builds (cargo install from
the package, maturin) reuse the test build's artifacts instead of compiling wasmtime again.

    packaging/crate/features_match.py

Compares cargo's unit graphs (`--unit-graph`, unstable: run with RUSTC_BOOTSTRAP=1) of
`cargo test --release` and `cargo build --release -p orchestra-mcp`. A unit the second has
and the first lacks is a dependency the workspace's crates turn more features on for: ask
for those features in host/Cargo.toml too (its comment says where).
"""

import json
import os
import subprocess
import sys

# Allowed to differ: rmcp, whose HTTP client features only the tests use (the server would
# carry reqwest for nothing). It costs compiling rmcp and the crates above it (face,
# transport, host) again, not wasmtime.
ALLOWED = {"rmcp"}


def units(*args: str) -> set:
    env = dict(os.environ, RUSTC_BOOTSTRAP="1")
    out = subprocess.run(
        ["cargo", *args, "--release", "--unit-graph", "-Z", "unstable-options"],
        env=env, check=True, capture_output=True, text=True,
    ).stdout
    graph = json.loads(out)
    return {
        (u["pkg_id"], u["target"]["name"], u["mode"], ",".join(u["features"]))
        for u in graph["units"]
        if u["mode"] in ("build", "run-custom-build")
        and not u["pkg_id"].startswith("path+")  # the workspace's own crates differ by design
    }


def main() -> None:
    workspace = units("test", "--no-run")
    alone = units("build", "-p", "orchestra-mcp")
    name = lambda unit: unit[0].rsplit("#", 1)[-1].split("@")[0]
    missing = sorted(u for u in alone - workspace if name(u) not in ALLOWED)
    for pkg_id, target, mode, features in missing:
        print(f"{name((pkg_id,))} ({target}, {mode}): features [{features}] only in the package's own build")
    if missing:
        sys.exit(f"features_match.py: {len(missing)} dependency build(s) differ; see host/Cargo.toml")
    print(f"features_match.py: the {len(alone)} dependency builds of orchestra-mcp are the workspace's (but {', '.join(sorted(ALLOWED))})")


if __name__ == "__main__":
    main()
