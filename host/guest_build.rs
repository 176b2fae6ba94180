// Shared by host/build.rs and tests/build.rs (through `include!`): builds one guest crate
// of the workspace for `wasm32-wasip2` with a nested cargo, in its own target directory so
// it does not wait on the outer build's lock.

/// Where the shipped components are written: `target/components/`.
#[allow(dead_code)]
fn components_dir(workspace: &std::path::Path) -> std::path::PathBuf {
    let dir = outer_target_dir(workspace).join("components");
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("creating {}: {e}", dir.display()));
    dir
}

/// Builds `package` with `features` and returns the path of its `.wasm` component.
#[allow(dead_code)]
fn build_guest(workspace: &std::path::Path, package: &str, features: &[&str]) -> std::path::PathBuf {
    build_guest_with(workspace, package, features, &[])
}

/// As [`build_guest`], with variables the crate's sources read (`env!`) set for the build.
/// The `.wasm` path is the same for every feature set: use it before the next build.
#[allow(dead_code)]
fn build_guest_with(
    workspace: &std::path::Path,
    package: &str,
    features: &[&str],
    env: &[(&str, &std::path::Path)],
) -> std::path::PathBuf {
    let target_dir = nested_target_dir(workspace);
    let status = nested_cargo(workspace)
        .args(["build", "-p", package, "--target", "wasm32-wasip2", "--profile", "guest"])
        .args(if features.is_empty() { vec![] } else { vec!["--features".to_string(), features.join(",")] })
        .envs(env.iter().copied())
        .status()
        .unwrap_or_else(|e| panic!("failed to run cargo to build {package}: {e}"));
    if !status.success() {
        panic!("building {package} for wasm32-wasip2 failed; if the target is missing, run `rustup target add wasm32-wasip2`");
    }
    target_dir.join("wasm32-wasip2").join("guest").join(format!("{}.wasm", package.replace('-', "_")))
}

/// The outer build's target directory.
#[allow(dead_code)]
fn outer_target_dir(workspace: &std::path::Path) -> std::path::PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| workspace.join("target"), Into::into)
}

/// The nested builds' own target directory: `target/guest/`.
#[allow(dead_code)]
fn nested_target_dir(workspace: &std::path::Path) -> std::path::PathBuf {
    outer_target_dir(workspace).join("guest")
}

/// A cargo of the outer build's toolchain, in the workspace, writing to
/// [`nested_target_dir`].
#[allow(dead_code)]
fn nested_cargo(workspace: &std::path::Path) -> std::process::Command {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let mut command = std::process::Command::new(cargo);
    command
        .current_dir(workspace)
        .env("CARGO_TARGET_DIR", nested_target_dir(workspace))
        // Flags meant for the outer build must not leak into the nested one.
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_BUILD_RUSTFLAGS")
        .env_remove("CARGO_MAKEFLAGS")
        .env_remove("RUSTC_WORKSPACE_WRAPPER");
    command
}
