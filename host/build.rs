//! Builds the guest component (`guest/`) so the host binary can embed it.

use std::path::PathBuf;

include!("guest_build.rs");

fn main() {
    let manifest_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let workspace = manifest_dir.parent().expect("host/ sits in the workspace root").to_path_buf();
    for watched in ["guest/src", "guest/Cargo.toml", "wit", "Cargo.lock", "host/guest_build.rs"] {
        println!("cargo:rerun-if-changed={}", workspace.join(watched).display());
    }
    println!("cargo:rerun-if-env-changed=ORCHESTRA_GUEST_WASM");
    println!("cargo:rerun-if-env-changed=CARGO_TARGET_DIR");

    // A prebuilt component can be supplied instead (packaging, or a build without the target).
    let wasm = match std::env::var("ORCHESTRA_GUEST_WASM") {
        Ok(prebuilt) => PathBuf::from(prebuilt),
        Err(_) => build_guest(&workspace, "orchestra-guest", &[]),
    };
    println!("cargo:rustc-env=ORCHESTRA_GUEST_WASM={}", wasm.display());
}
