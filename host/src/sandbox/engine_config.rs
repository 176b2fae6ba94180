// The engine's settings, declared once: the host's engine is made from them, and so is the
// engine `build.rs` precompiles the embedded component with (it includes this file).
// Compiled code loads only into an engine whose settings match the compiler's, so the two
// must never drift. (No inner doc comment: this file is `include!`d.)

/// Every setting of the sandbox's engine that compiled code depends on.
pub fn engine_config() -> wasmtime::Config {
    let mut config = wasmtime::Config::new();
    // The wall-time and CPU limits interrupt the guest at epoch ticks.
    config.epoch_interruption(true);
    config
}
