//! The MCP face of the host: `tools/list` from the catalogue, `tools/call` validated and
//! then run in the sandbox, with results and failures worded for a model.

use std::sync::Arc;
use std::time::Duration;

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, CompleteRequestParams, CompleteResult, ContentBlock,
    GetPromptRequestParams, GetPromptResponse, Implementation, ListPromptsResult, ListResourceTemplatesResult,
    ListResourcesResult, ListToolsResult, PaginatedRequestParams, ProgressNotificationParam, Prompt, PromptsCapability,
    ReadResourceRequestParams, ReadResourceResponse, ResourceTemplate, ResourcesCapability, ServerCapabilities,
    ServerConfig, Tool,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler};
use serde_json::Value;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use orchestra_mcp_face::{documents, wording};

use crate::catalogue::Catalogue;
use crate::mcp::caller::{Caller, RequestScope};
use crate::mcp::dedupe::{DEDUPE_KEY, Dedupe, Outcome};
use crate::sandbox::egress::Denial;
use crate::sandbox::{CallFailure, CallOutcome, CallRequest, GuestCatalogue, Sandbox, Step, StepOutput, ToolError};
use crate::settings::config::{ApiKey, Config};

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
    /// The server-wide key; `None` when there is none or each request brings its own.
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
        let prompts = guest.prompts.iter().cloned().map(|p| documents::prompt(&p.into())).collect();
        let resource_templates =
            guest.resource_templates.iter().cloned().map(|t| documents::resource_template(&t.into())).collect();
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

    /// The exposed tools with what the component knows of each (toolsets, annotations).
    pub fn catalogue(&self) -> &Catalogue {
        &self.inner.catalogue
    }

    /// Whether the server has begun to shut down (and takes no new calls).
    pub fn is_draining(&self) -> bool {
        self.inner.draining.is_cancelled()
    }

    /// Whether Orchestra's base URL answers (any status), asked without a key.
    pub async fn orchestra_answers(&self) -> Result<u16, String> {
        self.inner.sandbox.orchestra_answers().await
    }

    /// Why `name` cannot be called here (hidden by the configuration, or unknown), or
    /// `None` when it is exposed.
    pub fn unavailable(&self, name: &str) -> Option<String> {
        self.inner.catalogue.unavailable(name)
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

    /// Runs a call (or answers a repeat from the dedupe memory) with the caller's key, and
    /// removes that key from everything it returns.
    pub async fn run_tool(
        &self,
        name: &str,
        mut arguments: Value,
        context: Option<&RequestContext<RoleServer>>,
    ) -> CallToolResult {
        orchestra_mcp_face::catalogue::drop_nulls(&mut arguments);
        let caller = Caller::of(context, self.inner.api_key.as_ref());
        let call = self.run_tool_unredacted(name, &arguments, &caller, context);
        // Only a tool that declares the key is deduplicated; any other takes the call as it is.
        let result = if self.inner.catalogue.takes(name, DEDUPE_KEY) {
            self.inner.dedupe.run(&caller.dedupe_scope(), name, &arguments, call).await
        } else {
            call.await.0
        };
        match &caller.key {
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
        caller: &Caller,
        context: Option<&RequestContext<RoleServer>>,
    ) -> (CallToolResult, Outcome) {
        if let Err(invalid) = self.inner.catalogue.validate(name, arguments) {
            return (wording::error(wording::invalid_arguments(name, &invalid)), Outcome::NothingChanged);
        }
        let started = tokio::time::Instant::now();
        let mut resume_state = None;
        loop {
            let request = CallRequest { tool: name.to_string(), arguments: arguments.to_string(), resume_state };
            let outcome = self.inner.sandbox.call(request, caller.key.as_ref()).await;
            match outcome {
                Ok(CallOutcome::Done(json)) if json.len() > self.inner.max_output_bytes => {
                    let text = wording::too_large(name, json.len(), self.inner.max_output_bytes);
                    return (wording::error(text), Outcome::Unknown);
                }
                Ok(CallOutcome::Done(json)) => {
                    let result = wording::success(&json);
                    let outcome = if result.is_error == Some(true) { Outcome::Unknown } else { Outcome::Succeeded };
                    return (result, outcome);
                }
                Ok(CallOutcome::Pending(pending)) => {
                    if started.elapsed() > wording::MAX_PENDING {
                        let text = wording::still_pending(name, wording::MAX_PENDING.as_secs() / 60);
                        return (wording::error(text), Outcome::Unknown);
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
                    let read_only = self.inner.catalogue.is_read_only(name);
                    return (wording::error(self.describe(name, read_only, caller, failure)), outcome);
                }
            }
        }
    }

    /// Runs a prompt, a resource read or a completion (each only reads) with the caller's
    /// key; failures become JSON-RPC errors worded like tool failures, and the key never
    /// leaves in a message.
    async fn run_step(&self, what: &str, step: Step, caller: &Caller) -> Result<StepOutput, ErrorData> {
        let failure = match self.inner.sandbox.run(step, caller.key.as_ref()).await {
            Ok(output) => return Ok(output),
            Err(failure) => failure,
        };
        let error = match &failure {
            CallFailure::Tool { error, .. } => Some(orchestra_mcp_face::descriptor::ToolError::from(error.clone())),
            _ => None,
        };
        let mut message = self.describe(what, true, caller, failure);
        if let Some(key) = &caller.key {
            message = key.redact(&message);
        }
        Err(documents::step_error(error.as_ref(), message))
    }

    fn describe(&self, tool: &str, read_only: bool, caller: &Caller, failure: CallFailure) -> String {
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
            CallFailure::Tool { error, denials } => self.describe_tool_error(tool, caller, error, &denials),
        }
    }

    /// This host's own words first (where it reads the key, its egress policy), then the
    /// shared wording.
    fn describe_tool_error(&self, tool: &str, caller: &Caller, error: ToolError, denials: &[Denial]) -> String {
        match &error {
            ToolError::Upstream(u) if u.status == 401 && caller.own_key => {
                return format!(
                    "{} (this server sends Orchestra the key that each request brings, in the {} header or as \
                     `Authorization: Bearer` when the server has no token of its own: check the key in this MCP \
                     client's configuration)",
                    wording::tool_error(tool, &error.into()),
                    crate::mcp::caller::KEY_HEADER
                );
            }
            ToolError::Upstream(u) if u.status == 401 && caller.key.is_none() => {
                return format!(
                    "{tool} needs an Orchestra API key and none is configured: set ORCHESTRA_API_KEY in this MCP \
                     server's environment (Orchestra: Settings → API Key) and restart the server"
                );
            }
            ToolError::Upstream(u) if u.status == 401 => {
                // The component cannot know where this host reads the key from.
                return format!(
                    "{} (this server reads it from ORCHESTRA_API_KEY, ORCHESTRA_API_KEY_FILE or \
                     ORCHESTRA_API_KEY_COMMAND at start-up)",
                    wording::tool_error(tool, &error.into())
                );
            }
            ToolError::EgressDenied(_) => match denials.first() {
                Some(Denial::NotAllowed { scheme, host }) => {
                    return format!(
                        "The sandbox refused a request to {scheme}://{host}: this server only talks to {}. \
                         This is a policy decision, not a network fault",
                        self.inner.origin
                    );
                }
                Some(Denial::ProhibitedAddress { host, address }) => {
                    return format!(
                        "The sandbox refused a request to {host}: it is or resolves to {address}, a private, local or \
                         metadata address that tools may not reach. This is a policy decision, not a network fault"
                    );
                }
                // Refused by the component itself (no key): its message says what to set.
                _ => {}
            },
            _ => {}
        }
        wording::tool_error(tool, &error.into())
    }
}

/// Whether a failed call may have changed anything: only failures that surely happened
/// before anything was sent, or that Orchestra refused, changed nothing.
fn outcome_of(failure: &CallFailure) -> Outcome {
    match failure {
        CallFailure::Busy { .. } => Outcome::NothingChanged,
        CallFailure::Tool { error, .. }
            if orchestra_mcp_face::descriptor::ToolError::from(error.clone()).changed_nothing() =>
        {
            Outcome::NothingChanged
        }
        CallFailure::Tool { .. } => Outcome::Unknown,
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

impl ServerHandler for OrchestraServer {
    fn get_info(&self) -> ServerConfig {
        // Declare only what is served: prompts and resources when the component has some,
        // and completions when any of them has an argument to complete.
        let mut capabilities = ServerCapabilities::builder().enable_tools().build();
        if !self.inner.prompts.is_empty() {
            capabilities.prompts = Some(PromptsCapability::default());
        }
        if !self.inner.resource_templates.is_empty() {
            capabilities.resources = Some(ResourcesCapability::default());
        }
        if documents::has_arguments(&self.inner.prompts, &self.inner.resource_templates) {
            capabilities.completions = Some(Default::default());
        }
        ServerConfig::new(capabilities)
            .with_server_info(
                Implementation::new(wording::SERVER_NAME, env!("CARGO_PKG_VERSION")).with_title(wording::SERVER_TITLE),
            )
            .with_instructions(wording::INSTRUCTIONS)
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        let catalogue = &self.inner.catalogue;
        let tools = match RequestScope::of(Some(&context)).narrowing {
            Some(narrowing) => {
                catalogue.tools().iter().filter(|t| narrowing.keeps(catalogue, &t.name)).cloned().collect()
            }
            None => catalogue.tools().to_vec(),
        };
        Ok(ListToolsResult::with_all_items(tools))
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
        let narrowing = RequestScope::of(Some(&context)).narrowing;
        if let Some(message) = narrowing.and_then(|n| n.refusal(&self.inner.catalogue, &name)) {
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
        context: RequestContext<RoleServer>,
    ) -> Result<GetPromptResponse, ErrorData> {
        let Some(prompt) = self.inner.prompts.iter().find(|p| p.name == request.name) else {
            return Err(documents::unknown_prompt(&request.name, &self.inner.prompts));
        };
        let arguments = Value::Object(request.arguments.unwrap_or_default()).to_string();
        let step = Step::Prompt { name: request.name.clone(), arguments };
        let caller = Caller::of(Some(&context), self.inner.api_key.as_ref());
        let StepOutput::Prompt(messages) = self.run_step(&format!("prompt {}", request.name), step, &caller).await?
        else {
            return Err(ErrorData::internal_error("the component answered a prompt with something else", None));
        };
        Ok(documents::prompt_result(prompt, messages.into_iter().map(Into::into).collect()).into())
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
        let caller = Caller::of(Some(&context), self.inner.api_key.as_ref());
        let read = self.run_step("resource read", Step::Resource(request.uri.clone()), &caller);
        let output = tokio::select! {
            output = read => output.map_err(|e| documents::naming_the_uri(e, &request.uri))?,
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
        let text = match &caller.key {
            Some(key) => key.redact(&contents.text),
            None => contents.text,
        };
        Ok(documents::resource_result(contents.uri, contents.mime_type, text).into())
    }

    async fn complete(
        &self,
        request: CompleteRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CompleteResult, ErrorData> {
        if !documents::has_arguments(&self.inner.prompts, &self.inner.resource_templates) {
            return Err(ErrorData::method_not_found::<rmcp::model::CompleteRequestMethod>());
        }
        let step = Step::Complete(documents::completion_request(&request)?.into());
        let caller = Caller::of(Some(&context), self.inner.api_key.as_ref());
        let output = tokio::select! {
            output = self.run_step("completion", step, &caller) => output?,
            () = context.ct.cancelled() => return Err(ErrorData::internal_error("request cancelled", None)),
        };
        let StepOutput::Completion(completion) = output else {
            return Err(ErrorData::internal_error("the component answered a completion with something else", None));
        };
        let mut completion = orchestra_mcp_face::descriptor::Completion::from(completion);
        if let Some(key) = &caller.key {
            completion.values = completion.values.iter().map(|v| key.redact(v)).collect();
        }
        Ok(documents::completion_result(completion))
    }
}
