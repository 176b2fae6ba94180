//! The `orchestra-mcp` binary: command-line parsing and logging; the work is in the library.
//! stdout belongs to the MCP protocol, so everything else goes to stderr.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use std::time::Duration;

use orchestra_mcp::allowlist::AllowedHost;
use orchestra_mcp::config::{ApiKey, ComponentSource, Config, DEFAULT_BASE_URL, Limits};
use orchestra_mcp::exposure::Exposure;

#[derive(Parser)]
#[command(
    name = "orchestra-mcp",
    version,
    about = "MCP server for Orchestra (getorchestra.io), sandboxed in WebAssembly"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    serve: ServeArgs,
}

#[derive(Subcommand)]
enum Command {
    /// Serve MCP over stdio (the default). The key comes from ORCHESTRA_API_KEY.
    Serve(Box<ServeArgs>),
    /// Start the built-in fake Orchestra on loopback and drive this server through real
    /// MCP calls against it. Needs no API key and no network.
    Demo,
}

#[derive(clap::Args, Clone)]
struct ServeArgs {
    /// Orchestra's public API base URL.
    #[arg(long, env = "ORCHESTRA_BASE_URL", default_value = DEFAULT_BASE_URL)]
    base_url: String,
    /// The Orchestra account (workspace id) to act in by default, sent as
    /// X-Orchestra-Account-Id; a tool call's `account_id` argument overrides it.
    #[arg(long, env = "ORCHESTRA_ACCOUNT_ID")]
    account_id: Option<String>,
    /// Allow plain http to a loopback base URL (for a local fake API only).
    #[arg(long, env = "ORCHESTRA_ALLOW_INSECURE_LOOPBACK", value_parser = clap::builder::BoolishValueParser::new(), default_value_t = false)]
    allow_insecure_loopback: bool,
    /// Run this tool component instead of the embedded one.
    #[arg(long, env = "ORCHESTRA_MCP_COMPONENT")]
    component: Option<PathBuf>,
    /// Where to cache the compiled component (default: the user cache directory).
    #[arg(long, env = "ORCHESTRA_MCP_CACHE_DIR")]
    cache_dir: Option<PathBuf>,
    /// Compile the component at every start instead of caching it.
    #[arg(long)]
    no_cache: bool,
    /// Further hosts tools may reach, in the grammar `scheme://host[:port]` (`*.domain`
    /// and `*` port allowed); comma-separated. They never receive the API key.
    #[arg(long = "allow-host", env = "ORCHESTRA_MCP_ALLOWED_HOSTS", value_delimiter = ',')]
    allowed_hosts: Vec<String>,
    /// How long a successful call with a `dedupe_key` (starting a pipeline) is remembered,
    /// in seconds: a repeat within it gets the first answer and starts nothing. 0 turns
    /// it off [default: 600].
    #[arg(long, env = "ORCHESTRA_MCP_DEDUPE_WINDOW_SECS")]
    dedupe_window_secs: Option<u64>,
    #[command(flatten)]
    exposure: ExposureArgs,
    #[command(flatten)]
    limits: LimitArgs,
}

/// Which tools are exposed. Each toolset can also be switched with
/// `ORCHESTRA_MCP_ENABLE_<TOOLSET>=true` or `ORCHESTRA_MCP_DISABLE_<TOOLSET>=true`.
#[derive(clap::Args, Clone)]
struct ExposureArgs {
    /// Expose only read-only tools: nothing that starts, cancels, changes or deletes.
    #[arg(long, env = "ORCHESTRA_MCP_READ_ONLY", value_parser = clap::builder::BoolishValueParser::new(), default_value_t = false)]
    read_only: bool,
    /// Tools to expose, comma-separated. Naming only opt-in tools (deletes, asset writes,
    /// integration state) adds them to the defaults; naming any other tool or a toolset
    /// exposes only what is enabled.
    #[arg(long, env = "ORCHESTRA_MCP_ENABLE_TOOLS", value_delimiter = ',')]
    enable_tools: Vec<String>,
    /// Tools to leave out, comma-separated.
    #[arg(long, env = "ORCHESTRA_MCP_DISABLE_TOOLS", value_delimiter = ',')]
    disable_tools: Vec<String>,
    /// Toolsets to expose, comma-separated (e.g. `triage,pipeline_runs`).
    #[arg(long, env = "ORCHESTRA_MCP_ENABLE_TOOLSETS", value_delimiter = ',')]
    enable_toolsets: Vec<String>,
    /// Toolsets to leave out, comma-separated.
    #[arg(long, env = "ORCHESTRA_MCP_DISABLE_TOOLSETS", value_delimiter = ',')]
    disable_toolsets: Vec<String>,
}

impl ExposureArgs {
    fn exposure(&self) -> Exposure {
        let set = |names: &[String]| names.iter().map(|n| n.trim().to_string()).filter(|n| !n.is_empty()).collect();
        let lower =
            |names: &[String]| names.iter().map(|n| n.trim().to_ascii_lowercase()).filter(|n| !n.is_empty()).collect();
        let mut exposure = Exposure {
            enable_tools: set(&self.enable_tools),
            disable_tools: set(&self.disable_tools),
            enable_toolsets: lower(&self.enable_toolsets),
            disable_toolsets: lower(&self.disable_toolsets),
            read_only: self.read_only,
        };
        // Skips variables that are not Unicode, where `std::env::vars` would panic.
        exposure.add_toolset_switches(
            std::env::vars_os().filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?))),
        );
        exposure
    }
}

/// Per-call sandbox limits; each defaults to the value in `Limits::default()`.
#[derive(clap::Args, Clone)]
struct LimitArgs {
    /// Wall time for one tool call, in seconds [default: 60].
    #[arg(long, env = "ORCHESTRA_MCP_CALL_TIMEOUT_SECS")]
    call_timeout_secs: Option<u64>,
    /// CPU time a tool may compute for in one call step, in milliseconds [default: 10000].
    #[arg(long, env = "ORCHESTRA_MCP_CPU_MS")]
    cpu_ms: Option<u64>,
    /// Memory one tool instance may use, in MiB [default: 128].
    #[arg(long, env = "ORCHESTRA_MCP_MEMORY_MB")]
    memory_mb: Option<usize>,
    /// Largest response body accepted from Orchestra, in bytes [default: 33554432].
    #[arg(long, env = "ORCHESTRA_MCP_MAX_RESPONSE_BYTES")]
    max_response_bytes: Option<usize>,
    /// Longest wait for a connection to Orchestra, in milliseconds [default: 10000].
    #[arg(long, env = "ORCHESTRA_MCP_CONNECT_TIMEOUT_MS")]
    connect_timeout_ms: Option<u64>,
    /// Longest wait for the first byte of an answer, in milliseconds [default: 30000].
    #[arg(long, env = "ORCHESTRA_MCP_FIRST_BYTE_TIMEOUT_MS")]
    first_byte_timeout_ms: Option<u64>,
    /// Longest wait between bytes of an answer, in milliseconds [default: 30000].
    #[arg(long, env = "ORCHESTRA_MCP_BETWEEN_BYTES_TIMEOUT_MS")]
    between_bytes_timeout_ms: Option<u64>,
    /// Characters a tool result should fit in; longer lists are shortened, with a note
    /// saying so [default: 40000].
    #[arg(long, env = "ORCHESTRA_MCP_MAX_RESULT_CHARS")]
    max_result_chars: Option<usize>,
    /// Tool calls running at once [default: 8].
    #[arg(long, env = "ORCHESTRA_MCP_MAX_CONCURRENT_CALLS")]
    max_concurrent_calls: Option<usize>,
    /// Calls that may wait for a free slot before new ones are refused as busy [default: 64].
    #[arg(long, env = "ORCHESTRA_MCP_MAX_QUEUED_CALLS")]
    max_queued_calls: Option<usize>,
}

impl LimitArgs {
    fn apply(&self, limits: &mut Limits) {
        if let Some(s) = self.call_timeout_secs {
            limits.call_timeout = Duration::from_secs(s);
        }
        if let Some(ms) = self.cpu_ms {
            limits.cpu_time = Duration::from_millis(ms);
        }
        if let Some(mb) = self.memory_mb {
            limits.memory_bytes = mb * 1024 * 1024;
        }
        if let Some(bytes) = self.max_response_bytes {
            limits.max_response_body_bytes = bytes;
        }
        if let Some(ms) = self.connect_timeout_ms {
            limits.connect_timeout = Duration::from_millis(ms);
        }
        if let Some(ms) = self.first_byte_timeout_ms {
            limits.first_byte_timeout = Duration::from_millis(ms);
        }
        if let Some(ms) = self.between_bytes_timeout_ms {
            limits.between_bytes_timeout = Duration::from_millis(ms);
        }
        if let Some(n) = self.max_result_chars {
            limits.max_result_chars = n;
        }
        if let Some(n) = self.max_concurrent_calls {
            limits.max_concurrent_calls = n;
        }
        if let Some(n) = self.max_queued_calls {
            limits.max_queued_calls = n;
        }
    }
}

impl ServeArgs {
    fn config(&self) -> anyhow::Result<Config> {
        // The key is read from the environment only: a flag would show in process listings.
        let api_key = std::env::var("ORCHESTRA_API_KEY").ok().and_then(ApiKey::new);
        let component = self.component.clone().map_or(ComponentSource::Embedded, ComponentSource::File);
        let cache_dir = if self.no_cache {
            None
        } else {
            self.cache_dir.clone().or_else(|| dirs::cache_dir().map(|d| d.join("orchestra-mcp").join("wasmtime")))
        };
        let mut config = Config::new(&self.base_url, api_key, self.allow_insecure_loopback, component, cache_dir)?;
        self.limits.apply(&mut config.limits);
        config.extra_allowed_hosts =
            self.allowed_hosts.iter().map(|h| AllowedHost::parse(h)).collect::<Result<_, _>>()?;
        config.exposure = self.exposure.exposure();
        config.set_account_id(self.account_id.as_deref())?;
        if let Some(secs) = self.dedupe_window_secs {
            config.dedupe_window = Duration::from_secs(secs);
        }
        Ok(config)
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // The demo prints to the terminal; only problems should interrupt it.
    let default_filter = if matches!(cli.command, Some(Command::Demo)) { "warn" } else { "info" };
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_filter)),
        )
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("orchestra-mcp: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Some(Command::Demo) => orchestra_mcp::demo::run().await,
            Some(Command::Serve(args)) => orchestra_mcp::serve_stdio(args.config()?).await,
            None => orchestra_mcp::serve_stdio(cli.serve.config()?).await,
        }
    });
    // Do not wait for blocked stdin reads once the session has ended.
    runtime.shutdown_background();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("orchestra-mcp: {e:#}");
            ExitCode::FAILURE
        }
    }
}
