//! Builds the test guest components the integration tests load instead of the real one.

use std::path::PathBuf;

include!("../host/guest_build.rs");

fn main() {
    let manifest_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let workspace = manifest_dir.parent().expect("tests/ sits in the workspace root").to_path_buf();
    for watched in ["tests/guests", "wit", "Cargo.lock", "host/guest_build.rs"] {
        println!("cargo:rerun-if-changed={}", workspace.join(watched).display());
    }
    let probe = build_guest(&workspace, "probe-guest");
    println!("cargo:rustc-env=PROBE_GUEST_WASM={}", probe.display());
}
