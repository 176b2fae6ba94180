//! The MCP server: the rmcp handler (`server.rs`), its two transports (stdio here, and
//! `http.rs`), who a request acts as (`caller.rs`), repeat calls answered from memory
//! (`dedupe.rs`) and graceful shutdown.

pub mod caller;
pub mod dedupe;
pub mod http;
pub mod server;
pub mod shutdown;

use anyhow::Context;
use rmcp::ServiceExt;

use crate::catalogue::Catalogue;
use crate::sandbox::Sandbox;
use crate::settings::config::Config;
use crate::stdio;
use server::OrchestraServer;

/// Loads the component, reads its catalogue once, and builds the MCP server.
pub async fn build_server(config: &Config) -> anyhow::Result<OrchestraServer> {
    let started = std::time::Instant::now();
    let sandbox = Sandbox::new(config)?;
    let guest = sandbox.catalogue().await.context("reading the component's catalogue")?;
    let descriptors = guest.tools.iter().cloned().map(Into::into).collect();
    let catalogue = Catalogue::new(descriptors, &config.exposure).map_err(anyhow::Error::msg)?;
    tracing::info!(
        tools = catalogue.tools().len(),
        prompts = guest.prompts.len(),
        resource_templates = guest.resource_templates.len(),
        base_url = %config.base_url_text(),
        api_key = if config.api_key.is_some() { "set" } else { "missing" },
        ready_ms = started.elapsed().as_millis() as u64,
        "orchestra-mcp ready"
    );
    Ok(OrchestraServer::new(sandbox, catalogue, &guest, config))
}

/// Serves MCP over stdin/stdout until the client closes stdin, or until SIGTERM or
/// SIGINT, which let in-flight calls finish (or answer them as cancelled) and exit cleanly.
pub async fn serve_stdio(config: Config) -> anyhow::Result<()> {
    let server = build_server(&config).await?;
    // End of input cancels in-flight calls, so the process exits promptly.
    let (transport, flushed) = stdio::spawn(std::io::stdin(), std::io::stdout(), server.shutdown_token())
        .context("starting the stdio reader and writer threads")?;
    let session = server.clone().serve(transport);
    let running = tokio::select! {
        started = session => match started {
            Ok(running) => running,
            // The client went away before the session began: nothing to serve, not a failure.
            Err(rmcp::service::ServerInitializeError::ConnectionClosed(_)) => return Ok(()),
            Err(e) => return Err(e).context("starting the MCP session"),
        },
        () = shutdown::signal() => return Ok(()),
    };
    let cancel = running.cancellation_token();
    let waiting = running.waiting();
    tokio::pin!(waiting);
    tokio::select! {
        ended = &mut waiting => { ended.context("serving MCP over stdio")?; }
        () = shutdown::signal() => {
            server.drain(shutdown::GRACE).await;
            // The session hands the last answers to the writer, then ends.
            tokio::time::sleep(shutdown::HANDOFF).await;
            cancel.cancel();
            let _ = tokio::time::timeout(shutdown::HANDOFF * 10, waiting).await;
        }
    }
    flushed.wait(shutdown::HANDOFF * 10).await;
    Ok(())
}
