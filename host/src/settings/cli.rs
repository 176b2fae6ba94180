//! The command line: `serve` (the default), `call`, `tools`, `doctor`, `demo`, `fake` and
//! `completions`. Each command flattens the groups of settings it uses (`declared.rs`),
//! so its help lists only those, under their headings.

use clap::{Args, Parser, Subcommand};

use crate::settings::declared::{
    ComponentSettings, ConfigFileArg, HttpSettings, OrchestraSettings, SandboxSettings, ToolSettings,
};

#[derive(Parser)]
#[command(
    name = "orchestra-mcp",
    version = crate::settings::version::SHORT,
    long_version = crate::settings::version::LONG,
    about = "MCP server for Orchestra (getorchestra.io), sandboxed in WebAssembly",
    long_about = "MCP server for Orchestra (getorchestra.io). Orchestra's tools run in a sandboxed WebAssembly \
                  component that never sees the API key. With no command, serves MCP over stdio.\n\n\
                  Settings come from flags, then environment variables, then the config file, then defaults.",
    after_help = "Try it without an account: orchestra-mcp demo"
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
    /// Check the configuration and the connection to Orchestra, each problem with its fix,
    /// and say where each setting came from.
    Doctor(Box<DoctorArgs>),
    /// Start the built-in fake Orchestra on loopback and drive this server through real
    /// MCP calls against it. Needs no API key and no network.
    Demo,
    /// Run the built-in fake Orchestra on loopback until stopped (Ctrl-C or SIGTERM), first
    /// printing the `export` line that points this server at it, so several `call`s (or an
    /// MCP client) share one fake and the runs it holds.
    Fake(FakeArgs),
    /// Print the shell completion script for this command line, e.g.
    /// `orchestra-mcp completions bash > ~/.local/share/bash-completion/completions/orchestra-mcp`.
    Completions(CompletionsArgs),
    /// Print the manual page (roff), e.g. `orchestra-mcp man | man -l -`.
    Man,
}

#[derive(Args, Clone)]
pub struct FakeArgs {
    /// Where to listen: a loopback address and port (port 0 picks a free one).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8809")]
    pub listen: std::net::SocketAddr,
}

#[derive(Args, Clone)]
pub struct CompletionsArgs {
    /// The shell to complete in.
    pub shell: clap_complete::Shell,
}

/// `serve`: every setting, the HTTP transport's too.
#[derive(Args, Clone)]
pub struct ServeArgs {
    #[command(flatten)]
    pub settings: CallSettings,
    #[command(flatten)]
    pub http: HttpSettings,
}

#[derive(Args, Clone)]
pub struct CallArgs {
    /// The tool to call (`orchestra-mcp tools` lists them).
    pub tool: String,
    /// The arguments, a JSON object (default `{}`); `-` reads them from stdin.
    #[arg(long, value_name = "JSON")]
    pub args: Option<String>,
    #[command(flatten)]
    pub settings: CallSettings,
}

/// What a tool call needs: everything but the HTTP transport. `doctor` checks the same.
#[derive(Args, Clone)]
pub struct CallSettings {
    #[command(flatten)]
    pub config: ConfigFileArg,
    #[command(flatten)]
    pub orchestra: OrchestraSettings,
    #[command(flatten)]
    pub tools: ToolSettings,
    #[command(flatten)]
    pub component: ComponentSettings,
    #[command(flatten)]
    pub sandbox: SandboxSettings,
}

#[derive(Args, Clone)]
pub struct ToolsArgs {
    /// Print the MCP `tools/list` entries as JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub config: ConfigFileArg,
    #[command(flatten)]
    pub tools: ToolSettings,
    #[command(flatten)]
    pub component: ComponentSettings,
}

#[derive(Args, Clone)]
pub struct DoctorArgs {
    /// Other Orchestra APIs to try the key against when it is rejected, to tell which one
    /// it belongs to [default: the other Orchestra environments, app, stage and dev].
    #[arg(long = "also-try", value_name = "BASE_URL")]
    pub also_try: Vec<String>,
    #[command(flatten)]
    pub settings: CallSettings,
}
