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
//! With the `functions` feature the same adapter exports one function per tool instead
//! (`functions.rs`), for runtimes that map exported functions to tools (Wassette); the
//! build composes that into `orchestra-mcp-functions.wasm`.
//!
//! Unlike the native host, the component holds no state between requests and has no
//! sandbox of its own: the runtime decides egress, limits and where the key lives (in the
//! component's environment as `ORCHESTRA_API_KEY`).

// Natively (for lints and the unit tests of the pure parts) nothing is exported, so the
// code reached only from the exports would count as dead; so would the server's prompts and
// resources in the function component.
#![cfg_attr(any(not(target_arch = "wasm32"), feature = "functions"), allow(dead_code))]

mod calls;
#[cfg(any(feature = "functions", test))]
mod functions;
#[cfg(not(feature = "functions"))]
mod http;
#[cfg(not(feature = "functions"))]
mod mcp;
#[cfg(not(feature = "functions"))]
mod stdio;

/// Bindings generated from `wit/`. The generated glue uses `unsafe` for the canonical ABI;
/// the crate's own code does not.
#[cfg(not(feature = "functions"))]
#[allow(unsafe_code)]
mod bindings {
    wit_bindgen::generate!({
        path: "../../wit",
        world: "tool-runner",
    });
}

/// With `functions`, the bindings of the function world `host/build.rs` generates from the
/// catalogue (its `functions_world.rs`), which imports the same `tools`.
#[cfg(feature = "functions")]
#[allow(unsafe_code)]
mod bindings {
    include!(env!("ORCHESTRA_FUNCTIONS_BINDINGS"));
}

use bindings::orchestra::mcp::tools;

#[cfg(not(feature = "functions"))]
struct Server;

#[cfg(not(feature = "functions"))]
impl wasip2::exports::http::incoming_handler::Guest for Server {
    fn handle(request: wasip2::http::types::IncomingRequest, out: wasip2::http::types::ResponseOutparam) {
        http::handle(request, out);
    }
}

#[cfg(not(feature = "functions"))]
impl wasip2::exports::cli::run::Guest for Server {
    fn run() -> Result<(), ()> {
        stdio::serve()
    }
}

// Exported only in the component: the export names are not valid symbols for a native
// linker, and native builds exist only for unit tests. The function component exports
// its functions instead (`functions.rs`).
#[cfg(all(target_arch = "wasm32", not(feature = "functions")))]
#[allow(unsafe_code)]
mod export {
    use crate::Server;
    wasip2::http::proxy::export!(Server);
    wasip2::cli::command::export!(Server);
}
