//! Builds the test components the integration tests load instead of the real one: the
//! probe, and one hostile component per misbehaviour scenario.

use std::path::PathBuf;

include!("../host/guest_build.rs");

/// The scenarios of `tests/guests/hostile`, one component each (a cargo feature each).
const HOSTILE: &[&str] = &["loop-forever", "alloc-bomb", "deep-recursion", "panic", "stdout", "sockets", "files"];

fn main() {
    let manifest_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let workspace = manifest_dir.parent().expect("tests/ sits in the workspace root").to_path_buf();
    for watched in ["tests/guests", "wit", "Cargo.lock", "host/guest_build.rs"] {
        println!("cargo:rerun-if-changed={}", workspace.join(watched).display());
    }
    let probe = build_guest(&workspace, "probe-guest", &[]);
    println!("cargo:rustc-env=PROBE_GUEST_WASM={}", probe.display());

    // Every variant builds to the same file name, so each is copied out before the next.
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    for scenario in HOSTILE {
        let built = build_guest(&workspace, "hostile-guest", &[scenario]);
        let kept = out.join(format!("hostile-{scenario}.wasm"));
        std::fs::copy(&built, &kept).unwrap_or_else(|e| panic!("copying {}: {e}", built.display()));
    }
    println!("cargo:rustc-env=HOSTILE_GUESTS_DIR={}", out.display());
}
