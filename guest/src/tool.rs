//! What a tool is: its name, title, toolset, description, schemas, annotations and entry
//! point. Each module in `tools/` makes one; `catalogue.rs` lists them.

use std::future::Future;
use std::pin::Pin;

use serde_json::Value;

use crate::api::Client;
use crate::wit::{CallOutcome, ToolError};

/// MCP behaviour hints. Reads are read-only and idempotent; every tool is open-world
/// because it talks to Orchestra.
#[derive(Debug, Clone, Copy)]
pub struct Annotations {
    pub read_only: bool,
    pub destructive: bool,
    pub idempotent: bool,
    pub open_world: bool,
}

pub const READ: Annotations = Annotations { read_only: true, destructive: false, idempotent: true, open_world: true };

pub type RunFuture = Pin<Box<dyn Future<Output = Result<CallOutcome, ToolError>>>>;

pub struct Tool {
    pub name: &'static str,
    pub title: &'static str,
    pub toolset: &'static str,
    pub description: &'static str,
    pub annotations: Annotations,
    /// Left out of `tools/list` unless the operator enables it by name (deletes).
    pub opt_in: bool,
    pub input_schema: fn() -> Value,
    pub output_schema: fn() -> Value,
    /// Runs one step: the client, the arguments object, and the resume state if any.
    pub run: fn(Client, Value, Option<String>) -> RunFuture,
}
