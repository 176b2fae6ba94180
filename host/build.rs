//! Builds the components: the tools component (`guest/`), which the host binary embeds,
//! and the MCP server component (`host/component` composed over it); both are written,
//! with the contract's docs, to `target/components/`.

use std::path::PathBuf;

include!("guest_build.rs");
include!("package_docs.rs");
include!("compose.rs");

fn main() {
    let manifest_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let workspace = manifest_dir.parent().expect("host/ sits in the workspace root").to_path_buf();
    for watched in [
        "guest/src",
        "guest/Cargo.toml",
        "host/component",
        "host/face",
        "wit",
        "Cargo.lock",
        "host/guest_build.rs",
        "host/package_docs.rs",
        "host/compose.rs",
    ] {
        println!("cargo:rerun-if-changed={}", workspace.join(watched).display());
    }
    println!("cargo:rerun-if-env-changed=ORCHESTRA_GUEST_WASM");
    println!("cargo:rerun-if-env-changed=CARGO_TARGET_DIR");

    // A prebuilt component can be supplied instead (packaging, or a build without the target).
    let wasm = match std::env::var("ORCHESTRA_GUEST_WASM") {
        Ok(prebuilt) => PathBuf::from(prebuilt),
        Err(_) => {
            let built = build_guest(&workspace, "orchestra-guest", &[]);
            let shipped = components_dir(&workspace).join("orchestra-mcp-tools.wasm");
            add_package_docs(&workspace, "tool-provider", &built, &shipped);
            let adapter = build_guest(&workspace, "orchestra-mcp-server", &[]);
            let out_dir = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
            let composed = out_dir.join("orchestra-mcp-server-without-docs.wasm");
            compose_server(&shipped, &adapter, &composed);
            add_package_docs(
                &workspace,
                "tool-runner",
                &composed,
                &components_dir(&workspace).join("orchestra-mcp-server.wasm"),
            );
            shipped
        }
    };
    println!("cargo:rustc-env=ORCHESTRA_GUEST_WASM={}", wasm.display());
}
