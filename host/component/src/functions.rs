//! Orchestra's tools as exported functions, for runtimes that map a component's exported
//! functions to tools (Wassette): the `functions` feature exports one function per tool of
//! the world `host/build.rs` generates from the catalogue, and each runs here as a
//! `tools/call` of the MCP server runs: exposure from the environment, arguments checked
//! against the input schema, `pending` waited out inside the call, failures worded alike.

use orchestra_mcp_face::catalogue::Invalid;
use orchestra_mcp_face::wording;
use rmcp::model::CallToolResult;
use serde_json::{Map, Value};

use crate::calls;

/// The generated `Guest` implementation: one method per tool, turning its typed
/// parameters back into the tool's JSON arguments.
#[cfg(feature = "functions")]
mod generated {
    include!(env!("ORCHESTRA_FUNCTIONS_IMPL"));
}

/// Runs `tool` to its end: its JSON result as text, or its failure as text.
pub fn call(tool: &str, arguments: Map<String, Value>) -> Result<String, String> {
    let catalogue = calls::catalogue()?;
    if let Some(why) = catalogue.unavailable(tool) {
        return Err(why);
    }
    outcome(calls::run(&catalogue, tool, Value::Object(arguments), &mut |_| {}))
}

/// An argument that travels as JSON text (an object, say), parsed.
pub fn json_text(tool: &str, field: &str, text: &str) -> Result<Value, String> {
    serde_json::from_str(text).map_err(|e| {
        let problem = format!("{field}: not JSON ({e}); give the value as JSON text");
        wording::invalid_arguments(tool, &Invalid { problems: vec![problem], more: 0 })
    })
}

/// A call's result as the function returns it.
fn outcome(result: CallToolResult) -> Result<String, String> {
    let text = wording::text(&result);
    if result.is_error == Some(true) { Err(text) } else { Ok(text) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_text_arguments_are_parsed_or_refused_naming_the_field() {
        assert_eq!(json_text("t", "definition", r#"{"a": 1}"#), Ok(serde_json::json!({"a": 1})));
        let refused = json_text("create_pipeline", "definition", "{not json").unwrap_err();
        assert!(refused.starts_with("Invalid arguments for create_pipeline; nothing was sent"), "{refused}");
        assert!(refused.contains("- definition: not JSON"), "{refused}");
    }

    #[test]
    fn a_result_is_its_text_and_a_failure_is_an_error() {
        assert_eq!(outcome(wording::success(r#"{"ok":true}"#)), Ok(r#"{"ok":true}"#.to_string()));
        assert_eq!(outcome(wording::error("it broke".into())), Err("it broke".to_string()));
    }
}
