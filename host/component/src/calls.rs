//! The imported tools component as the server publishes it: its catalogue filtered by the
//! exposure switches in the environment, its prompts and resource templates; tool calls
//! with arguments validated before anything runs and `pending` steps driven inside the
//! call, sleeping on `wasi:clocks` between them; prompts and reads worded as the native
//! host words them.

use std::time::{Duration, Instant};

use orchestra_mcp_face::catalogue::{Catalogue, drop_nulls};
use orchestra_mcp_face::descriptor::{self as face, Annotations, ToolDescriptor, ToolError, Upstream};
use orchestra_mcp_face::documents;
use orchestra_mcp_face::exposure::Exposure;
use orchestra_mcp_face::wording;
use rmcp::model::{
    CallToolResult, CompleteResult, ErrorData, GetPromptResult, Prompt, ReadResourceResult, ResourceTemplate,
};
use serde_json::Value;

use crate::tools;

/// Progress of a long call, as the component reported it: (progress, total, message).
pub type Progress = (f64, Option<f64>, Option<String>);

/// What the server publishes.
pub struct Surface {
    pub catalogue: Catalogue,
    pub prompts: Vec<Prompt>,
    pub resource_templates: Vec<ResourceTemplate>,
}

impl Surface {
    /// Whether `completion/complete` is served.
    pub fn completes(&self) -> bool {
        documents::has_arguments(&self.prompts, &self.resource_templates)
    }
}

/// Reads the surface from the tools component and the environment's switches. Fails with a
/// sentence for the operator when a switch names nothing or exposes nothing.
pub fn surface() -> Result<Surface, String> {
    let catalogue = catalogue()?;
    let prompts = tools::list_prompts()
        .into_iter()
        .map(|p| {
            let arguments = p
                .arguments
                .into_iter()
                .map(|a| face::PromptArgument { name: a.name, description: a.description, required: a.required })
                .collect();
            documents::prompt(&face::PromptDescriptor {
                name: p.name,
                title: p.title,
                description: p.description,
                arguments,
            })
        })
        .collect();
    let resource_templates = tools::list_resource_templates()
        .into_iter()
        .map(|t| {
            documents::resource_template(&face::ResourceTemplate {
                uri_template: t.uri_template,
                name: t.name,
                title: t.title,
                description: t.description,
                mime_type: t.mime_type,
            })
        })
        .collect();
    Ok(Surface { catalogue, prompts, resource_templates })
}

/// The tools component's catalogue, filtered by the exposure switches in the environment.
/// An instance answers one request (or, over stdio, one session), so a tool's validator is
/// compiled only when that tool is called.
pub fn catalogue() -> Result<Catalogue, String> {
    let vars: Vec<(String, String)> = std::env::vars().collect();
    let exposure = Exposure::from_vars(vars)?;
    Catalogue::lazy(tools::list_tools().into_iter().map(descriptor).collect(), &exposure)
}

/// A prompt's messages for `arguments` (a JSON object of strings).
pub fn prompt(surface: &Surface, name: &str, arguments: &Value) -> Result<GetPromptResult, ErrorData> {
    let Some(prompt) = surface.prompts.iter().find(|p| p.name == name) else {
        return Err(documents::unknown_prompt(name, &surface.prompts));
    };
    match tools::get_prompt(name, &arguments.to_string()) {
        Ok(messages) => {
            let messages = messages
                .into_iter()
                .map(|m| face::PromptMessage { user: matches!(m.role, tools::Role::User), text: m.text })
                .collect();
            Ok(documents::prompt_result(prompt, messages))
        }
        Err(error) => Err(step_error(&format!("prompt {name}"), error)),
    }
}

/// Reads one resource.
pub fn read(uri: &str) -> Result<ReadResourceResult, ErrorData> {
    match tools::read_resource(uri) {
        Ok(c) => Ok(documents::resource_result(c.uri, c.mime_type, c.text)),
        Err(error) => Err(documents::naming_the_uri(step_error("resource read", error), uri)),
    }
}

/// Values for a prompt's or resource template's argument.
pub fn complete(request: &face::CompletionRequest) -> Result<CompleteResult, ErrorData> {
    let target = match &request.target {
        face::CompletionTarget::Prompt(name) => tools::CompletionTarget::Prompt(name.clone()),
        face::CompletionTarget::ResourceTemplate(uri) => tools::CompletionTarget::ResourceTemplate(uri.clone()),
    };
    let asked = tools::CompletionRequest {
        target,
        argument: request.argument.clone(),
        value: request.value.clone(),
        context: request.context.clone(),
    };
    match tools::complete(&asked) {
        Ok(c) => Ok(documents::completion_result(face::Completion {
            values: c.values,
            total: c.total,
            has_more: c.has_more,
        })),
        Err(error) => Err(step_error("completion", error)),
    }
}

fn step_error(what: &str, error: tools::ToolError) -> ErrorData {
    let error = tool_error(error);
    documents::step_error(Some(&error), wording::tool_error(what, &error))
}

/// Runs one `tools/call` to its end. `progress` hears each `pending` step's progress.
pub fn run(
    catalogue: &Catalogue,
    name: &str,
    mut arguments: Value,
    progress: &mut dyn FnMut(Progress),
) -> CallToolResult {
    drop_nulls(&mut arguments);
    if let Err(invalid) = catalogue.validate(name, &arguments) {
        return wording::error(wording::invalid_arguments(name, &invalid));
    }
    let started = Instant::now();
    let mut resume_state = None;
    loop {
        let request = tools::CallRequest { tool: name.to_string(), arguments: arguments.to_string(), resume_state };
        match tools::call_tool(&request) {
            Ok(tools::CallOutcome::Done(json)) => return wording::success(&json),
            Ok(tools::CallOutcome::Pending(pending)) => {
                if started.elapsed() > wording::MAX_PENDING {
                    return wording::error(wording::still_pending(name, wording::MAX_PENDING.as_secs() / 60));
                }
                if let Some(p) = pending.progress {
                    progress((p.progress, p.total, p.message));
                }
                std::thread::sleep(Duration::from_millis(u64::from(pending.resume_after_ms)));
                resume_state = Some(pending.state);
            }
            Err(error) => return wording::error(wording::tool_error(name, &tool_error(error))),
        }
    }
}

fn descriptor(d: tools::ToolDescriptor) -> ToolDescriptor {
    let a = d.annotations;
    ToolDescriptor {
        name: d.name,
        title: d.title,
        description: d.description,
        toolset: d.toolset,
        input_schema: d.input_schema,
        output_schema: d.output_schema,
        annotations: Annotations {
            read_only: a.read_only,
            destructive: a.destructive,
            idempotent: a.idempotent,
            open_world: a.open_world,
        },
        opt_in: d.opt_in,
    }
}

fn tool_error(error: tools::ToolError) -> ToolError {
    match error {
        tools::ToolError::UnknownTool(s) => ToolError::UnknownTool(s),
        tools::ToolError::InvalidArguments(a) => ToolError::InvalidArguments { field: a.field, message: a.message },
        tools::ToolError::Upstream(u) => ToolError::Upstream(Upstream {
            status: u.status,
            request: u.request,
            detail: u.detail,
            retry_after_seconds: u.retry_after_seconds,
            hint: u.hint,
        }),
        tools::ToolError::EgressDenied(s) => ToolError::EgressDenied(s),
        tools::ToolError::Timeout(s) => ToolError::Timeout(s),
        tools::ToolError::Transport(s) => ToolError::Transport(s),
        tools::ToolError::UnexpectedResponse(s) => ToolError::UnexpectedResponse(s),
        tools::ToolError::Internal(s) => ToolError::Internal(s),
    }
}
