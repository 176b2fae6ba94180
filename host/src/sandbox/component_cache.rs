//! The compiled component. The embedded one comes compiled with the binary (`build.rs`
//! compiles it for the build's target with the engine's settings), so even a first start
//! does not compile; when this engine refuses that code (another CPU kind, say), or for a
//! component file, it is kept on disk so a server starts in milliseconds after its first
//! run. The file is named by a hash of the component's bytes and of everything in the
//! engine that affects compiled code (wasmtime's own compatibility hash: its version,
//! target and settings), so a new binary, another component or other settings never load
//! a stale artifact. It is loaded by memory-mapping, and written whole to a temporary name
//! and renamed, so a concurrent start never sees half a file. Any trouble reading it means
//! compiling again.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use anyhow::Context;
use sha2::{Digest, Sha256};
use wasmtime::Engine;
use wasmtime::component::Component;

/// The embedded component: the build's compiled code when this engine accepts it, else
/// [`load`] of its bytes.
pub fn load_embedded(
    engine: &Engine,
    bytes: &[u8],
    precompiled: &[u8],
    dir: Option<&Path>,
) -> anyhow::Result<Component> {
    match load_precompiled(engine, precompiled) {
        Ok(component) => Ok(component),
        Err(e) => {
            tracing::info!(reason = %format!("{e:#}"), "the build's compiled component does not fit this engine; compiling it here");
            load(engine, bytes, dir)
        }
    }
}

/// The compiled code built into this binary, if this engine accepts it (wasmtime checks its
/// version, settings and the CPU features the code needs).
#[allow(unsafe_code)]
pub fn load_precompiled(engine: &Engine, precompiled: &[u8]) -> anyhow::Result<Component> {
    // SAFETY: the bytes are part of this binary, written by its own build with this
    // engine's settings: the same trust as the binary's own code.
    unsafe { Component::deserialize(engine, precompiled) }.map_err(anyhow::Error::from)
}

/// Compiles `bytes`, or loads the compiled artifact from `dir` when one for exactly these
/// bytes and this engine is there (writing it there otherwise).
pub fn load(engine: &Engine, bytes: &[u8], dir: Option<&Path>) -> anyhow::Result<Component> {
    let Some(dir) = dir else { return compile(engine, bytes) };
    let path = artifact_path(engine, bytes, dir);
    if path.is_file() {
        match deserialize(engine, &path) {
            Ok(component) => return Ok(component),
            Err(e) => tracing::warn!(error = %e, path = %path.display(), "cached component unusable; compiling again"),
        }
    }
    let compiled =
        engine.precompile_component(bytes).map_err(anyhow::Error::from).context("compiling the component")?;
    if let Err(e) = store(&path, &compiled) {
        tracing::warn!(error = %e, dir = %dir.display(), "could not cache the compiled component");
    }
    // The bytes just compiled by this engine, in memory.
    deserialize_bytes(engine, &compiled)
}

fn compile(engine: &Engine, bytes: &[u8]) -> anyhow::Result<Component> {
    Component::new(engine, bytes).map_err(anyhow::Error::from).context("compiling the component")
}

/// `<dir>/component-<sha256 of the engine's compatibility hash and the bytes>.cwasm`.
fn artifact_path(engine: &Engine, bytes: &[u8], dir: &Path) -> PathBuf {
    // The compatibility hash only offers `Hash`; a fixed-key hasher turns it into bytes.
    let mut engine_hash = std::hash::DefaultHasher::new();
    engine.precompile_compatibility_hash().hash(&mut engine_hash);
    let digest = Sha256::new()
        .chain_update(engine_hash.finish().to_le_bytes())
        .chain_update(env!("CARGO_PKG_VERSION"))
        .chain_update(bytes)
        .finalize();
    let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    dir.join(format!("component-{hex}.cwasm"))
}

fn store(path: &Path, compiled: &[u8]) -> anyhow::Result<()> {
    let dir = path.parent().context("the cache path has a directory")?;
    std::fs::create_dir_all(dir)?;
    let temporary =
        dir.join(format!(".{}.{}.tmp", path.file_name().unwrap_or_default().to_string_lossy(), std::process::id()));
    std::fs::write(&temporary, compiled)?;
    std::fs::rename(&temporary, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&temporary);
    })?;
    Ok(())
}

// Loading compiled code is `unsafe` in wasmtime because a tampered artifact could run as
// native code. The artifact is one this binary wrote, in the user's own cache directory,
// under a name derived from its source: the same trust wasmtime's built-in cache places in
// its directory. The engine also checks the artifact's header against its own settings.
#[allow(unsafe_code)]
fn deserialize(engine: &Engine, path: &Path) -> anyhow::Result<Component> {
    // SAFETY: see above; the file is only ever written whole (`store`).
    unsafe { Component::deserialize_file(engine, path) }.map_err(anyhow::Error::from)
}

#[allow(unsafe_code)]
fn deserialize_bytes(engine: &Engine, compiled: &[u8]) -> anyhow::Result<Component> {
    // SAFETY: `compiled` was produced by `engine.precompile_component` a moment ago.
    unsafe { Component::deserialize(engine, compiled) }.map_err(anyhow::Error::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The smallest component: an empty one.
    const EMPTY: &[u8] = b"\0asm\x0d\0\x01\0";

    #[test]
    fn the_artifact_is_written_once_reused_and_replaced_when_unusable() {
        let engine = Engine::default();
        let dir = tempfile::tempdir().unwrap();
        load(&engine, EMPTY, Some(dir.path())).unwrap();
        let files: Vec<PathBuf> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().path()).collect();
        assert_eq!(files.len(), 1, "{files:?}");
        let artifact = &files[0];
        assert!(artifact.extension().is_some_and(|e| e == "cwasm"));
        let written = std::fs::metadata(artifact).unwrap().modified().unwrap();
        load(&engine, EMPTY, Some(dir.path())).unwrap();
        assert_eq!(std::fs::metadata(artifact).unwrap().modified().unwrap(), written, "reused, not rewritten");

        std::fs::write(artifact, b"not a compiled component").unwrap();
        load(&engine, EMPTY, Some(dir.path())).expect("a broken artifact means compiling again");
        assert_ne!(std::fs::read(artifact).unwrap(), b"not a compiled component");
    }

    #[test]
    fn the_name_changes_with_the_bytes_and_with_the_engine() {
        let dir = Path::new("/cache");
        let engine = Engine::default();
        let mut other_config = wasmtime::Config::new();
        other_config.epoch_interruption(true);
        let other = Engine::new(&other_config).unwrap();
        let a = artifact_path(&engine, EMPTY, dir);
        assert_eq!(a, artifact_path(&engine, EMPTY, dir));
        assert_ne!(a, artifact_path(&engine, b"\0asm\x0d\0\x01\0\0", dir));
        assert_ne!(a, artifact_path(&other, EMPTY, dir), "other engine settings, another artifact");
    }
}
