//! The `orchestra-mcp` binary: parses the command line, sets up logging, resolves the
//! settings and runs the command; the work is in the library. stdout belongs to the MCP
//! protocol (and to `call`, `tools` and `doctor` output), so logs go to stderr.

use std::io::IsTerminal;
use std::process::ExitCode;

use anyhow::Context;
use clap::{ArgMatches, CommandFactory, FromArgMatches};

use orchestra_fake::{FakeOptions, FakeOrchestra};
use orchestra_mcp::mcp::http;
use orchestra_mcp::settings::cli::{Cli, Command, ServeArgs};
use orchestra_mcp::settings::{self, Declared, FakeTarget, Resolved};

fn main() -> ExitCode {
    let matches = Cli::command().get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    // Only `serve` logs its progress; one-shot commands print their answer and problems.
    let quiet = !matches!(cli.command, None | Some(Command::Serve(_)));
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(if quiet { "warn" } else { "info" })),
        )
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("orchestra-mcp: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(run(cli, &matches));
    // Exit without waiting for blocking work still in flight (a name lookup); the stdin
    // thread, blocked in its read, ends with the process.
    runtime.shutdown_background();
    result.unwrap_or_else(|e| {
        eprintln!("orchestra-mcp: {e:#}");
        ExitCode::FAILURE
    })
}

async fn run(cli: Cli, matches: &ArgMatches) -> anyhow::Result<ExitCode> {
    // The matches of the command in use, where its flattened settings were parsed.
    let used = matches.subcommand().map_or(matches, |(_, sub)| sub);
    match cli.command {
        None => serve(&cli.serve, used).await,
        Some(Command::Serve(args)) => serve(&args, used).await,
        Some(Command::Call(args)) => {
            let (resolved, _fake) = resolve(Declared::from(&args.settings), used).await?;
            resolved.require_readable_key()?;
            orchestra_mcp::commands::call::run(&resolved.config, &args.tool, args.args.as_deref()).await
        }
        Some(Command::Tools(args)) => {
            let (resolved, _fake) = resolve(Declared::from(&*args), used).await?;
            let server = orchestra_mcp::mcp::build_server(&resolved.config).await?;
            let tools = server.tools();
            let text = if args.json {
                orchestra_mcp::commands::tools_table::json(tools)
            } else {
                orchestra_mcp::commands::tools_table::table(tools)
            };
            orchestra_mcp::commands::out::line(text);
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Doctor(args)) => {
            let (resolved, _fake) = resolve(Declared::from(&args.settings), used).await?;
            orchestra_mcp::commands::doctor::run(&resolved, &args.also_try).await
        }
        Some(Command::Demo) => orchestra_mcp::commands::demo::run().await.map(|()| ExitCode::SUCCESS),
        Some(Command::Fake(args)) => run_fake(args.listen).await,
        Some(Command::Completions(args)) => {
            orchestra_mcp::commands::shell::completions(args.shell);
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Man) => orchestra_mcp::commands::shell::man().map(|()| ExitCode::SUCCESS),
    }
}

/// `orchestra-mcp fake`: the embedded fake on loopback until a signal, its settings on stdout.
async fn run_fake(listen: std::net::SocketAddr) -> anyhow::Result<ExitCode> {
    if !listen.ip().is_loopback() {
        anyhow::bail!("--listen {listen}: the fake's key is public, so it listens on loopback only (127.0.0.1 or ::1)");
    }
    let fake = FakeOrchestra::start_on(FakeOptions::default(), listen)
        .await
        .with_context(|| format!("starting the fake Orchestra on {listen}"))?;
    orchestra_mcp::commands::out::line(format!(
        "export ORCHESTRA_BASE_URL={} ORCHESTRA_API_KEY={} ORCHESTRA_ALLOW_INSECURE_LOOPBACK=1",
        fake.base_url(),
        fake.api_key()
    ));
    eprintln!("orchestra-mcp: the fake Orchestra serves {} until stopped (Ctrl-C)", fake.base_url());
    if let Some(key) = fake.read_only_key() {
        eprintln!("orchestra-mcp: the fake also takes the read-only key {key} (GET endpoints only, 403 otherwise)");
    }
    orchestra_mcp::mcp::shutdown::signal().await;
    Ok(ExitCode::SUCCESS)
}

/// Resolves the settings, first starting the embedded fake when `--fake` asks for it; the
/// fake lives as long as the returned handle.
async fn resolve(declared: Declared<'_>, matches: &ArgMatches) -> anyhow::Result<(Resolved, Option<FakeOrchestra>)> {
    let fake = match declared.fake() {
        true => Some(FakeOrchestra::start(FakeOptions::default()).await.context("starting the embedded fake")?),
        false => None,
    };
    let target = fake.as_ref().map(|f| FakeTarget { base_url: f.base_url(), api_key: f.api_key().to_string() });
    let resolved = settings::resolve(declared, matches, target.as_ref()).await?;
    Ok((resolved, fake))
}

async fn serve(args: &ServeArgs, matches: &ArgMatches) -> anyhow::Result<ExitCode> {
    let (resolved, _fake) = resolve(Declared::from(args), matches).await?;
    resolved.require_readable_key()?;
    let http = resolved.http()?;
    match &resolved.key_source {
        Some(source) => tracing::info!(%source, "API key read"),
        None if http.as_ref().is_some_and(|h| h.per_user_keys) => {}
        None => tracing::warn!(
            "no API key (ORCHESTRA_API_KEY, _FILE or _COMMAND): tools will answer with an error until one is set"
        ),
    }
    let Some(http) = http else {
        if std::io::stdin().is_terminal() {
            eprintln!(
                "orchestra-mcp: serving MCP on stdin and stdout, waiting for an MCP client to send its first message. \
                 An MCP client starts this command itself (README: Client setup); to see the server work now, \
                 run `orchestra-mcp demo`. Ctrl-D or Ctrl-C ends it."
            );
        }
        orchestra_mcp::mcp::serve_stdio(resolved.config).await?;
        return Ok(ExitCode::SUCCESS);
    };
    http::serve(resolved.config, http, tokio_util::sync::CancellationToken::new()).await?;
    Ok(ExitCode::SUCCESS)
}
