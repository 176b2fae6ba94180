//! The sandbox: one compiled component, and a fresh, limited instance for every call.
//!
//! The WASI context grants nothing but `wasi:http` (filtered by [`EgressHooks`]): no
//! environment beyond the base URL, no files, no sockets, no stdin, and guest stdout and
//! stderr are discarded so they can never corrupt the MCP stream.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::{Cache, CacheConfig, Engine, Store, StoreLimits, StoreLimitsBuilder};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpView};

use crate::config::{ComponentSource, Config, Limits};
use crate::egress::{Denial, EgressHooks, EgressPolicy};

wasmtime::component::bindgen!({
    path: "../wit",
    world: "tool-provider",
    exports: { default: async },
});

pub use exports::orchestra::mcp::tools::{CallOutcome, CallRequest, ToolDescriptor, ToolError};

/// The component built into this binary.
pub const EMBEDDED_COMPONENT: &[u8] = include_bytes!(env!("ORCHESTRA_GUEST_WASM"));

/// How often the epoch advances; a running guest yields to the host at each tick, so a
/// timeout or cancellation can stop even a guest that never calls out.
const EPOCH_TICK: Duration = Duration::from_millis(10);

struct StoreState {
    wasi: WasiCtx,
    http: WasiHttpCtx,
    table: ResourceTable,
    hooks: EgressHooks,
    limits: StoreLimits,
}

impl WasiView for StoreState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView { ctx: &mut self.wasi, table: &mut self.table }
    }
}

impl WasiHttpView for StoreState {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        WasiHttpCtxView { ctx: &mut self.http, table: &mut self.table, hooks: &mut self.hooks }
    }
}

/// Why a call did not produce a result of the tool's own.
#[derive(Debug)]
pub enum CallFailure {
    /// The tool reported an error; `denials` are the requests the host refused meanwhile.
    Tool { error: ToolError, denials: Vec<Denial> },
    /// The guest trapped (panic, memory limit, stack overflow, ...).
    Trap(String),
    /// The call ran past the wall-time limit.
    Timeout(Duration),
}

pub struct Sandbox {
    engine: Engine,
    pre: ToolProviderPre<StoreState>,
    policy: Arc<EgressPolicy>,
    base_url: String,
    limits: Limits,
}

impl Sandbox {
    /// Compiles (or loads from the cache) the component and links it against WASI.
    pub fn new(config: &Config) -> anyhow::Result<Self> {
        let mut wasm_config = wasmtime::Config::new();
        wasm_config.epoch_interruption(true);
        if let Some(dir) = &config.cache_dir {
            let mut cache_config = CacheConfig::new();
            cache_config.with_directory(dir);
            match Cache::new(cache_config) {
                Ok(cache) => {
                    wasm_config.cache(Some(cache));
                }
                Err(e) => {
                    tracing::warn!(error = %e, dir = %dir.display(), "compile cache disabled")
                }
            }
        }
        let engine = Engine::new(&wasm_config).map_err(anyhow::Error::from)?;
        let component = match &config.component {
            ComponentSource::Embedded => Component::new(&engine, EMBEDDED_COMPONENT),
            ComponentSource::File(path) => Component::from_file(&engine, path),
        }
        .map_err(anyhow::Error::from)
        .context("loading the tool component")?;

        let mut linker = Linker::<StoreState>::new(&engine);
        wasmtime_wasi::p2::add_to_linker_async(&mut linker).map_err(anyhow::Error::from)?;
        wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker).map_err(anyhow::Error::from)?;
        let pre = linker
            .instantiate_pre(&component)
            .map_err(anyhow::Error::from)
            .context("the component needs an import this host does not provide")?;
        let pre = ToolProviderPre::new(pre).map_err(anyhow::Error::from)?;

        spawn_epoch_ticker(&engine);
        Ok(Self {
            engine,
            pre,
            policy: Arc::new(EgressPolicy::new(&config.base_url, config.api_key.clone(), config.limits.clone())),
            base_url: config.base_url_text(),
            limits: config.limits.clone(),
        })
    }

    fn store(&self) -> Store<StoreState> {
        let wasi = WasiCtx::builder().env("ORCHESTRA_BASE_URL", &self.base_url).build();
        let state = StoreState {
            wasi,
            http: WasiHttpCtx::new(),
            table: ResourceTable::new(),
            hooks: EgressHooks::new(self.policy.clone()),
            limits: StoreLimitsBuilder::new().memory_size(self.limits.memory_bytes).trap_on_grow_failure(true).build(),
        };
        let mut store = Store::new(&self.engine, state);
        store.limiter(|s| &mut s.limits);
        // Yield to the executor at every epoch tick, so timeouts and cancellation apply
        // to guests that compute without calling out.
        store.epoch_deadline_async_yield_and_update(1);
        store
    }

    /// The component's catalogue. Pure: the guest does no I/O here.
    pub async fn list_tools(&self) -> anyhow::Result<Vec<ToolDescriptor>> {
        let mut store = self.store();
        let instance = self.pre.instantiate_async(&mut store).await.map_err(anyhow::Error::from)?;
        instance.orchestra_mcp_tools().call_list_tools(&mut store).await.map_err(anyhow::Error::from)
    }

    /// One step of a tool call, in a fresh instance, within the wall-time limit.
    pub async fn call(&self, request: CallRequest) -> Result<CallOutcome, CallFailure> {
        let limit = self.limits.call_timeout;
        match tokio::time::timeout(limit, self.call_unbounded(request)).await {
            Ok(result) => result,
            Err(_) => Err(CallFailure::Timeout(limit)),
        }
    }

    async fn call_unbounded(&self, request: CallRequest) -> Result<CallOutcome, CallFailure> {
        let mut store = self.store();
        let instance = self.pre.instantiate_async(&mut store).await.map_err(|e| CallFailure::Trap(format!("{e:#}")))?;
        match instance.orchestra_mcp_tools().call_call_tool(&mut store, &request).await {
            Ok(Ok(outcome)) => Ok(outcome),
            Ok(Err(error)) => Err(CallFailure::Tool { error, denials: store.data().hooks.denials() }),
            Err(trap) => Err(CallFailure::Trap(describe_trap(&trap))),
        }
    }
}

fn describe_trap(error: &wasmtime::Error) -> String {
    match error.downcast_ref::<wasmtime::Trap>() {
        Some(wasmtime::Trap::StackOverflow) => "the tool overflowed its stack".to_string(),
        Some(wasmtime::Trap::UnreachableCodeReached) => "the tool panicked".to_string(),
        Some(wasmtime::Trap::AllocationTooLarge) => "the tool ran out of its memory limit".to_string(),
        Some(trap) => format!("the tool trapped: {trap}"),
        None => format!("the tool failed: {error:#}"),
    }
}

/// Advances the engine's epoch until the engine is dropped.
fn spawn_epoch_ticker(engine: &Engine) {
    let weak = engine.weak();
    std::thread::Builder::new()
        .name("epoch-ticker".into())
        .spawn(move || {
            while let Some(engine) = weak.upgrade() {
                engine.increment_epoch();
                drop(engine);
                std::thread::sleep(EPOCH_TICK);
            }
        })
        .expect("spawning the epoch ticker thread");
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The component must run in any WASI 0.2 runtime: it may import standard WASI
    /// interfaces only, and among them no file system and no raw sockets.
    #[test]
    fn the_embedded_component_imports_only_standard_wasi() {
        let engine = Engine::default();
        let component = Component::new(&engine, EMBEDDED_COMPONENT).expect("the embedded component compiles");
        let imports: Vec<String> =
            component.component_type().imports(&engine).map(|(name, _)| name.to_string()).collect();
        assert!(imports.iter().any(|n| n.starts_with("wasi:http/outgoing-handler@0.2.")), "{imports:?}");
        for name in &imports {
            assert!(name.starts_with("wasi:"), "non-standard import {name}");
            assert!(!name.starts_with("wasi:filesystem") && !name.starts_with("wasi:sockets"), "{name}");
        }
    }
}
