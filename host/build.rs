//! Builds the guest component (`guest/`, target `wasm32-wasip2`) so the host binary can
//! embed it. A nested cargo with its own target directory avoids the outer build's lock.

use std::path::PathBuf;
use std::process::Command;

fn main() {
    let manifest_dir =
        PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let workspace = manifest_dir
        .parent()
        .expect("host/ sits in the workspace root")
        .to_path_buf();
    for watched in ["guest/src", "guest/Cargo.toml", "wit", "Cargo.lock"] {
        println!(
            "cargo:rerun-if-changed={}",
            workspace.join(watched).display()
        );
    }
    println!("cargo:rerun-if-env-changed=ORCHESTRA_GUEST_WASM");

    // A prebuilt component can be supplied instead (packaging, or a build without the target).
    if let Ok(prebuilt) = std::env::var("ORCHESTRA_GUEST_WASM") {
        println!("cargo:rustc-env=ORCHESTRA_GUEST_WASM={prebuilt}");
        return;
    }

    let target_dir = workspace.join("target").join("guest");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let status = Command::new(cargo)
        .current_dir(&workspace)
        .args([
            "build",
            "-p",
            "orchestra-guest",
            "--target",
            "wasm32-wasip2",
            "--profile",
            "guest",
        ])
        .env("CARGO_TARGET_DIR", &target_dir)
        // Flags meant for the host build must not leak into the guest build.
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_BUILD_RUSTFLAGS")
        .env_remove("CARGO_MAKEFLAGS")
        .env_remove("RUSTC_WORKSPACE_WRAPPER")
        .status()
        .expect("failed to run cargo for the guest component");
    if !status.success() {
        panic!(
            "building the guest component failed; if the target is missing, run `rustup target add wasm32-wasip2`"
        );
    }
    let wasm = target_dir
        .join("wasm32-wasip2")
        .join("guest")
        .join("orchestra_guest.wasm");
    println!("cargo:rustc-env=ORCHESTRA_GUEST_WASM={}", wasm.display());
}
