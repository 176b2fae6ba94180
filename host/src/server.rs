//! The MCP face of the host: `tools/list` from the catalogue, `tools/call` validated and
//! then run in the sandbox, with results and failures worded for a model.

use std::sync::Arc;
use std::time::Duration;

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, CompleteRequestParams, CompleteResult, ContentBlock,
    Implementation, ListPromptsResult, ListResourceTemplatesResult, ListResourcesResult, ListToolsResult,
    PaginatedRequestParams, ProgressNotificationParam, ServerCapabilities, ServerConfig, Tool,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler};
use serde_json::Value;
use tokio_util::sync::CancellationToken;

use crate::catalogue::Catalogue;
use crate::config::{ApiKey, Config};
use crate::egress::Denial;
use crate::sandbox::{CallFailure, CallOutcome, CallRequest, Sandbox, ToolError};

const INSTRUCTIONS: &str = include_str!("instructions.md");

/// The longest a tool may keep asking to be resumed (for long waits such as a run finishing).
const MAX_PENDING: Duration = Duration::from_secs(30 * 60);

#[derive(Clone)]
pub struct OrchestraServer {
    inner: Arc<Inner>,
}

struct Inner {
    sandbox: Sandbox,
    catalogue: Catalogue,
    origin: String,
    api_key: Option<ApiKey>,
    max_output_bytes: usize,
    /// Cancelled when the session ends; in-flight calls stop with it.
    shutdown: CancellationToken,
}

impl OrchestraServer {
    pub fn new(sandbox: Sandbox, catalogue: Catalogue, config: &Config) -> Self {
        Self {
            inner: Arc::new(Inner {
                sandbox,
                catalogue,
                origin: config.base_url.origin().ascii_serialization(),
                api_key: config.api_key.clone(),
                max_output_bytes: config.limits.max_output_bytes,
                shutdown: CancellationToken::new(),
            }),
        }
    }

    /// The token that ends every in-flight call when cancelled (the transport closed).
    pub fn shutdown_token(&self) -> CancellationToken {
        self.inner.shutdown.clone()
    }

    /// Runs a call and removes the API key from everything it returns.
    pub async fn run_tool(
        &self,
        name: &str,
        arguments: Value,
        context: Option<&RequestContext<RoleServer>>,
    ) -> CallToolResult {
        let result = self.run_tool_unredacted(name, arguments, context).await;
        match &self.inner.api_key {
            Some(key) => redact_result(key, result),
            None => result,
        }
    }

    /// Runs a call to completion: validation, then guest steps until a result.
    async fn run_tool_unredacted(
        &self,
        name: &str,
        mut arguments: Value,
        context: Option<&RequestContext<RoleServer>>,
    ) -> CallToolResult {
        // Models often send `null` for an argument they mean to leave out; treat it so.
        if let Value::Object(map) = &mut arguments {
            map.retain(|_, v| !v.is_null());
        }
        if let Err(problems) = self.inner.catalogue.validate(name, &arguments) {
            let list = problems.iter().map(|p| format!("- {p}")).collect::<Vec<_>>().join("\n");
            return error_result(format!(
                "Invalid arguments for {name}; nothing was sent to Orchestra. Fix these and call again:\n{list}"
            ));
        }
        let started = tokio::time::Instant::now();
        let mut resume_state = None;
        loop {
            let request = CallRequest { tool: name.to_string(), arguments: arguments.to_string(), resume_state };
            let outcome = self.inner.sandbox.call(request).await;
            match outcome {
                Ok(CallOutcome::Done(json)) if json.len() > self.inner.max_output_bytes => {
                    return error_result(format!(
                        "{name} produced a {} KiB result, over the {} KiB limit; ask for less (a smaller limit, \
                         max_bytes, or narrower filters)",
                        json.len() / 1024,
                        self.inner.max_output_bytes / 1024
                    ));
                }
                Ok(CallOutcome::Done(json)) => return success_result(&json),
                Ok(CallOutcome::Pending(pending)) => {
                    if started.elapsed() > MAX_PENDING {
                        return error_result(format!(
                            "{name} was still waiting after {} minutes and was stopped; call it again to keep waiting",
                            MAX_PENDING.as_secs() / 60
                        ));
                    }
                    if let (Some(ctx), Some(progress)) = (context, &pending.progress)
                        && let Some(token) = ctx.meta.get_progress_token()
                    {
                        let mut note = ProgressNotificationParam::new(token, progress.progress);
                        note.total = progress.total;
                        note.message = progress.message.clone();
                        let _ = ctx.peer.notify_progress(note).await;
                    }
                    tokio::time::sleep(Duration::from_millis(u64::from(pending.resume_after_ms))).await;
                    resume_state = Some(pending.state);
                }
                Err(failure) => return error_result(self.describe(name, failure)),
            }
        }
    }

    fn describe(&self, tool: &str, failure: CallFailure) -> String {
        match failure {
            CallFailure::Timeout(limit) => format!(
                "{tool} was stopped after the {} s limit for one call; Orchestra may be slow: try again, or narrow the request",
                limit.as_secs()
            ),
            CallFailure::Trap(what) => {
                tracing::error!(tool, %what, "guest trapped");
                format!(
                    "{tool} failed inside its sandbox ({what}); the server is unaffected and the next call starts fresh"
                )
            }
            CallFailure::MemoryLimit(bytes) => format!(
                "{tool} tried to use more than its {} MiB memory limit and was stopped; ask for less data \
                 (a smaller limit or max_bytes). The server is unaffected",
                bytes / (1024 * 1024)
            ),
            CallFailure::CpuLimit(budget) => format!(
                "{tool} computed for longer than its {} ms CPU budget and was stopped; the server is unaffected",
                budget.as_millis()
            ),
            CallFailure::Busy { running, queued } => format!(
                "The server is busy ({running} tool calls running, {queued} waiting); call {tool} again in a moment"
            ),
            CallFailure::Tool { error, denials } => self.describe_tool_error(tool, error, &denials),
        }
    }

    fn describe_tool_error(&self, tool: &str, error: ToolError, denials: &[Denial]) -> String {
        match error {
            ToolError::InvalidArguments(a) => {
                let field = if a.field.is_empty() { "(arguments)".to_string() } else { a.field };
                format!("Invalid argument {field} for {tool}: {}", a.message)
            }
            ToolError::Upstream(u) if u.status == 401 && self.inner.api_key.is_none() => format!(
                "{tool} needs an Orchestra API key and none is configured: set ORCHESTRA_API_KEY in this MCP \
                 server's environment (Orchestra: Settings → API Key) and restart the server"
            ),
            ToolError::Upstream(u) => {
                let mut text = format!("Orchestra answered {} to {}: {}", u.status, u.request, u.detail);
                if let Some(hint) = u.hint {
                    let mut chars = hint.chars();
                    let capitalised: String =
                        chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default();
                    text.push_str(&format!(". {capitalised}"));
                }
                text
            }
            ToolError::EgressDenied(detail) => {
                if let Some(Denial::NotAllowed { scheme, host }) = denials.first() {
                    format!(
                        "The sandbox refused a request to {scheme}://{host}: this server only talks to {}. \
                         This is a policy decision, not a network fault",
                        self.inner.origin
                    )
                } else if let Some(Denial::ProhibitedAddress { host, address }) = denials.first() {
                    format!(
                        "The sandbox refused a request to {host}: it is or resolves to {address}, a private, local or \
                         metadata address that tools may not reach. This is a policy decision, not a network fault"
                    )
                } else {
                    format!("The sandbox refused an outgoing request: {detail}")
                }
            }
            ToolError::Timeout(m) => {
                format!("Orchestra did not answer in time ({m}); try again shortly")
            }
            ToolError::Transport(m) => {
                format!("Could not reach Orchestra ({m}); check the network and ORCHESTRA_BASE_URL")
            }
            ToolError::UnexpectedResponse(m) => {
                format!("Orchestra's answer could not be read: {m}")
            }
            ToolError::UnknownTool(name) => format!("The component does not know the tool {name}"),
            ToolError::Internal(m) => format!("{tool} failed: {m}"),
        }
    }
}

fn redact_result(key: &ApiKey, mut result: CallToolResult) -> CallToolResult {
    for block in &mut result.content {
        if let ContentBlock::Text(text) = block {
            text.text = key.redact(&text.text);
        }
    }
    if let Some(structured) = &mut result.structured_content {
        redact_value(key, structured);
    }
    result
}

fn redact_value(key: &ApiKey, value: &mut Value) {
    match value {
        Value::String(s) => *s = key.redact(s),
        Value::Array(items) => items.iter_mut().for_each(|v| redact_value(key, v)),
        Value::Object(map) => map.values_mut().for_each(|v| redact_value(key, v)),
        _ => {}
    }
}

fn success_result(json: &str) -> CallToolResult {
    match serde_json::from_str::<Value>(json) {
        Ok(value) => {
            let mut result = CallToolResult::success(vec![ContentBlock::text(json.to_string())]);
            result.structured_content = Some(value);
            result
        }
        Err(e) => error_result(format!("the tool returned a result that is not JSON: {e}")),
    }
}

fn error_result(text: String) -> CallToolResult {
    CallToolResult::error(vec![ContentBlock::text(text)])
}

impl ServerHandler for OrchestraServer {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(
                Implementation::new("orchestra-mcp", env!("CARGO_PKG_VERSION")).with_title("Orchestra MCP server"),
            )
            .with_instructions(INSTRUCTIONS)
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        Ok(ListToolsResult::with_all_items(self.inner.catalogue.tools().to_vec()))
    }

    fn get_tool(&self, name: &str) -> Option<Tool> {
        self.inner.catalogue.get(name).cloned()
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let name = request.name.to_string();
        if self.inner.catalogue.get(&name).is_none() {
            if self.inner.catalogue.is_hidden(&name) {
                return Err(ErrorData::invalid_params(
                    format!(
                        "the tool {name:?} is not enabled on this server; whoever runs it can enable it \
                         (ORCHESTRA_MCP_ENABLE_TOOLS={name}, unless the server is read-only)"
                    ),
                    None,
                ));
            }
            let known: Vec<&str> = self.inner.catalogue.tools().iter().map(|t| t.name.as_ref()).collect();
            return Err(ErrorData::invalid_params(
                format!("unknown tool {name:?}; this server has: {}", known.join(", ")),
                None,
            ));
        }
        let arguments = Value::Object(request.arguments.unwrap_or_default());
        let toolset = self.inner.catalogue.toolset(&name).unwrap_or_default().to_string();
        let started = std::time::Instant::now();
        tokio::select! {
            result = self.run_tool(&name, arguments, Some(&context)) => {
                tracing::info!(tool = %name, %toolset, is_error = result.is_error.unwrap_or(false), elapsed_ms = started.elapsed().as_millis() as u64, "tool call");
                Ok(result.into())
            }
            () = context.ct.cancelled() => {
                // Dropping the call drops its store: the guest and its upstream request stop here.
                tracing::info!(tool = %name, "tool call cancelled by the client");
                Err(ErrorData::internal_error("request cancelled", None))
            }
            () = self.inner.shutdown.cancelled() => {
                tracing::info!(tool = %name, "tool call stopped: the client closed the connection");
                Err(ErrorData::internal_error("the server is shutting down", None))
            }
        }
    }

    // Only tools are served: say so instead of answering empty lists for the rest.
    async fn list_prompts(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListPromptsResult, ErrorData> {
        Err(ErrorData::method_not_found::<rmcp::model::ListPromptsRequestMethod>())
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, ErrorData> {
        Err(ErrorData::method_not_found::<rmcp::model::ListResourcesRequestMethod>())
    }

    async fn list_resource_templates(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourceTemplatesResult, ErrorData> {
        Err(ErrorData::method_not_found::<rmcp::model::ListResourceTemplatesRequestMethod>())
    }

    async fn complete(
        &self,
        _request: CompleteRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<CompleteResult, ErrorData> {
        Err(ErrorData::method_not_found::<rmcp::model::CompleteRequestMethod>())
    }
}
