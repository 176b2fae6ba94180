//! `orchestra-mcp tools`: the tools this configuration exposes, as a table for people or
//! as the `tools/list` entries (`--json`).

use rmcp::model::Tool;

/// The tools as JSON, exactly as `tools/list` publishes them.
pub fn json(tools: &[Tool]) -> String {
    serde_json::to_string_pretty(tools).unwrap_or_default()
}

/// One line per tool: name, what it may do, title.
pub fn table(tools: &[Tool]) -> String {
    let width = tools.iter().map(|t| t.name.len()).max().unwrap_or(4).max(4);
    let mut out = format!("{:<width$}  {:<11}  title\n", "tool", "effect");
    for tool in tools {
        let hints = tool.annotations.as_ref();
        let read_only = hints.and_then(|a| a.read_only_hint).unwrap_or(false);
        let destructive = hints.and_then(|a| a.destructive_hint).unwrap_or(true);
        let effect = match (read_only, destructive) {
            (true, _) => "reads",
            (false, false) => "writes",
            (false, true) => "destructive",
        };
        out.push_str(&format!("{:<width$}  {effect:<11}  {}\n", tool.name, tool.title.as_deref().unwrap_or("")));
    }
    out.push_str(&format!("\n{} tools exposed", tools.len()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rmcp::model::ToolAnnotations;
    use std::sync::Arc;

    #[test]
    fn the_table_names_each_tool_and_what_it_may_do() {
        let tool = |name: &str, read_only: bool, destructive: bool| {
            Tool::new(name.to_string(), "d".to_string(), Arc::new(Default::default()))
                .with_title(format!("Title of {name}"))
                .with_annotations(ToolAnnotations::new().read_only(read_only).destructive(destructive))
        };
        let text = table(&[tool("list_x", true, false), tool("start_x", false, false), tool("delete_x", false, true)]);
        assert!(text.contains("list_x    reads        Title of list_x"), "{text}");
        assert!(text.contains("start_x   writes"), "{text}");
        assert!(text.contains("delete_x  destructive"), "{text}");
        assert!(text.ends_with("3 tools exposed"), "{text}");
    }
}
