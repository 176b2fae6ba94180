//! Builds the components: the tools component (`guest/`), which the host binary embeds;
//! the MCP server component (`host/component` composed over it); and the function
//! component (the same adapter with its `functions` feature, exporting one function per
//! tool of a world generated from the catalogue). All are written, with their WIT docs, to
//! `target/components/`.
//!
//! The published crate has no guest source: it carries the tools component as built from
//! it (`components/`, put there by `packaging/crate/package.sh`) and embeds that, so it
//! builds without the wasm target.

use std::path::PathBuf;

use sha2::Digest;

include!("guest_build.rs");
include!("package_docs.rs");
include!("compose.rs");
include!("functions_world.rs");
include!("src/sandbox/engine_config.rs");

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
        "host/functions_world.rs",
        "host/src/sandbox/engine_config.rs",
    ] {
        println!("cargo:rerun-if-changed={}", workspace.join(watched).display());
    }
    println!("cargo:rerun-if-env-changed=ORCHESTRA_GUEST_WASM");
    println!("cargo:rerun-if-env-changed=CARGO_TARGET_DIR");

    // ORCHESTRA_GUEST_WASM supplies a prebuilt component; the published crate, which has no
    // guest source beside it, embeds the one it ships; the workspace builds them all.
    let shipped_in_package = manifest_dir.join("components").join("orchestra-mcp-tools.wasm");
    let in_workspace = workspace.join("guest").join("Cargo.toml").exists() && workspace.join("wit").is_dir();
    let wasm = match std::env::var("ORCHESTRA_GUEST_WASM") {
        Ok(prebuilt) => PathBuf::from(prebuilt),
        Err(_) if !in_workspace => {
            assert!(
                shipped_in_package.exists(),
                "neither the guest's source (../guest, ../wit) nor a shipped component ({}) is here",
                shipped_in_package.display()
            );
            shipped_in_package
        }
        Err(_) => {
            let built = build_guest(&workspace, "orchestra-guest", &[]);
            let shipped = components_dir(&workspace).join("orchestra-mcp-tools.wasm");
            add_package_docs(&workspace, "tool-provider", &built, &shipped);
            // The compositions take the tools component without its docs: a reader of a
            // component's WIT refuses a second `package-docs`, even a nested one.
            let adapter = build_guest(&workspace, "orchestra-mcp-server", &[]);
            let out_dir = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
            let composed = out_dir.join("orchestra-mcp-server-without-docs.wasm");
            compose_server(&built, &adapter, &composed);
            add_package_docs(
                &workspace,
                "tool-runner",
                &composed,
                &components_dir(&workspace).join("orchestra-mcp-server.wasm"),
            );

            let world = generate_function_world(&workspace, &out_dir, &tool_summaries(&workspace));
            let adapter = build_guest_with(
                &workspace,
                "orchestra-mcp-server",
                &["functions"],
                &[("ORCHESTRA_FUNCTIONS_BINDINGS", &world.bindings_rs), ("ORCHESTRA_FUNCTIONS_IMPL", &world.impl_rs)],
            );
            let composed = out_dir.join("orchestra-mcp-functions-without-docs.wasm");
            compose_server(&built, &adapter, &composed);
            write_package_docs(
                &workspace,
                &world.root_wit,
                &composed,
                &components_dir(&workspace).join("orchestra-mcp-functions.wasm"),
            );
            shipped
        }
    };
    println!("cargo:rustc-env=ORCHESTRA_GUEST_WASM={}", wasm.display());
    let component = std::fs::read(&wasm).unwrap_or_else(|e| panic!("reading {}: {e}", wasm.display()));
    let precompiled =
        PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("orchestra-mcp-tools.cwasm");
    precompile(&component, &precompiled);
    println!("cargo:rustc-env=ORCHESTRA_MCP_PRECOMPILED={}", precompiled.display());
    let digest: String = sha2::Sha256::digest(&component).iter().map(|b| format!("{b:02x}")).collect();
    println!("cargo:rustc-env=ORCHESTRA_MCP_COMPONENT_SHA256={digest}");
    println!("cargo:rustc-env=ORCHESTRA_MCP_COMMIT={}", commit(&workspace, &manifest_dir));
}

/// Compiles the component for the build's target with the sandbox's engine settings, so the
/// binary embeds native code and its first start does not compile (`component_cache.rs`).
/// No CPU features beyond the target's baseline: the binary runs on other machines than
/// the one that built it, and the engine refuses code that needs what its CPU lacks.
fn precompile(component: &[u8], out: &std::path::Path) {
    let target = std::env::var("TARGET").expect("cargo sets TARGET");
    let mut config = engine_config();
    config.target(&target).unwrap_or_else(|e| panic!("wasmtime cannot compile for {target}: {e}"));
    let engine = wasmtime::Engine::new(&config).expect("the sandbox's engine settings are valid");
    let compiled = engine.precompile_component(component).expect("the tools component compiles");
    std::fs::write(out, compiled).unwrap_or_else(|e| panic!("writing {}: {e}", out.display()));
}

/// The commit this is built from, for `--version`: git's, in a clone; the one cargo
/// recorded when it packed the crate, in a published one.
fn commit(workspace: &std::path::Path, manifest_dir: &std::path::Path) -> String {
    let git = |args: &[&str]| {
        let out = std::process::Command::new("git").arg("-C").arg(workspace).args(args).output().ok()?;
        out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
    };
    if let Some(sha) = git(&["rev-parse", "--short=12", "HEAD"]) {
        // The reflog of HEAD changes with every commit and checkout.
        if let Some(log) = git(&["rev-parse", "--path-format=absolute", "--git-path", "logs/HEAD"]) {
            println!("cargo:rerun-if-changed={log}");
        }
        return sha;
    }
    let recorded = std::fs::read_to_string(manifest_dir.join(".cargo_vcs_info.json")).ok();
    let sha = recorded
        .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
        .and_then(|info| info["git"]["sha1"].as_str().map(|sha| sha.chars().take(12).collect()));
    sha.unwrap_or_else(|| "unknown".to_string())
}
