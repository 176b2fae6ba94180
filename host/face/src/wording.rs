//! How results and failures read, for the model that receives them: a success carries its
//! JSON as `structuredContent` and as text; every failure is an `isError` result whose
//! text says what happened and what to do. Both servers word them here, so a failure reads
//! the same whichever runs the tools.

use std::time::Duration;

use rmcp::model::{CallToolResult, ContentBlock};
use serde_json::Value;

use crate::catalogue::Invalid;
use crate::descriptor::ToolError;

/// The server's name and instructions, as `initialize` and `server/discover` publish them.
pub const SERVER_NAME: &str = "orchestra-mcp";
pub const SERVER_TITLE: &str = "Orchestra MCP server";
pub const INSTRUCTIONS: &str = include_str!("instructions.md");

/// The longest a tool may keep asking to be resumed (for long waits such as a run finishing).
pub const MAX_PENDING: Duration = Duration::from_secs(30 * 60);

/// A `done` result: the JSON as structured content and as text.
pub fn success(json: &str) -> CallToolResult {
    match serde_json::from_str::<Value>(json) {
        Ok(value) => {
            let mut result = CallToolResult::success(vec![ContentBlock::text(json.to_string())]);
            result.structured_content = Some(value);
            result
        }
        Err(e) => error(format!("the tool returned a result that is not JSON: {e}")),
    }
}

/// The text of a result's content blocks, one per line.
pub fn text(result: &CallToolResult) -> String {
    result.content.iter().filter_map(|c| c.as_text().map(|t| t.text.as_str())).collect::<Vec<_>>().join("\n")
}

/// A failure, as an `isError` result with no structured content (which every client accepts).
pub fn error(text: String) -> CallToolResult {
    CallToolResult::error(vec![ContentBlock::text(text)])
}

/// Arguments the input schema refused: nothing was sent.
pub fn invalid_arguments(tool: &str, invalid: &Invalid) -> String {
    let mut list = invalid.problems.iter().map(|p| format!("- {p}")).collect::<Vec<_>>().join("\n");
    if invalid.more > 0 {
        list.push_str(&format!("\n- … and {} more problems of the same kinds", invalid.more));
    }
    format!("Invalid arguments for {tool}; nothing was sent to Orchestra. Fix these and call again:\n{list}")
}

/// A result over the size the server returns.
pub fn too_large(tool: &str, bytes: usize, limit: usize) -> String {
    format!(
        "{tool} produced a {} KiB result, over the {} KiB limit; ask for less (a smaller limit, max_bytes, or \
         narrower filters)",
        bytes / 1024,
        limit / 1024
    )
}

/// A call that kept asking to be resumed for longer than the server waits.
pub fn still_pending(tool: &str, minutes: u64) -> String {
    format!("{tool} was still waiting after {minutes} minutes and was stopped; call it again to keep waiting")
}

/// A typed failure of the component. The component words timeouts and transport failures
/// whole (what happened, whether it may have taken effect, what was retried, what to do),
/// so those are relayed as they are; a host with more to say about its own settings (where
/// it reads the key, its egress policy) says it before falling back to this.
pub fn tool_error(tool: &str, error: &ToolError) -> String {
    match error {
        ToolError::InvalidArguments { field, message } => {
            let field = if field.is_empty() { "(arguments)" } else { field };
            format!("Invalid argument {field} for {tool}: {message}")
        }
        ToolError::Upstream(u) => {
            let mut text = format!("Orchestra answered {} to {}: {}", u.status, u.request, u.detail);
            if let Some(hint) = &u.hint {
                let mut chars = hint.chars();
                let capitalised: String =
                    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default();
                text.push_str(&format!(". {capitalised}"));
            }
            text
        }
        ToolError::EgressDenied(detail) | ToolError::Timeout(detail) | ToolError::Transport(detail) => detail.clone(),
        ToolError::UnexpectedResponse(m) => format!("Orchestra's answer could not be read: {m}"),
        ToolError::UnknownTool(name) => format!("The component does not know the tool {name}"),
        ToolError::Internal(m) => format!("{tool} failed: {m}"),
    }
}
