//! The MCP server as one WASI 0.2 component, for runtimes that run components as servers
//! (`wasmtime serve`, `wasmtime run`, Spin, wasmCloud).
//!
//! This crate is the adapter: it imports `orchestra:mcp/tools` (world `tool-runner`) and
//! exports `wasi:http/incoming-handler` (streamable HTTP at `/mcp`, JSON responses, both
//! protocol eras) and `wasi:cli/run` (MCP over stdio). The build composes it with the tools
//! component into `orchestra-mcp-server.wasm`, which imports only standard WASI. What the
//! native host and this adapter both do (exposure, validation, descriptors, wording) comes
//! from `orchestra-mcp-face`; the protocol's messages are rmcp's model types, as the host's
//! are.
//!
//! Unlike the native host, the component holds no state between requests and has no
//! sandbox of its own: the runtime decides egress, limits and where the key lives (in the
//! component's environment as `ORCHESTRA_API_KEY`).

// Natively (for lints and the unit tests of the pure parts) nothing is exported, so the
// code reached only from the exports would count as dead.
#![cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]

mod calls;
mod http;
mod mcp;
mod stdio;

/// Bindings generated from `wit/`. The generated glue uses `unsafe` for the canonical ABI;
/// the crate's own code does not.
#[allow(unsafe_code)]
mod bindings {
    wit_bindgen::generate!({
        path: "../../wit",
        world: "tool-runner",
    });
}

use bindings::orchestra::mcp::tools;

struct Server;

impl wasip2::exports::http::incoming_handler::Guest for Server {
    fn handle(request: wasip2::http::types::IncomingRequest, out: wasip2::http::types::ResponseOutparam) {
        http::handle(request, out);
    }
}

impl wasip2::exports::cli::run::Guest for Server {
    fn run() -> Result<(), ()> {
        stdio::serve()
    }
}

// Exported only in the component: the export names are not valid symbols for a native
// linker, and native builds exist only for unit tests.
#[cfg(target_arch = "wasm32")]
#[allow(unsafe_code)]
mod export {
    use crate::Server;
    wasip2::http::proxy::export!(Server);
    wasip2::cli::command::export!(Server);
}
