//! The tool catalogue: every tool (`tool.rs`), in the order `tools/list` publishes them,
//! and a tool run to the end for the documents and completions built from tools.

use serde_json::Value;

use crate::api::Client;
use crate::error::unexpected;
use crate::tool::Tool;
use crate::tools;
use crate::wit::{CallOutcome, ToolError};

/// Every tool, in publication order.
pub fn all() -> Vec<Tool> {
    vec![
        tools::whats_broken::tool(),
        tools::diagnose_task_run::tool(),
        tools::pipeline_context::tool(),
        tools::list_pipelines::tool(),
        tools::get_pipeline::tool(),
        tools::get_pipeline_definition::tool(),
        tools::validate_pipeline::tool(),
        tools::create_pipeline::tool(),
        tools::update_pipeline::tool(),
        tools::import_pipeline::tool(),
        tools::migrate_pipeline::tool(),
        tools::delete_pipeline::tool(),
        tools::list_pipeline_runs::tool(),
        tools::get_pipeline_run::tool(),
        tools::wait_for_run::tool(),
        tools::list_task_runs::tool(),
        tools::list_task_run_logs::tool(),
        tools::get_task_run_log::tool(),
        tools::list_task_run_artifacts::tool(),
        tools::get_task_run_artifact::tool(),
        tools::start_pipeline::tool(),
        tools::cancel_pipeline_run::tool(),
        tools::list_operations::tool(),
        tools::list_assets::tool(),
        tools::get_asset::tool(),
        tools::create_asset::tool(),
        tools::update_asset::tool(),
        tools::delete_asset::tool(),
        tools::add_asset_dependencies::tool(),
        tools::list_environments::tool(),
        tools::get_environment::tool(),
        tools::create_environment::tool(),
        tools::update_environment::tool(),
        tools::delete_environment::tool(),
        tools::list_integrations::tool(),
        tools::get_integration::tool(),
        tools::list_sensor_checks::tool(),
        tools::list_integration_connections::tool(),
        tools::get_integration_state::tool(),
        tools::update_integration_state::tool(),
        tools::list_accounts::tool(),
        tools::get_azure_federated_credentials::tool(),
        tools::check_connection::tool(),
    ]
}

pub fn find(name: &str) -> Option<Tool> {
    all().into_iter().find(|t| t.name == name)
}

/// Runs a tool of the catalogue to the end and returns its result, so resources and
/// completions carry the tools' own checks and shaping.
pub async fn run_to_end(client: &Client, name: &str, arguments: Value) -> Result<Value, ToolError> {
    let tool = find(name).ok_or_else(|| ToolError::UnknownTool(name.to_string()))?;
    match (tool.run)(client.clone(), arguments, None).await? {
        CallOutcome::Done(text) => serde_json::from_str(&text).map_err(|e| unexpected(e.to_string())),
        CallOutcome::Pending(_) => Err(ToolError::Internal(format!("{name} did not finish in one step"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_snake_case_and_described() {
        let tools = all();
        let mut names: Vec<&str> = tools.iter().map(|t| t.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), tools.len(), "duplicate tool names");
        for t in &tools {
            assert!(t.name.chars().all(|c| c.is_ascii_lowercase() || c == '_'), "{}", t.name);
            assert!(t.description.len() > 100, "{} needs a real description", t.name);
            assert!(!t.title.is_empty());
        }
    }

    /// What an agent needs of every description: what the tool is for, and where to go
    /// from its answer, by another tool's name.
    #[test]
    fn every_description_names_what_comes_next() {
        let tools = all();
        for t in &tools {
            // A default tool points to another default tool: an opt-in one may not be listed.
            let next = tools
                .iter()
                .filter(|o| o.name != t.name && (t.opt_in || !o.opt_in))
                .find(|o| t.description.contains(&format!("`{}`", o.name)));
            assert!(next.is_some(), "{}'s description names no other tool listed beside it to go on with", t.name);
        }
    }

    #[test]
    fn schemas_are_objects_and_inputs_are_closed() {
        for t in all() {
            let input = (t.input_schema)();
            assert_eq!(input["type"], "object", "{}", t.name);
            assert_eq!(input["additionalProperties"], false, "{} must reject unknown arguments", t.name);
            let output = (t.output_schema)();
            assert_eq!(output["type"], "object", "{}", t.name);
            assert!(!input.to_string().contains("$ref"), "{} input schema must be inlined", t.name);
        }
    }
}
