//! The command line: `serve` (the default), `call`, `tools`, `doctor` and `demo`. Every
//! setting is a flag, most also an environment variable (shown in `--help`), and many a
//! key of the config file; `settings.rs` resolves them in that order.

use std::path::PathBuf;

use clap::builder::BoolishValueParser;
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::exposure;

#[derive(Parser)]
#[command(
    name = "orchestra-mcp",
    version,
    about = "MCP server for Orchestra (getorchestra.io), sandboxed in WebAssembly",
    long_about = "MCP server for Orchestra (getorchestra.io). Orchestra's tools run in a sandboxed WebAssembly \
                  component that never sees the API key. With no command, serves MCP over stdio.\n\n\
                  Settings come from flags, then environment variables, then the config file \
                  (orchestra-mcp/config.toml in the user config directory: ~/.config on Linux, \
                  ~/Library/Application Support on macOS, %APPDATA% on Windows; or --config), then defaults."
)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// With no command: the settings of `serve`.
    #[command(flatten)]
    pub serve: ServeArgs,
}

#[derive(Subcommand)]
pub enum Command {
    /// Serve MCP over stdio (the default), or over streamable HTTP with --http.
    Serve(Box<ServeArgs>),
    /// Call one tool and print its result as JSON: the same validation and output as
    /// over MCP. Exit status 0 on success, 1 when the tool reports an error, 2 for a bad
    /// command line or an unknown tool.
    Call(Box<CallArgs>),
    /// List the tools this configuration exposes.
    Tools(Box<ToolsArgs>),
    /// Check the configuration and the connection to Orchestra, each problem with its fix.
    Doctor(Box<DoctorArgs>),
    /// Start the built-in fake Orchestra on loopback and drive this server through real
    /// MCP calls against it. Needs no API key and no network.
    Demo,
    /// Run the built-in fake Orchestra on loopback until stopped (Ctrl-C or SIGTERM), first
    /// printing the `export` line that points this server at it, so several `call`s (or an
    /// MCP client) share one fake and the runs it holds.
    Fake(FakeArgs),
}

#[derive(Args, Clone)]
pub struct FakeArgs {
    /// Where to listen: a loopback address and port (port 0 picks a free one).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8809")]
    pub listen: std::net::SocketAddr,
}

#[derive(Args, Clone)]
pub struct ServeArgs {
    #[command(flatten)]
    pub options: Options,
    #[command(flatten)]
    pub http: HttpArgs,
}

#[derive(Args, Clone)]
pub struct CallArgs {
    /// The tool to call (`orchestra-mcp tools` lists them).
    pub tool: String,
    /// The arguments, a JSON object (default `{}`); `-` reads them from stdin.
    #[arg(long, value_name = "JSON")]
    pub args: Option<String>,
    #[command(flatten)]
    pub options: Options,
}

#[derive(Args, Clone)]
pub struct ToolsArgs {
    /// Print the MCP `tools/list` entries as JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub options: Options,
}

#[derive(Args, Clone)]
pub struct DoctorArgs {
    /// Other Orchestra APIs to try the key against when it is rejected, to tell which one
    /// it belongs to [default: the other Orchestra environments, app, stage and dev].
    #[arg(long = "also-try", value_name = "BASE_URL")]
    pub also_try: Vec<String>,
    #[command(flatten)]
    pub options: Options,
}

/// Orchestra's environments, each its own host with its own keys.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Environment {
    App,
    Stage,
    Dev,
}

/// Settings shared by every command that runs the server.
#[derive(Args, Clone, Default)]
pub struct Options {
    /// The config file (TOML) [default: orchestra-mcp/config.toml in the user config directory
    /// (~/.config, ~/Library/Application Support, %APPDATA%), if present].
    #[arg(long, env = "ORCHESTRA_MCP_CONFIG", value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Start the built-in fake Orchestra on loopback and use it (with its own key), to try
    /// the server without an Orchestra account.
    #[arg(long)]
    pub fake: bool,
    /// Which Orchestra environment to call: app (production), stage or dev [default: app].
    #[arg(long, env = "ORCHESTRA_ENV", value_enum)]
    pub environment: Option<Environment>,
    /// Orchestra's public API base URL; overrides --environment
    /// [default: https://app.getorchestra.io/api/engine/public].
    #[arg(long, env = "ORCHESTRA_BASE_URL")]
    pub base_url: Option<String>,
    /// The Orchestra account (workspace id) to act in by default, sent as
    /// X-Orchestra-Account-Id; a tool call's `account_id` argument overrides it.
    #[arg(long, env = "ORCHESTRA_ACCOUNT_ID")]
    pub account_id: Option<String>,
    /// Read the API key from this file (used when ORCHESTRA_API_KEY is not set).
    #[arg(long, env = "ORCHESTRA_API_KEY_FILE", value_name = "PATH")]
    pub api_key_file: Option<PathBuf>,
    /// Run this shell command and use its output as the API key (used when neither
    /// ORCHESTRA_API_KEY nor a key file is set), e.g. `op read op://Private/Orchestra/credential`.
    #[arg(long, env = "ORCHESTRA_API_KEY_COMMAND", value_name = "COMMAND")]
    pub api_key_command: Option<String>,
    /// Allow plain http to a loopback base URL (for a local fake API only).
    #[arg(long, env = "ORCHESTRA_ALLOW_INSECURE_LOOPBACK", value_parser = BoolishValueParser::new(), num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub allow_insecure_loopback: Option<bool>,
    /// Run this tool component instead of the embedded one.
    #[arg(long, env = "ORCHESTRA_MCP_COMPONENT", value_name = "PATH")]
    pub component: Option<PathBuf>,
    /// Where to cache the compiled component [default: orchestra-mcp/wasmtime in the user cache
    /// directory (~/.cache, ~/Library/Caches, %LOCALAPPDATA%)].
    #[arg(long, env = "ORCHESTRA_MCP_CACHE_DIR", value_name = "PATH")]
    pub cache_dir: Option<PathBuf>,
    /// Compile the component at every start instead of caching it.
    #[arg(long)]
    pub no_cache: bool,
    /// Further hosts tools may reach, in the grammar `scheme://host[:port]` (`*.domain`
    /// and `*` port allowed); comma-separated. They never receive the API key.
    #[arg(long = "allow-host", env = "ORCHESTRA_MCP_ALLOWED_HOSTS", value_delimiter = ',')]
    pub allowed_hosts: Vec<String>,
    /// How long a successful call with a `dedupe_key` (starting a pipeline) is remembered,
    /// in seconds: a repeat within it gets the first answer and starts nothing. 0 turns
    /// it off [default: 600].
    #[arg(long, env = "ORCHESTRA_MCP_DEDUPE_WINDOW_SECS", value_name = "SECS")]
    pub dedupe_window_secs: Option<u64>,
    #[command(flatten)]
    pub exposure: ExposureArgs,
    #[command(flatten)]
    pub limits: LimitArgs,
}

/// Which tools are exposed. Each toolset can also be switched with
/// `ORCHESTRA_MCP_ENABLE_<TOOLSET>=true` or `ORCHESTRA_MCP_DISABLE_<TOOLSET>=true`.
#[derive(Args, Clone, Default)]
pub struct ExposureArgs {
    /// Expose only read-only tools: nothing that starts, cancels, changes or deletes.
    #[arg(long, env = exposure::READ_ONLY, value_parser = BoolishValueParser::new(), num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub read_only: Option<bool>,
    /// Tools to expose, comma-separated. Naming only opt-in tools (deletes, asset writes,
    /// integration state, Azure credentials) adds them to the defaults; naming any other
    /// tool or a toolset exposes only what is enabled.
    #[arg(long, env = exposure::ENABLE_TOOLS, value_delimiter = ',')]
    pub enable_tools: Vec<String>,
    /// Tools to leave out, comma-separated.
    #[arg(long, env = exposure::DISABLE_TOOLS, value_delimiter = ',')]
    pub disable_tools: Vec<String>,
    /// Toolsets to expose, comma-separated (e.g. `triage,pipeline_runs`).
    #[arg(long, env = exposure::ENABLE_TOOLSETS, value_delimiter = ',')]
    pub enable_toolsets: Vec<String>,
    /// Toolsets to leave out, comma-separated.
    #[arg(long, env = exposure::DISABLE_TOOLSETS, value_delimiter = ',')]
    pub disable_toolsets: Vec<String>,
}

/// Per-call sandbox limits; each defaults to the value in `Limits::default()`.
#[derive(Args, Clone, Default)]
pub struct LimitArgs {
    /// Wall time for one tool call, in seconds [default: 60].
    #[arg(long, env = "ORCHESTRA_MCP_CALL_TIMEOUT_SECS")]
    pub call_timeout_secs: Option<u64>,
    /// CPU time a tool may compute for in one call step, in milliseconds [default: 10000].
    #[arg(long, env = "ORCHESTRA_MCP_CPU_MS")]
    pub cpu_ms: Option<u64>,
    /// Memory one tool instance may use, in MiB [default: 128].
    #[arg(long, env = "ORCHESTRA_MCP_MEMORY_MB")]
    pub memory_mb: Option<usize>,
    /// Largest response body accepted from Orchestra, in bytes [default: 33554432].
    #[arg(long, env = "ORCHESTRA_MCP_MAX_RESPONSE_BYTES")]
    pub max_response_bytes: Option<usize>,
    /// Longest wait for a connection to Orchestra, in milliseconds [default: 10000].
    #[arg(long, env = "ORCHESTRA_MCP_CONNECT_TIMEOUT_MS")]
    pub connect_timeout_ms: Option<u64>,
    /// Longest wait for the first byte of an answer, in milliseconds [default: 30000].
    #[arg(long, env = "ORCHESTRA_MCP_FIRST_BYTE_TIMEOUT_MS")]
    pub first_byte_timeout_ms: Option<u64>,
    /// Longest wait between bytes of an answer, in milliseconds [default: 30000].
    #[arg(long, env = "ORCHESTRA_MCP_BETWEEN_BYTES_TIMEOUT_MS")]
    pub between_bytes_timeout_ms: Option<u64>,
    /// Characters a tool result should fit in; longer lists are shortened, with a note
    /// saying so [default: 40000].
    #[arg(long, env = "ORCHESTRA_MCP_MAX_RESULT_CHARS")]
    pub max_result_chars: Option<usize>,
    /// Tool calls running at once [default: 8].
    #[arg(long, env = "ORCHESTRA_MCP_MAX_CONCURRENT_CALLS")]
    pub max_concurrent_calls: Option<usize>,
    /// Calls that may wait for a free slot before new ones are refused as busy [default: 64].
    #[arg(long, env = "ORCHESTRA_MCP_MAX_QUEUED_CALLS")]
    pub max_queued_calls: Option<usize>,
}

/// The streamable HTTP transport (`serve --http`).
#[derive(Args, Clone, Default)]
pub struct HttpArgs {
    /// Serve MCP over streamable HTTP at this address instead of stdio: a port (on
    /// 127.0.0.1) or address:port, e.g. 8808 or 127.0.0.1:8808; the endpoint is /mcp.
    /// Both protocol eras are served. An address beyond loopback needs a token.
    #[arg(long = "http", env = "ORCHESTRA_MCP_HTTP", value_name = "ADDR")]
    pub listen: Option<String>,
    /// Host header values accepted besides loopback names (DNS-rebinding protection),
    /// comma-separated, e.g. `mcp.example.com`.
    #[arg(long = "http-allowed-host", env = "ORCHESTRA_MCP_HTTP_ALLOWED_HOSTS", value_delimiter = ',')]
    pub allowed_hosts: Vec<String>,
    /// Browser origins accepted, comma-separated (`scheme://host[:port]`, `:*` for any
    /// port); a request with any other Origin is refused [default: none but loopback].
    #[arg(long = "http-allowed-origin", env = "ORCHESTRA_MCP_HTTP_ALLOWED_ORIGINS", value_delimiter = ',')]
    pub allowed_origins: Vec<String>,
    /// Read the bearer token MCP clients must send from this file (ORCHESTRA_MCP_HTTP_TOKEN
    /// sets it directly). It guards this server only and is never sent to Orchestra.
    #[arg(long = "http-token-file", env = "ORCHESTRA_MCP_HTTP_TOKEN_FILE", value_name = "PATH")]
    pub token_file: Option<PathBuf>,
    /// Largest request body accepted, in bytes [default: 4194304].
    #[arg(long = "http-max-body-bytes", env = "ORCHESTRA_MCP_HTTP_MAX_BODY_BYTES")]
    pub max_body_bytes: Option<usize>,
}
