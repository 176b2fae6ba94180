//! The `orchestra-mcp` binary: command-line parsing and logging; the work is in the library.
//! stdout belongs to the MCP protocol, so everything else goes to stderr.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use orchestra_mcp::config::{ApiKey, ComponentSource, Config, DEFAULT_BASE_URL};

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
    Serve(ServeArgs),
    /// Start the built-in fake Orchestra on loopback and drive this server through real
    /// MCP calls against it. Needs no API key and no network.
    Demo,
}

#[derive(clap::Args, Clone)]
struct ServeArgs {
    /// Orchestra's public API base URL.
    #[arg(long, env = "ORCHESTRA_BASE_URL", default_value = DEFAULT_BASE_URL)]
    base_url: String,
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
        Config::new(&self.base_url, api_key, self.allow_insecure_loopback, component, cache_dir)
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
