//! A probe component implementing `orchestra:mcp/tool-provider` with tools that try what
//! a hostile or buggy tool would: reach other origins, set credentials, read the
//! environment, keep state between calls. The security tests load it in place of the real component.

#[allow(unsafe_code)]
mod bindings {
    wit_bindgen::generate!({ path: "../../../wit", world: "tool-provider" });
}

use bindings::exports::orchestra::mcp::tools::{
    CallOutcome, CallRequest, Completion, CompletionRequest, Guest, Pending, Progress, PromptDescriptor, PromptMessage,
    ResourceContents, ResourceTemplate, ToolAnnotations, ToolDescriptor, ToolError,
};
use serde_json::{Value, json};
use wstd::http::{Body, Client, Request};

struct Probe;

fn tool(name: &str, description: &str, input: Value) -> ToolDescriptor {
    ToolDescriptor {
        name: name.into(),
        title: name.into(),
        description: description.into(),
        toolset: "probe".into(),
        input_schema: input.to_string(),
        output_schema: json!({"type": "object"}).to_string(),
        annotations: ToolAnnotations { read_only: true, destructive: false, idempotent: true, open_world: true },
        opt_in: false,
    }
}

impl Guest for Probe {
    // This test component offers no prompts and no resources, so nothing to complete.
    fn list_prompts() -> Vec<PromptDescriptor> {
        Vec::new()
    }

    fn get_prompt(name: String, _arguments: String) -> Result<Vec<PromptMessage>, ToolError> {
        Err(ToolError::UnknownTool(name))
    }

    fn list_resource_templates() -> Vec<ResourceTemplate> {
        Vec::new()
    }

    fn read_resource(uri: String) -> Result<ResourceContents, ToolError> {
        Err(ToolError::UnknownTool(uri))
    }

    fn complete(_request: CompletionRequest) -> Result<Completion, ToolError> {
        Ok(Completion { values: Vec::new(), total: None, has_more: false })
    }

    fn list_tools() -> Vec<ToolDescriptor> {
        vec![
            tool(
                "fetch",
                "GET a URL, optionally with extra headers",
                json!({"type": "object", "properties": {"url": {"type": "string"}, "headers": {"type": "object"}}, "required": ["url"]}),
            ),
            tool("environment", "Report the environment variables and arguments", json!({"type": "object"})),
            tool("counter", "Count calls in a static variable", json!({"type": "object"})),
            tool(
                "countdown",
                "Finish after `steps` host-driven continuations, reporting progress at each",
                json!({"type": "object", "properties": {"steps": {"type": "integer", "minimum": 1}}, "required": ["steps"]}),
            ),
        ]
    }

    fn call_tool(request: CallRequest) -> Result<CallOutcome, ToolError> {
        let args: Value = serde_json::from_str(&request.arguments).unwrap_or_default();
        match request.tool.as_str() {
            "fetch" => wstd::runtime::block_on(fetch(args)),
            "environment" => {
                let env: Vec<(String, String)> = std::env::vars().collect();
                Ok(CallOutcome::Done(json!({"env": env, "args": std::env::args().collect::<Vec<_>>()}).to_string()))
            }
            "counter" => {
                // State that would survive between calls if an instance were ever reused.
                static CALLS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
                let n = CALLS.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
                Ok(CallOutcome::Done(json!({"calls": n}).to_string()))
            }
            "countdown" => Ok(countdown(&args, request.resume_state.as_deref())),
            other => Err(ToolError::UnknownTool(other.into())),
        }
    }
}

/// A long operation the host drives: each step returns `pending` with the steps left as
/// its state, until none are left. The guest keeps nothing between steps.
fn countdown(args: &Value, state: Option<&str>) -> CallOutcome {
    let steps = args["steps"].as_u64().unwrap_or(1);
    let done = state.and_then(|s| s.parse::<u64>().ok()).unwrap_or(0) + 1;
    if done > steps {
        return CallOutcome::Done(json!({"steps": steps}).to_string());
    }
    CallOutcome::Pending(Pending {
        resume_after_ms: 20,
        state: done.to_string(),
        progress: Some(Progress {
            progress: done as f64,
            total: Some(steps as f64),
            message: Some(format!("step {done} of {steps}")),
        }),
    })
}

async fn fetch(args: Value) -> Result<CallOutcome, ToolError> {
    let url = args["url"].as_str().unwrap_or_default();
    let mut builder = Request::get(url);
    for (name, value) in args["headers"].as_object().into_iter().flatten() {
        builder = builder.header(name.as_str(), value.as_str().unwrap_or_default());
    }
    let request = builder.body(Body::empty()).map_err(|e| ToolError::Internal(e.to_string()))?;
    let mut client = Client::new();
    if let Some(ms) = args["first_byte_timeout_ms"].as_u64() {
        // The host clamps whatever the guest asks for.
        client.set_first_byte_timeout(std::time::Duration::from_millis(ms));
    }
    match client.send(request).await {
        Ok(mut response) => {
            let status = response.status().as_u16();
            let body = response.body_mut().str_contents().await.map(str::to_string).unwrap_or_default();
            Ok(CallOutcome::Done(json!({"status": status, "body": body}).to_string()))
        }
        Err(e) => match e.downcast_ref::<wstd::http::error::ErrorCode>() {
            Some(wstd::http::error::ErrorCode::HttpRequestDenied) => Err(ToolError::EgressDenied(url.into())),
            _ => Err(ToolError::Transport(format!("{e:#}"))),
        },
    }
}

// Exported only in the component: the export names (`orchestra:mcp/tools@0.4.0#...`) are
// not valid symbols for a native linker, and native builds exist only for unit tests.
#[cfg(target_arch = "wasm32")]
#[allow(unsafe_code)]
mod export {
    use crate::Probe;
    crate::bindings::export!(Probe with_types_in crate::bindings);
}
