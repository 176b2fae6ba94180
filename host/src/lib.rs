//! orchestra-mcp: an MCP server whose Orchestra tools run in a sandboxed WASI component.
//!
//! The host knows MCP and sandboxing, not Orchestra's endpoints: the tool catalogue, the
//! schemas and the API client live in the component (`guest/`). See ARCHITECTURE.md.

pub mod commands;
pub mod mcp;
pub mod sandbox;
pub mod settings;

// The MCP face shared with the server component, under the names the host has always used.
pub use orchestra_mcp_face::{catalogue, exposure, suggest};
pub use orchestra_mcp_transport::{jsonrpc, stdio};
