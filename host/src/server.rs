//! The MCP face of the host: `tools/list` from the catalogue, `tools/call` validated and
//! then run in the sandbox, with results and failures worded for a model.

use std::sync::Arc;
use std::time::Duration;

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, CompleteRequestParams, CompleteResult, ContentBlock,
    GetPromptRequestParams, GetPromptResponse, GetPromptResult, Implementation, ListPromptsResult,
    ListResourceTemplatesResult, ListResourcesResult, ListToolsResult, PaginatedRequestParams,
    ProgressNotificationParam, Prompt, PromptArgument, PromptMessage, PromptsCapability, ReadResourceRequestParams,
    ReadResourceResponse, ReadResourceResult, ResourceContents, ResourceTemplate, ResourcesCapability, Role,
    ServerCapabilities, ServerConfig, Tool,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler};
use serde_json::Value;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::catalogue::Catalogue;
use crate::config::{ApiKey, Config};
use crate::dedupe::{DEDUPE_KEY, Dedupe, Outcome};
use crate::egress::Denial;
use crate::sandbox::{
    self, CallFailure, CallOutcome, CallRequest, GuestCatalogue, Sandbox, Step, StepOutput, ToolError,
};

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
    prompts: Vec<Prompt>,
    resource_templates: Vec<ResourceTemplate>,
    origin: String,
    api_key: Option<ApiKey>,
    max_output_bytes: usize,
    /// Successful calls with a `dedupe_key`, so a repeat does not act twice.
    dedupe: Dedupe,
    /// Cancelled when the session ends; in-flight calls stop with it.
    shutdown: CancellationToken,
    /// Cancelled when the server begins to shut down: new calls are refused.
    draining: CancellationToken,
    /// The tool calls in flight, each holding a token.
    in_flight: TaskTracker,
}

impl OrchestraServer {
    /// `guest` supplies the prompts and resource templates; `catalogue` the exposed tools.
    pub fn new(sandbox: Sandbox, catalogue: Catalogue, guest: &GuestCatalogue, config: &Config) -> Self {
        let prompts = guest
            .prompts
            .iter()
            .map(|p| {
                let arguments = p
                    .arguments
                    .iter()
                    .map(|a| PromptArgument::new(&a.name).with_description(&a.description).with_required(a.required))
                    .collect();
                Prompt::new(&p.name, Some(&p.description), Some(arguments)).with_title(&p.title)
            })
            .collect();
        let resource_templates = guest
            .resource_templates
            .iter()
            .map(|t| {
                ResourceTemplate::new(&t.uri_template, &t.name)
                    .with_title(&t.title)
                    .with_description(&t.description)
                    .with_mime_type(&t.mime_type)
            })
            .collect();
        Self {
            inner: Arc::new(Inner {
                sandbox,
                catalogue,
                prompts,
                resource_templates,
                origin: config.base_url.origin().ascii_serialization(),
                api_key: config.api_key.clone(),
                max_output_bytes: config.limits.max_output_bytes,
                dedupe: Dedupe::new(config.dedupe_window),
                shutdown: CancellationToken::new(),
                draining: CancellationToken::new(),
                in_flight: TaskTracker::new(),
            }),
        }
    }

    /// The exposed tools, as `tools/list` publishes them.
    pub fn tools(&self) -> &[Tool] {
        self.inner.catalogue.tools()
    }

    /// Why `name` cannot be called here (hidden by the configuration, or unknown), or
    /// `None` when it is exposed.
    pub fn unavailable(&self, name: &str) -> Option<String> {
        if self.inner.catalogue.get(name).is_some() {
            return None;
        }
        if self.inner.catalogue.is_hidden(name) {
            return Some(format!(
                "the tool {name:?} is not enabled on this server; whoever runs it can enable it \
                 (ORCHESTRA_MCP_ENABLE_TOOLS={name}, unless the server is read-only)"
            ));
        }
        let known: Vec<&str> = self.inner.catalogue.tools().iter().map(|t| t.name.as_ref()).collect();
        let guess = match crate::suggest::nearest(name, known.iter().copied()) {
            Some(near) => format!("did you mean {near:?}? "),
            None => String::new(),
        };
        Some(format!("unknown tool {name:?}; {guess}this server has: {}", known.join(", ")))
    }

    /// The token that ends every in-flight call when cancelled (the transport closed).
    pub fn shutdown_token(&self) -> CancellationToken {
        self.inner.shutdown.clone()
    }

    /// Shuts down gracefully: refuses new calls, gives those in flight `grace` to finish,
    /// then cancels the rest, which answer that the server is shutting down. Returns when
    /// every call has answered (or a few seconds after cancelling, at most).
    pub async fn drain(&self, grace: Duration) {
        self.inner.draining.cancel();
        self.inner.in_flight.close();
        if tokio::time::timeout(grace, self.inner.in_flight.wait()).await.is_err() {
            tracing::warn!(calls = self.inner.in_flight.len(), "calls still running at shutdown are cancelled");
            self.inner.shutdown.cancel();
            let _ = tokio::time::timeout(Duration::from_secs(3), self.inner.in_flight.wait()).await;
        }
    }

    /// Runs a call (or answers a repeat from the dedupe memory) and removes the API key
    /// from everything it returns.
    pub async fn run_tool(
        &self,
        name: &str,
        mut arguments: Value,
        context: Option<&RequestContext<RoleServer>>,
    ) -> CallToolResult {
        // Models often send `null` for an argument they mean to leave out; treat it so.
        if let Value::Object(map) = &mut arguments {
            map.retain(|_, v| !v.is_null());
        }
        let call = self.run_tool_unredacted(name, &arguments, context);
        // Only a tool that declares the key is deduplicated; any other takes the call as it is.
        let result = if self.inner.catalogue.takes(name, DEDUPE_KEY) {
            self.inner.dedupe.run(name, &arguments, call).await
        } else {
            call.await.0
        };
        match &self.inner.api_key {
            Some(key) => redact_result(key, result),
            None => result,
        }
    }

    /// Runs a call to completion: validation, then guest steps until a result; with it,
    /// whether the call may have changed anything (for the dedupe memory).
    async fn run_tool_unredacted(
        &self,
        name: &str,
        arguments: &Value,
        context: Option<&RequestContext<RoleServer>>,
    ) -> (CallToolResult, Outcome) {
        if let Err(invalid) = self.inner.catalogue.validate(name, arguments) {
            let mut list = invalid.problems.iter().map(|p| format!("- {p}")).collect::<Vec<_>>().join("\n");
            if invalid.more > 0 {
                list.push_str(&format!("\n- … and {} more problems of the same kinds", invalid.more));
            }
            let text = format!(
                "Invalid arguments for {name}; nothing was sent to Orchestra. Fix these and call again:\n{list}"
            );
            return (error_result(text), Outcome::NothingChanged);
        }
        let started = tokio::time::Instant::now();
        let mut resume_state = None;
        loop {
            let request = CallRequest { tool: name.to_string(), arguments: arguments.to_string(), resume_state };
            let outcome = self.inner.sandbox.call(request).await;
            match outcome {
                Ok(CallOutcome::Done(json)) if json.len() > self.inner.max_output_bytes => {
                    let text = format!(
                        "{name} produced a {} KiB result, over the {} KiB limit; ask for less (a smaller limit, \
                         max_bytes, or narrower filters)",
                        json.len() / 1024,
                        self.inner.max_output_bytes / 1024
                    );
                    return (error_result(text), Outcome::Unknown);
                }
                Ok(CallOutcome::Done(json)) => {
                    let result = success_result(&json);
                    let outcome = if result.is_error == Some(true) { Outcome::Unknown } else { Outcome::Succeeded };
                    return (result, outcome);
                }
                Ok(CallOutcome::Pending(pending)) => {
                    if started.elapsed() > MAX_PENDING {
                        let text = format!(
                            "{name} was still waiting after {} minutes and was stopped; call it again to keep waiting",
                            MAX_PENDING.as_secs() / 60
                        );
                        return (error_result(text), Outcome::Unknown);
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
                Err(failure) => {
                    let outcome = outcome_of(&failure);
                    return (error_result(self.describe(name, failure)), outcome);
                }
            }
        }
    }

    /// Runs a prompt or resource step; failures become JSON-RPC errors worded like tool
    /// failures, and the key never leaves in a message.
    async fn run_step(&self, what: &str, step: Step) -> Result<StepOutput, ErrorData> {
        let failure = match self.inner.sandbox.run(step).await {
            Ok(output) => return Ok(output),
            Err(failure) => failure,
        };
        let (not_found, invalid) = match &failure {
            CallFailure::Tool { error: ToolError::Upstream(u), .. } => (u.status == 404, false),
            CallFailure::Tool { error: ToolError::InvalidArguments(_) | ToolError::UnknownTool(_), .. } => {
                (false, true)
            }
            _ => (false, false),
        };
        let mut message = self.describe(what, failure);
        if let Some(key) = &self.inner.api_key {
            message = key.redact(&message);
        }
        Err(if not_found {
            ErrorData::resource_not_found(message, None)
        } else if invalid {
            ErrorData::invalid_params(message, None)
        } else {
            ErrorData::internal_error(message, None)
        })
    }

    fn describe(&self, tool: &str, failure: CallFailure) -> String {
        let read_only = self.inner.catalogue.is_read_only(tool);
        match failure {
            CallFailure::Timeout(limit) if read_only => format!(
                "{tool} was stopped after the {} s limit for one call; Orchestra may be slow. It only reads, so \
                 nothing changed: call again, or narrow the request",
                limit.as_secs()
            ),
            CallFailure::Timeout(limit) => format!(
                "{tool} was stopped after the {} s limit for one call, possibly after Orchestra received its \
                 request, so whether it took effect is unknown: check before calling again",
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
                if u.status == 401 {
                    // The component cannot know where this host reads the key from.
                    text.push_str(
                        " (this server reads it from ORCHESTRA_API_KEY, ORCHESTRA_API_KEY_FILE or \
                         ORCHESTRA_API_KEY_COMMAND at start-up)",
                    );
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
                    // Refused by the component itself (no key): its message says what to set.
                    detail
                }
            }
            // The component words these whole: what happened, whether it may have taken
            // effect, what was retried, what to do (guest/src/api/failure.rs).
            ToolError::Timeout(m) | ToolError::Transport(m) => m,
            ToolError::UnexpectedResponse(m) => {
                format!("Orchestra's answer could not be read: {m}")
            }
            ToolError::UnknownTool(name) => format!("The component does not know the tool {name}"),
            ToolError::Internal(m) => format!("{tool} failed: {m}"),
        }
    }
}

/// Whether a failed call may have changed anything: only failures that surely happened
/// before anything was sent, or that Orchestra refused, changed nothing.
fn outcome_of(failure: &CallFailure) -> Outcome {
    match failure {
        CallFailure::Busy { .. } => Outcome::NothingChanged,
        CallFailure::Tool { error, .. } => match error {
            ToolError::InvalidArguments(_) | ToolError::UnknownTool(_) | ToolError::EgressDenied(_) => {
                Outcome::NothingChanged
            }
            ToolError::Upstream(u) if u.status < 500 => Outcome::NothingChanged,
            _ => Outcome::Unknown,
        },
        CallFailure::Timeout(_) | CallFailure::Trap(_) | CallFailure::MemoryLimit(_) | CallFailure::CpuLimit(_) => {
            Outcome::Unknown
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
        // Declare only what is served: prompts and resources when the component has some.
        let mut capabilities = ServerCapabilities::builder().enable_tools().build();
        if !self.inner.prompts.is_empty() {
            capabilities.prompts = Some(PromptsCapability::default());
        }
        if !self.inner.resource_templates.is_empty() {
            capabilities.resources = Some(ResourcesCapability::default());
        }
        ServerConfig::new(capabilities)
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
        if let Some(message) = self.unavailable(&name) {
            return Err(ErrorData::invalid_params(message, None));
        }
        if self.inner.draining.is_cancelled() {
            return Err(ErrorData::internal_error(
                "the server is shutting down and takes no new calls; call again once it is back",
                None,
            ));
        }
        let _in_flight = self.inner.in_flight.token();
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
                tracing::info!(tool = %name, "tool call stopped: the session ended or the server is shutting down");
                Err(ErrorData::internal_error(
                    "the call was stopped because the server is shutting down; whether it took effect is unknown \
                     if it changes anything: check before calling again",
                    None,
                ))
            }
        }
    }

    async fn list_prompts(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListPromptsResult, ErrorData> {
        if self.inner.prompts.is_empty() {
            return Err(ErrorData::method_not_found::<rmcp::model::ListPromptsRequestMethod>());
        }
        Ok(ListPromptsResult::with_all_items(self.inner.prompts.clone()))
    }

    async fn get_prompt(
        &self,
        request: GetPromptRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<GetPromptResponse, ErrorData> {
        let Some(prompt) = self.inner.prompts.iter().find(|p| p.name == request.name) else {
            let names: Vec<&str> = self.inner.prompts.iter().map(|p| p.name.as_str()).collect();
            return Err(ErrorData::invalid_params(
                format!("no prompt is named {:?}; this server has: {}", request.name, names.join(", ")),
                None,
            ));
        };
        let arguments = Value::Object(request.arguments.unwrap_or_default()).to_string();
        let step = Step::Prompt { name: request.name.clone(), arguments };
        let StepOutput::Prompt(messages) = self.run_step(&format!("prompt {}", request.name), step).await? else {
            return Err(ErrorData::internal_error("the component answered a prompt with something else", None));
        };
        let messages = messages
            .into_iter()
            .map(|m| {
                let role = match m.role {
                    sandbox::Role::User => Role::User,
                    sandbox::Role::Assistant => Role::Assistant,
                };
                PromptMessage::new_text(role, m.text)
            })
            .collect();
        let mut result = GetPromptResult::new(messages);
        result.description = prompt.description.clone();
        Ok(result.into())
    }

    // Documents are reached through templates; there is no fixed list of them.
    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, ErrorData> {
        if self.inner.resource_templates.is_empty() {
            return Err(ErrorData::method_not_found::<rmcp::model::ListResourcesRequestMethod>());
        }
        Ok(ListResourcesResult::with_all_items(Vec::new()))
    }

    async fn list_resource_templates(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourceTemplatesResult, ErrorData> {
        if self.inner.resource_templates.is_empty() {
            return Err(ErrorData::method_not_found::<rmcp::model::ListResourceTemplatesRequestMethod>());
        }
        Ok(ListResourceTemplatesResult::with_all_items(self.inner.resource_templates.clone()))
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        let read = self.run_step("resource read", Step::Resource(request.uri.clone()));
        // A resource that does not exist (or a URI no template matches) names the URI in
        // `data`, as SEP-2164 asks.
        let with_uri = |mut error: ErrorData| {
            if error.code == rmcp::model::ErrorCode::RESOURCE_NOT_FOUND
                || error.code == rmcp::model::ErrorCode::INVALID_PARAMS
            {
                error.data = Some(serde_json::json!({ "uri": request.uri }));
            }
            error
        };
        let output = tokio::select! {
            output = read => output.map_err(with_uri)?,
            () = context.ct.cancelled() => return Err(ErrorData::internal_error("request cancelled", None)),
        };
        let StepOutput::Resource(contents) = output else {
            return Err(ErrorData::internal_error("the component answered a read with something else", None));
        };
        if contents.text.len() > self.inner.max_output_bytes {
            return Err(ErrorData::internal_error(
                format!("the resource is over the {} KiB result limit", self.inner.max_output_bytes / 1024),
                None,
            ));
        }
        let text = match &self.inner.api_key {
            Some(key) => key.redact(&contents.text),
            None => contents.text,
        };
        let contents = ResourceContents::text(text, contents.uri).with_mime_type(contents.mime_type);
        Ok(ReadResourceResult::new(vec![contents]).into())
    }

    async fn complete(
        &self,
        _request: CompleteRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<CompleteResult, ErrorData> {
        Err(ErrorData::method_not_found::<rmcp::model::CompleteRequestMethod>())
    }
}
