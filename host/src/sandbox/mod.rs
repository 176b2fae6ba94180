//! The sandbox: one compiled component, and a fresh, limited instance for every call.
//!
//! The linker provides only the WASI interfaces a tool component needs (clocks, random,
//! cli environment/exit/stdio, io) plus `wasi:http`, filtered by [`EgressHooks`]: no file
//! system and no sockets, so a component that imports them does not load. The guest's
//! environment holds only non-secret settings (`Config::guest_env`), stdin is empty, and
//! its stdout and stderr are captured (bounded) into the host's log on stderr, never the
//! MCP stream.
//!
//! The rooms: `egress.rs` decides what may leave, `pool.rs` sends it over vetted
//! connections (names resolved by `resolve.rs`), `allowlist.rs` is the host grammar and
//! the prohibited addresses, `component_cache.rs` keeps the compiled component.

pub mod allowlist;
pub mod component_cache;
pub mod egress;
pub mod engine_config;
pub mod pool;
pub mod resolve;

use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context as TaskContext, Poll};
use std::time::Duration;

use anyhow::Context;
use tokio::io::AsyncWrite;
use tokio::sync::Semaphore;
use wasmtime::component::{Linker, ResourceTable};
use wasmtime::{Engine, ResourceLimiter, Store, StoreLimits, StoreLimitsBuilder, UpdateDeadline};
use wasmtime_wasi::cli::{IsTerminal, StdoutStream, WasiCli, WasiCliView};
use wasmtime_wasi::random::WasiRandom;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpView};

use orchestra_mcp_face::descriptor as face;

use crate::sandbox::egress::{Denial, EgressHooks, EgressPolicy};
use crate::settings::config::{ApiKey, ComponentSource, Config, Limits};

wasmtime::component::bindgen!({
    path: "wit",
    world: "tool-provider",
    exports: { default: async },
});

pub use exports::orchestra::mcp::tools::{
    CallOutcome, CallRequest, Completion, CompletionRequest, CompletionTarget, PromptDescriptor, PromptMessage,
    ResourceContents, ResourceTemplate, Role, ToolDescriptor, ToolError,
};

// The contract's types as the shared MCP face knows them, field for field.
impl From<ToolDescriptor> for face::ToolDescriptor {
    fn from(d: ToolDescriptor) -> Self {
        let a = d.annotations;
        Self {
            name: d.name,
            title: d.title,
            description: d.description,
            toolset: d.toolset,
            input_schema: d.input_schema,
            output_schema: d.output_schema,
            annotations: face::Annotations {
                read_only: a.read_only,
                destructive: a.destructive,
                idempotent: a.idempotent,
                open_world: a.open_world,
            },
            opt_in: d.opt_in,
        }
    }
}

impl From<PromptDescriptor> for face::PromptDescriptor {
    fn from(p: PromptDescriptor) -> Self {
        let arguments = p
            .arguments
            .into_iter()
            .map(|a| face::PromptArgument { name: a.name, description: a.description, required: a.required })
            .collect();
        Self { name: p.name, title: p.title, description: p.description, arguments }
    }
}

impl From<PromptMessage> for face::PromptMessage {
    fn from(m: PromptMessage) -> Self {
        Self { user: matches!(m.role, Role::User), text: m.text }
    }
}

impl From<ResourceTemplate> for face::ResourceTemplate {
    fn from(t: ResourceTemplate) -> Self {
        Self {
            uri_template: t.uri_template,
            name: t.name,
            title: t.title,
            description: t.description,
            mime_type: t.mime_type,
        }
    }
}

impl From<face::CompletionRequest> for CompletionRequest {
    fn from(r: face::CompletionRequest) -> Self {
        let target = match r.target {
            face::CompletionTarget::Prompt(name) => CompletionTarget::Prompt(name),
            face::CompletionTarget::ResourceTemplate(uri) => CompletionTarget::ResourceTemplate(uri),
        };
        Self { target, argument: r.argument, value: r.value, context: r.context }
    }
}

impl From<Completion> for face::Completion {
    fn from(c: Completion) -> Self {
        Self { values: c.values, total: c.total, has_more: c.has_more }
    }
}

impl From<ToolError> for face::ToolError {
    fn from(error: ToolError) -> Self {
        match error {
            ToolError::UnknownTool(s) => Self::UnknownTool(s),
            ToolError::InvalidArguments(a) => Self::InvalidArguments { field: a.field, message: a.message },
            ToolError::Upstream(u) => Self::Upstream(face::Upstream {
                status: u.status,
                request: u.request,
                detail: u.detail,
                retry_after_seconds: u.retry_after_seconds,
                hint: u.hint,
            }),
            ToolError::EgressDenied(s) => Self::EgressDenied(s),
            ToolError::Timeout(s) => Self::Timeout(s),
            ToolError::Transport(s) => Self::Transport(s),
            ToolError::UnexpectedResponse(s) => Self::UnexpectedResponse(s),
            ToolError::Internal(s) => Self::Internal(s),
        }
    }
}

/// One entry point of the component that runs in a fresh, limited instance.
pub enum Step {
    /// One step of a tool call.
    Tool(CallRequest),
    /// A prompt's messages, for a name and a JSON object of arguments.
    Prompt { name: String, arguments: String },
    /// One resource read, by URI.
    Resource(String),
    /// Values for a prompt's or resource template's argument.
    Complete(CompletionRequest),
}

/// What a [`Step`] produced.
pub enum StepOutput {
    Tool(CallOutcome),
    Prompt(Vec<PromptMessage>),
    Resource(ResourceContents),
    Completion(Completion),
}

impl Step {
    /// What the step is about, for logs.
    fn label(&self) -> String {
        match self {
            Self::Tool(request) => request.tool.clone(),
            Self::Prompt { name, .. } => format!("prompt {name}"),
            Self::Resource(_) => "resource read".to_string(),
            Self::Complete(request) => format!("completion of {}", request.argument),
        }
    }
}

/// The component built into this binary.
pub const EMBEDDED_COMPONENT: &[u8] = include_bytes!(env!("ORCHESTRA_GUEST_WASM"));

/// The same component compiled by the build for its target (`build.rs`).
const EMBEDDED_PRECOMPILED: &[u8] = include_bytes!(env!("ORCHESTRA_MCP_PRECOMPILED"));

/// How often the epoch advances. A running guest yields to the host at each tick (so a
/// timeout or cancellation can stop even a guest that never calls out), and each tick in
/// which it ran counts against its CPU budget.
const EPOCH_TICK: Duration = Duration::from_millis(10);

/// How much of a guest's stdout and stderr is kept for the log, per call.
const GUEST_OUTPUT_BYTES: usize = 16 * 1024;

struct StoreState {
    wasi: WasiCtx,
    http: WasiHttpCtx,
    table: ResourceTable,
    hooks: EgressHooks,
    memory: MemoryGuard,
    /// Epoch ticks the guest may still run for.
    cpu_ticks_left: u64,
    cpu_exhausted: bool,
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

/// `StoreLimits`, remembering whether a memory growth was refused so the failure can be
/// named precisely.
struct MemoryGuard {
    limits: StoreLimits,
    refused: bool,
}

impl ResourceLimiter for MemoryGuard {
    fn memory_growing(&mut self, current: usize, desired: usize, maximum: Option<usize>) -> wasmtime::Result<bool> {
        let answer = self.limits.memory_growing(current, desired, maximum);
        if !matches!(answer, Ok(true)) {
            self.refused = true;
        }
        answer
    }

    fn table_growing(&mut self, current: usize, desired: usize, maximum: Option<usize>) -> wasmtime::Result<bool> {
        self.limits.table_growing(current, desired, maximum)
    }
}

/// A guest's stdout or stderr: keeps the first bytes for the log and accepts (and drops)
/// the rest, so a chatty guest neither fails nor grows host memory.
#[derive(Clone, Default)]
struct GuestOutput(Arc<Mutex<Vec<u8>>>);

impl GuestOutput {
    fn text(&self) -> Option<String> {
        let bytes = self.0.lock().ok()?;
        // escape_debug neutralises terminal escape sequences and control characters.
        (!bytes.is_empty()).then(|| String::from_utf8_lossy(&bytes).escape_debug().to_string())
    }
}

impl IsTerminal for GuestOutput {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl StdoutStream for GuestOutput {
    fn async_stream(&self) -> Box<dyn AsyncWrite + Send + Sync> {
        Box::new(self.clone())
    }
}

impl AsyncWrite for GuestOutput {
    fn poll_write(self: Pin<&mut Self>, _: &mut TaskContext<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        if let Ok(mut kept) = self.0.lock() {
            let room = GUEST_OUTPUT_BYTES.saturating_sub(kept.len());
            kept.extend_from_slice(&buf[..buf.len().min(room)]);
        }
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut TaskContext<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut TaskContext<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

/// Why a call did not produce a result of the tool's own.
#[derive(Debug)]
pub enum CallFailure {
    /// The tool reported an error; `denials` are the requests the host refused meanwhile.
    Tool { error: ToolError, denials: Vec<Denial> },
    /// The guest trapped (panic, stack overflow, ...).
    Trap(String),
    /// The guest tried to grow its memory past the limit.
    MemoryLimit(usize),
    /// The guest computed for longer than its CPU budget.
    CpuLimit(Duration),
    /// The call ran past the wall-time limit.
    Timeout(Duration),
    /// Too many calls are running and queued already.
    Busy { running: usize, queued: usize },
}

/// Everything the component publishes, read once at start-up.
pub struct GuestCatalogue {
    pub tools: Vec<ToolDescriptor>,
    pub prompts: Vec<PromptDescriptor>,
    pub resource_templates: Vec<ResourceTemplate>,
}

/// Counts a call waiting for a slot; the count drops when the wait ends either way.
struct QueueSlot<'a>(&'a AtomicUsize);

impl Drop for QueueSlot<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

pub struct Sandbox {
    engine: Engine,
    pre: ToolProviderPre<StoreState>,
    policy: Arc<EgressPolicy>,
    /// Orchestra's API base, for the readiness check.
    base_url: url::Url,
    /// Non-secret settings for the component (`ORCHESTRA_BASE_URL`, ...).
    guest_env: Vec<(&'static str, String)>,
    limits: Limits,
    slots: Semaphore,
    queued: AtomicUsize,
}

/// Links the WASI interfaces a tool component may import: the `wasi:http/proxy` set (io,
/// clocks, random, stdio), the rest of `wasi:cli` that Rust's standard library imports,
/// `wasi:random/insecure*`, and `wasi:http`. Deliberately absent: `wasi:filesystem` and
/// `wasi:sockets`.
fn link(linker: &mut Linker<StoreState>) -> wasmtime::Result<()> {
    use wasmtime_wasi::p2::bindings::{cli, random};
    fn cli_view(s: &mut StoreState) -> wasmtime_wasi::cli::WasiCliCtxView<'_> {
        s.cli()
    }
    fn random_ctx(s: &mut StoreState) -> &mut wasmtime_wasi::random::WasiRandomCtx {
        s.wasi.random()
    }
    wasmtime_wasi::p2::add_to_linker_proxy_interfaces_async(linker)?;
    cli::environment::add_to_linker::<StoreState, WasiCli>(linker, cli_view)?;
    cli::exit::add_to_linker::<StoreState, WasiCli>(linker, cli_view)?;
    cli::terminal_input::add_to_linker::<StoreState, WasiCli>(linker, cli_view)?;
    cli::terminal_output::add_to_linker::<StoreState, WasiCli>(linker, cli_view)?;
    cli::terminal_stdin::add_to_linker::<StoreState, WasiCli>(linker, cli_view)?;
    cli::terminal_stdout::add_to_linker::<StoreState, WasiCli>(linker, cli_view)?;
    cli::terminal_stderr::add_to_linker::<StoreState, WasiCli>(linker, cli_view)?;
    random::insecure::add_to_linker::<StoreState, WasiRandom>(linker, random_ctx)?;
    random::insecure_seed::add_to_linker::<StoreState, WasiRandom>(linker, random_ctx)?;
    wasmtime_wasi_http::p2::add_only_http_to_linker_async(linker)
}

impl Sandbox {
    /// Loads the embedded component as the build compiled it (compiling it, or loading it
    /// from the cache, when this engine cannot use that), or compiles (or loads from the
    /// cache) a component file, and links it against WASI.
    pub fn new(config: &Config) -> anyhow::Result<Self> {
        let engine = engine(&config.limits)?;
        let cache = config.cache_dir.as_deref();
        let component = match &config.component {
            ComponentSource::Embedded => {
                component_cache::load_embedded(&engine, EMBEDDED_COMPONENT, EMBEDDED_PRECOMPILED, cache)
            }
            ComponentSource::File(path) => {
                let bytes = std::fs::read(path).with_context(|| format!("reading the component {}", path.display()))?;
                component_cache::load(&engine, &bytes, cache)
            }
        }
        .context("loading the tool component")?;
        fits_the_pool(&component)?;

        let mut linker = Linker::<StoreState>::new(&engine);
        link(&mut linker).map_err(anyhow::Error::from)?;
        let pre = linker.instantiate_pre(&component).map_err(anyhow::Error::from).context(
            "the component imports an interface this host does not provide (tool components get \
             wasi:http, clocks, random and cli only; no file system and no sockets)",
        )?;
        let pre = ToolProviderPre::new(pre).map_err(anyhow::Error::from)?;

        spawn_epoch_ticker(&engine);
        let limits = config.limits.clone();
        Ok(Self {
            engine,
            pre,
            policy: Arc::new(EgressPolicy::new(
                &config.base_url,
                config.extra_allowed_hosts.clone(),
                config.allow_insecure_loopback,
                limits.clone(),
            )?),
            base_url: config.base_url.clone(),
            guest_env: config.guest_env(),
            slots: Semaphore::new(limits.max_concurrent_calls.max(1)),
            queued: AtomicUsize::new(0),
            limits,
        })
    }

    fn store(&self, key: Option<&ApiKey>, stdout: &GuestOutput, stderr: &GuestOutput) -> Store<StoreState> {
        let mut wasi = WasiCtx::builder();
        for (name, value) in &self.guest_env {
            wasi.env(name, value);
        }
        let wasi = wasi.stdout(stdout.clone()).stderr(stderr.clone()).build();
        let state = StoreState {
            wasi,
            http: WasiHttpCtx::new(),
            table: ResourceTable::new(),
            hooks: EgressHooks::new(self.policy.clone(), key.cloned()),
            memory: MemoryGuard {
                limits: StoreLimitsBuilder::new()
                    .memory_size(self.limits.memory_bytes)
                    .trap_on_grow_failure(true)
                    .build(),
                refused: false,
            },
            cpu_ticks_left: (self.limits.cpu_time.as_millis() / EPOCH_TICK.as_millis()).max(1) as u64,
            cpu_exhausted: false,
        };
        let mut store = Store::new(&self.engine, state);
        store.limiter(|s| &mut s.memory);
        // Without an initial deadline the first epoch check would trap at once.
        store.set_epoch_deadline(1);
        // Each tick in which the guest runs costs one tick of its CPU budget; until the
        // budget is spent the guest yields to the executor, so timeouts and cancellation
        // also reach guests that compute without calling out.
        store.epoch_deadline_callback(|mut ctx| {
            let state = ctx.data_mut();
            if state.cpu_ticks_left == 0 {
                state.cpu_exhausted = true;
                return Ok(UpdateDeadline::Interrupt);
            }
            state.cpu_ticks_left -= 1;
            Ok(UpdateDeadline::Yield(1))
        });
        store
    }

    /// The component's catalogue: tools, prompts and resource templates. Pure: the guest
    /// does no I/O here, so the host reads it once at start-up.
    pub async fn catalogue(&self) -> anyhow::Result<GuestCatalogue> {
        let (stdout, stderr) = (GuestOutput::default(), GuestOutput::default());
        let mut store = self.store(None, &stdout, &stderr);
        let instance = self.pre.instantiate_async(&mut store).await.map_err(anyhow::Error::from)?;
        let exports = instance.orchestra_mcp_tools();
        let catalogue = GuestCatalogue {
            tools: exports.call_list_tools(&mut store).await?,
            prompts: exports.call_list_prompts(&mut store).await?,
            resource_templates: exports.call_list_resource_templates(&mut store).await?,
        };
        log_guest_output("catalogue", &stdout, &stderr);
        Ok(catalogue)
    }

    /// Whether Orchestra's base URL answers at all (any HTTP status), sent without a key
    /// through the egress checks: the optional part of readiness.
    pub async fn orchestra_answers(&self) -> Result<u16, String> {
        self.policy.answers(&self.base_url).await
    }

    /// One step of a tool call (see [`Sandbox::run`]).
    pub async fn call(&self, request: CallRequest, key: Option<&ApiKey>) -> Result<CallOutcome, CallFailure> {
        match self.run(Step::Tool(request), key).await? {
            StepOutput::Tool(outcome) => Ok(outcome),
            _ => Err(CallFailure::Trap("the component answered a tool call with something else".into())),
        }
    }

    /// One step in a fresh instance: waits for a free slot (bounded queue), then runs
    /// within the wall-time, CPU and memory limits. The host adds `key` to the step's
    /// requests to Orchestra; the instance, and the key with it, is dropped at the end.
    pub async fn run(&self, step: Step, key: Option<&ApiKey>) -> Result<StepOutput, CallFailure> {
        let _permit = match self.slots.try_acquire() {
            Ok(permit) => permit,
            Err(_) => {
                let waiting = self.queued.fetch_add(1, Ordering::SeqCst);
                let _slot = QueueSlot(&self.queued);
                if waiting >= self.limits.max_queued_calls {
                    return Err(CallFailure::Busy { running: self.limits.max_concurrent_calls, queued: waiting });
                }
                self.slots.acquire().await.map_err(|_| CallFailure::Trap("the sandbox is shutting down".into()))?
            }
        };
        let limit = self.limits.call_timeout;
        let (stdout, stderr) = (GuestOutput::default(), GuestOutput::default());
        let label = step.label();
        let result = match tokio::time::timeout(limit, self.run_unbounded(step, key, &stdout, &stderr)).await {
            Ok(result) => result,
            Err(_) => Err(CallFailure::Timeout(limit)),
        };
        log_guest_output(&label, &stdout, &stderr);
        result
    }

    async fn run_unbounded(
        &self,
        step: Step,
        key: Option<&ApiKey>,
        stdout: &GuestOutput,
        stderr: &GuestOutput,
    ) -> Result<StepOutput, CallFailure> {
        let mut store = self.store(key, stdout, stderr);
        let instance = self.pre.instantiate_async(&mut store).await.map_err(|e| CallFailure::Trap(format!("{e:#}")))?;
        let exports = instance.orchestra_mcp_tools();
        let result = match &step {
            Step::Tool(request) => exports.call_call_tool(&mut store, request).await.map(|r| r.map(StepOutput::Tool)),
            Step::Prompt { name, arguments } => {
                exports.call_get_prompt(&mut store, name, arguments).await.map(|r| r.map(StepOutput::Prompt))
            }
            Step::Resource(uri) => {
                exports.call_read_resource(&mut store, uri).await.map(|r| r.map(StepOutput::Resource))
            }
            Step::Complete(request) => {
                exports.call_complete(&mut store, request).await.map(|r| r.map(StepOutput::Completion))
            }
        };
        let state = store.data();
        match result {
            Ok(Ok(outcome)) => Ok(outcome),
            Ok(Err(error)) => Err(CallFailure::Tool { error, denials: state.hooks.denials() }),
            Err(_) if state.cpu_exhausted => Err(CallFailure::CpuLimit(self.limits.cpu_time)),
            Err(_) if state.memory.refused => Err(CallFailure::MemoryLimit(self.limits.memory_bytes)),
            Err(trap) => Err(CallFailure::Trap(describe_trap(&trap))),
        }
    }
}

/// Logs what a guest printed (bounded, escaped); it never reaches the MCP stream.
fn log_guest_output(tool: &str, stdout: &GuestOutput, stderr: &GuestOutput) {
    if let Some(text) = stdout.text() {
        tracing::info!(tool, stream = "stdout", output = %text, "guest output");
    }
    if let Some(text) = stderr.text() {
        tracing::info!(tool, stream = "stderr", output = %text, "guest output");
    }
}

fn describe_trap(error: &wasmtime::Error) -> String {
    match error.downcast_ref::<wasmtime::Trap>() {
        Some(wasmtime::Trap::StackOverflow) => "the tool overflowed its stack".to_string(),
        Some(wasmtime::Trap::UnreachableCodeReached) => "the tool panicked".to_string(),
        Some(wasmtime::Trap::MemoryOutOfBounds) => {
            "the tool accessed memory out of bounds (in Rust guests, usually its data stack overflowing)".to_string()
        }
        Some(trap) => format!("the tool trapped: {trap}"),
        None => format!("the tool failed: {error:#}"),
    }
}

/// What one call's instance may hold; the pool has room for this much per slot. The tools
/// component needs 3 core instances, 1 memory and 2 tables; a component file that needs
/// more is refused at start-up (`fits_the_pool`).
const CORE_INSTANCES_PER_CALL: u32 = 16;
const MEMORIES_PER_CALL: u32 = 2;
const TABLES_PER_CALL: u32 = 4;

/// How much of a slot's memory, tables and stack is zeroed in place when a call ends; the
/// rest is handed back to the kernel. Zeroing what a call touches (the tools component's
/// stack, data and first heap pages fit in 2 MiB) costs less than returning those pages and
/// taking a page fault for each of them on the next call: measured, about 0.04 ms of CPU
/// and of latency a call. A used slot keeps that much resident.
const MEMORY_KEPT_RESIDENT: usize = 2 << 20;
const TABLE_KEPT_RESIDENT: usize = 64 << 10;
const STACK_KEPT_RESIDENT: usize = 128 << 10;

/// The engine: the compiled-code settings (`engine_config.rs`) and, for the runtime only, a
/// pooling allocator: a call's instance takes a slot whose memory, tables and stack were
/// mapped once and are reset in place when the call ends, instead of mapping and unmapping
/// them for every call. One slot per call the sandbox runs at once, plus one for the
/// catalogue read at start-up; the slots' memories are capped at the memory limit, which
/// the store's limiter enforces first.
fn engine(limits: &Limits) -> anyhow::Result<Engine> {
    let slots = u32::try_from(limits.max_concurrent_calls.max(1)).unwrap_or(u32::MAX).saturating_add(1);
    let mut pool = wasmtime::PoolingAllocationConfig::new();
    pool.total_component_instances(slots)
        .total_core_instances(slots.saturating_mul(CORE_INSTANCES_PER_CALL))
        .max_core_instances_per_component(CORE_INSTANCES_PER_CALL)
        .total_memories(slots.saturating_mul(MEMORIES_PER_CALL))
        .max_memories_per_component(MEMORIES_PER_CALL)
        .total_tables(slots.saturating_mul(TABLES_PER_CALL))
        .max_tables_per_component(TABLES_PER_CALL)
        .total_stacks(slots)
        .max_memory_size(limits.memory_bytes)
        .linear_memory_keep_resident(MEMORY_KEPT_RESIDENT.min(limits.memory_bytes))
        .table_keep_resident(TABLE_KEPT_RESIDENT)
        .async_stack_keep_resident(STACK_KEPT_RESIDENT);
    let mut config = engine_config::engine_config();
    config.allocation_strategy(pool);
    Engine::new(&config).map_err(anyhow::Error::from)
}

/// Refuses, with what to change, a component the pool has no room for.
fn fits_the_pool(component: &wasmtime::component::Component) -> anyhow::Result<()> {
    let Some(needs) = component.resources_required() else {
        anyhow::bail!("the component instantiates modules it imports; this host runs only self-contained components")
    };
    anyhow::ensure!(
        needs.num_memories <= MEMORIES_PER_CALL && needs.num_tables <= TABLES_PER_CALL,
        "the component needs {} memories and {} tables per instance; this host's sandbox holds at most {} and {}",
        needs.num_memories,
        needs.num_tables,
        MEMORIES_PER_CALL,
        TABLES_PER_CALL
    );
    Ok(())
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

    /// The first start uses the build's compiled code instead of compiling: the engine of
    /// the host's settings accepts it on the machine that built it.
    #[test]
    fn the_engine_accepts_the_component_the_build_compiled() {
        let engine = engine(&Limits::default()).unwrap();
        let component =
            component_cache::load_precompiled(&engine, EMBEDDED_PRECOMPILED).expect("the precompiled component loads");
        fits_the_pool(&component).expect("the tools component fits the pool");
    }

    /// The component must run in any WASI 0.2 runtime: it may import standard WASI
    /// interfaces only, and among them no file system and no raw sockets.
    #[test]
    fn the_embedded_component_imports_only_standard_wasi() {
        let engine = Engine::default();
        let component =
            wasmtime::component::Component::new(&engine, EMBEDDED_COMPONENT).expect("the embedded component compiles");
        let imports: Vec<String> =
            component.component_type().imports(&engine).map(|(name, _)| name.to_string()).collect();
        assert!(imports.iter().any(|n| n.starts_with("wasi:http/outgoing-handler@0.2.")), "{imports:?}");
        for name in &imports {
            assert!(name.starts_with("wasi:"), "non-standard import {name}");
            assert!(!name.starts_with("wasi:filesystem") && !name.starts_with("wasi:sockets"), "{name}");
        }
    }
}
