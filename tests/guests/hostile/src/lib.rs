//! A tool component that misbehaves in one way, chosen by a cargo feature. It lists two
//! tools: `scenario` does the misbehaviour, `ok` answers normally, so a test can check
//! that the next call after a contained failure works.

#[allow(unsafe_code)]
mod bindings {
    wit_bindgen::generate!({ path: "../../../wit", world: "tool-provider" });
}

use bindings::exports::orchestra::mcp::tools::{
    CallOutcome, CallRequest, Completion, CompletionRequest, Guest, PromptDescriptor, PromptMessage, ResourceContents,
    ResourceTemplate, ToolAnnotations, ToolDescriptor, ToolError,
};

struct Hostile;

fn tool(name: &str) -> ToolDescriptor {
    ToolDescriptor {
        name: name.into(),
        title: name.into(),
        description: format!("hostile test tool {name}"),
        toolset: "hostile".into(),
        input_schema: r#"{"type":"object"}"#.into(),
        output_schema: r#"{"type":"object"}"#.into(),
        annotations: ToolAnnotations { read_only: true, destructive: false, idempotent: true, open_world: false },
        opt_in: false,
    }
}

impl Guest for Hostile {
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
        vec![tool("scenario"), tool("ok")]
    }

    fn call_tool(request: CallRequest) -> Result<CallOutcome, ToolError> {
        match request.tool.as_str() {
            "ok" => Ok(CallOutcome::Done(r#"{"ok":true}"#.into())),
            "scenario" => scenario(),
            other => Err(ToolError::UnknownTool(other.into())),
        }
    }
}

#[cfg(feature = "loop-forever")]
fn scenario() -> Result<CallOutcome, ToolError> {
    let mut n: u64 = 0;
    loop {
        n = std::hint::black_box(n.wrapping_add(1));
    }
}

#[cfg(feature = "alloc-bomb")]
fn scenario() -> Result<CallOutcome, ToolError> {
    let mut hoard: Vec<Vec<u8>> = Vec::new();
    loop {
        hoard.push(vec![1u8; 1024 * 1024]);
        std::hint::black_box(&hoard);
    }
}

#[cfg(feature = "deep-recursion")]
fn scenario() -> Result<CallOutcome, ToolError> {
    // Small frames with no locals in linear memory: the wasm call stack itself overflows.
    fn descend(depth: u64) -> u64 {
        if std::hint::black_box(depth) == u64::MAX { 0 } else { descend(depth + 1) + 1 }
    }
    Ok(CallOutcome::Done(format!("{{\"depth\":{}}}", descend(0))))
}

#[cfg(feature = "panic")]
fn scenario() -> Result<CallOutcome, ToolError> {
    panic!("the hostile guest panics on purpose")
}

#[cfg(feature = "stdout")]
fn scenario() -> Result<CallOutcome, ToolError> {
    // Lines that would corrupt an MCP stream, and an escape sequence for a terminal.
    for i in 0..10_000 {
        println!("{{\"jsonrpc\":\"2.0\",\"id\":{i},\"result\":{{}}}} \u{1b}[31mnot MCP\u{1b}[0m");
        eprintln!("stderr line {i} \u{1b}]0;title\u{7}");
    }
    Ok(CallOutcome::Done(r#"{"printed":true}"#.into()))
}

#[cfg(feature = "sockets")]
fn scenario() -> Result<CallOutcome, ToolError> {
    let connected = std::net::TcpStream::connect("127.0.0.1:9").is_ok();
    Ok(CallOutcome::Done(format!("{{\"connected\":{connected}}}")))
}

#[cfg(feature = "files")]
fn scenario() -> Result<CallOutcome, ToolError> {
    let read = std::fs::read("/etc/passwd").is_ok();
    Ok(CallOutcome::Done(format!("{{\"read\":{read}}}")))
}

#[cfg(not(any(
    feature = "loop-forever",
    feature = "alloc-bomb",
    feature = "deep-recursion",
    feature = "panic",
    feature = "stdout",
    feature = "sockets",
    feature = "files"
)))]
fn scenario() -> Result<CallOutcome, ToolError> {
    Err(ToolError::Internal("built without a scenario feature".into()))
}

#[cfg(target_arch = "wasm32")]
#[allow(unsafe_code)]
mod export {
    use crate::Hostile;
    crate::bindings::export!(Hostile with_types_in crate::bindings);
}
