//! `orchestra-mcp call <tool> --args JSON`: one tool call from a shell, through the same
//! validation, sandbox and wording as an MCP `tools/call`. The result's JSON text goes to
//! stdout; an error result's text, and any note beside a result, to stderr.

use std::io::Read;
use std::process::ExitCode;

use anyhow::{Context, bail};
use rmcp::model::CallToolResult;
use serde_json::Value;

use crate::settings::config::Config;

/// Exit status when the tool ran and reported an error.
const TOOL_ERROR: u8 = 1;
/// Exit status for arguments that are not a JSON object, or a tool that is not exposed.
const USAGE: u8 = 2;

/// Runs the call and prints its outcome.
pub async fn run(config: &Config, tool: &str, args: Option<&str>) -> anyhow::Result<ExitCode> {
    let arguments = match parse_arguments(args) {
        Ok(arguments) => arguments,
        Err(e) => {
            eprintln!("orchestra-mcp call: {e:#}");
            return Ok(ExitCode::from(USAGE));
        }
    };
    let server = crate::mcp::build_server(config).await?;
    if let Some(message) = server.unavailable(tool) {
        eprintln!("orchestra-mcp call: {message}");
        return Ok(ExitCode::from(USAGE));
    }
    let result = server.run_tool(tool, arguments, None).await;
    Ok(print(&result))
}

/// `--args` as a JSON object: absent is `{}`, `-` is read from stdin.
fn parse_arguments(args: Option<&str>) -> anyhow::Result<Value> {
    let text = match args {
        None => return Ok(Value::Object(Default::default())),
        Some("-") => {
            let mut text = String::new();
            std::io::stdin().read_to_string(&mut text).context("reading the arguments from stdin")?;
            text
        }
        Some(text) => text.to_string(),
    };
    let value: Value = serde_json::from_str(&text).context("--args is not JSON")?;
    if !value.is_object() {
        bail!("--args must be a JSON object such as '{{\"time_from\": \"24h\"}}'");
    }
    Ok(value)
}

fn print(result: &CallToolResult) -> ExitCode {
    let texts: Vec<&str> = result.content.iter().filter_map(|c| c.as_text().map(|t| t.text.as_str())).collect();
    if result.is_error == Some(true) {
        eprintln!("{}", texts.join("\n"));
        return ExitCode::from(TOOL_ERROR);
    }
    // The first text block is the result's JSON, byte for byte as an MCP client gets it
    // (fields in the tool's order; pipe it to `jq` to lay it out); later ones are notes,
    // such as a repeat call's.
    let (json, notes) = texts.split_first().map_or(("", &[][..]), |(first, rest)| (*first, rest));
    crate::commands::out::line(json);
    notes.iter().for_each(|note| eprintln!("{note}"));
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::parse_arguments;
    use serde_json::json;

    #[test]
    fn arguments_are_a_json_object() {
        assert_eq!(parse_arguments(None).unwrap(), json!({}));
        assert_eq!(parse_arguments(Some(r#"{"limit": 5}"#)).unwrap(), json!({"limit": 5}));
        assert!(format!("{:#}", parse_arguments(Some("[1]")).unwrap_err()).contains("JSON object"));
        assert!(format!("{:#}", parse_arguments(Some("{limit: 5")).unwrap_err()).contains("not JSON"));
    }
}
