//! Orchestra's tools as a WASI 0.2 component.
//!
//! Everything about Orchestra lives here: the tool catalogue (names, markdown
//! descriptions, JSON Schemas, annotations), the API client over `wasi:http`, argument
//! handling (time windows, multi-value filters, id safety) and output shaping. The
//! component imports only standard WASI interfaces, so any component runtime can run it;
//! the orchestra-mcp host adds the sandbox and the API key, and a runtime that cannot add
//! the key passes it in the component's environment (`api/credentials.rs`).

mod api;
mod args;
mod budget;
mod catalogue;
mod completions;
mod detail;
mod error;
mod prompts;
mod resources;
mod schema;
mod shape;
mod tool;
mod tools;

/// The parsers that read untrusted text (arguments and upstream headers), reachable from
/// outside the crate for the fuzz targets in `tests/fuzz`.
pub mod parsers {
    pub use crate::api::{parse_content_range, parse_retry_after};
    pub use crate::args::{filename, parse_time, pipeline_id_or_alias, resolve_window, uuid};
}

/// Every tool of the catalogue as the contract describes it, for code that runs this crate
/// natively: the build's function world (`src/bin/tool-summaries.rs`), and the fuzz targets,
/// which validate arguments against these schemas without a runtime.
pub fn tool_descriptors() -> Vec<ToolDescriptor> {
    Component::list_tools()
}

/// Bindings generated from `wit/`. The generated glue uses `unsafe` for the canonical ABI;
/// the crate's own code does not.
#[allow(unsafe_code)]
mod bindings {
    wit_bindgen::generate!({
        path: "../wit",
        world: "tool-provider",
    });
}

pub(crate) use bindings::exports::orchestra::mcp::tools as wit;
use wit::{
    CallOutcome, CallRequest, Completion, CompletionRequest, Guest, PromptDescriptor, PromptMessage, ResourceContents,
    ResourceTemplate, ToolError,
};
pub use wit::{ToolAnnotations, ToolDescriptor};

struct Component;

impl Guest for Component {
    fn list_tools() -> Vec<ToolDescriptor> {
        catalogue::all()
            .iter()
            .map(|tool| ToolDescriptor {
                name: tool.name.to_string(),
                title: tool.title.to_string(),
                description: tool.description.trim().to_string(),
                toolset: tool.toolset.to_string(),
                input_schema: (tool.input_schema)().to_string(),
                output_schema: (tool.output_schema)().to_string(),
                annotations: ToolAnnotations {
                    read_only: tool.annotations.read_only,
                    destructive: tool.annotations.destructive,
                    idempotent: tool.annotations.idempotent,
                    open_world: tool.annotations.open_world,
                },
                opt_in: tool.opt_in,
            })
            .collect()
    }

    fn call_tool(request: CallRequest) -> Result<CallOutcome, ToolError> {
        let Some(tool) = catalogue::find(&request.tool) else {
            return Err(ToolError::UnknownTool(request.tool));
        };
        let mut arguments: serde_json::Value = serde_json::from_str(&request.arguments)
            .map_err(|e| error::invalid("", format!("arguments are not a JSON object: {e}")))?;
        let account_id = args::take_account_id(&mut arguments)?;
        let client = api::Client::from_env()?.in_account(account_id);
        let credentials = client.credentials().clone();
        credentials.redact_outcome(wstd::runtime::block_on((tool.run)(client, arguments, request.resume_state)))
    }

    fn list_prompts() -> Vec<PromptDescriptor> {
        prompts::all()
    }

    fn get_prompt(name: String, arguments: String) -> Result<Vec<PromptMessage>, ToolError> {
        prompts::get(&name, &arguments)
    }

    fn list_resource_templates() -> Vec<ResourceTemplate> {
        resources::templates()
    }

    fn read_resource(uri: String) -> Result<ResourceContents, ToolError> {
        let client = api::Client::from_env()?;
        let credentials = client.credentials().clone();
        wstd::runtime::block_on(resources::read(client, &uri)).map_err(|e| credentials.redact_error(e)).map(
            |mut contents| {
                contents.text = credentials.redact(contents.text);
                contents
            },
        )
    }

    fn complete(request: CompletionRequest) -> Result<Completion, ToolError> {
        let client = api::Client::from_env()?;
        let credentials = client.credentials().clone();
        let completion = wstd::runtime::block_on(completions::complete(client, request));
        completion.map_err(|e| credentials.redact_error(e)).map(|mut completion| {
            completion.values = completion.values.into_iter().map(|v| credentials.redact(v)).collect();
            completion
        })
    }
}

// Exported only in the component: the export names (`orchestra:mcp/tools@0.4.0#...`) are
// not valid symbols for a native linker, and native builds exist only for unit tests.
#[cfg(target_arch = "wasm32")]
#[allow(unsafe_code)]
mod export {
    use crate::Component;
    crate::bindings::export!(Component with_types_in crate::bindings);
}
