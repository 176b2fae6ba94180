//! One module per tool: its arguments type (which is also its input schema), its result
//! type (its output schema) and the calls it makes. Descriptions live in
//! `src/descriptions/<tool>.md`.

pub mod add_asset_dependencies;
mod asset_details;
pub mod cancel_pipeline_run;
pub mod check_connection;
pub mod create_asset;
pub mod create_environment;
pub mod create_pipeline;
pub mod delete_asset;
pub mod delete_environment;
pub mod delete_pipeline;
pub mod diagnose_task_run;
mod download;
pub mod get_asset;
pub mod get_azure_federated_credentials;
pub mod get_environment;
pub mod get_integration;
pub mod get_integration_state;
pub mod get_pipeline;
pub mod get_pipeline_definition;
pub mod get_pipeline_run;
pub mod get_task_run_artifact;
pub mod get_task_run_log;
pub mod import_pipeline;
mod integration_catalogue;
pub mod list_accounts;
pub mod list_assets;
pub mod list_environments;
pub mod list_integration_connections;
pub mod list_integrations;
pub mod list_operations;
pub mod list_pipeline_runs;
pub mod list_pipelines;
pub mod list_sensor_checks;
pub mod list_task_run_artifacts;
pub mod list_task_run_logs;
pub mod list_task_runs;
pub mod migrate_pipeline;
pub mod pipeline_context;
mod saved_pipeline;
pub mod start_pipeline;
pub mod update_asset;
pub mod update_environment;
pub mod update_integration_state;
pub mod update_pipeline;
pub mod validate_pipeline;
pub mod wait_for_run;
pub mod whats_broken;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::invalid;
use crate::wit::{CallOutcome, ToolError};

/// Reads the arguments object into the tool's arguments type. The host has already
/// checked it against the schema, so a failure here is rare, and it still names the field
/// (for a runtime that does not validate).
pub fn parse<A: DeserializeOwned>(arguments: Value) -> Result<A, ToolError> {
    serde_path_to_error::deserialize(arguments).map_err(|e| {
        use serde_path_to_error::Segment;
        let field: Vec<String> = e
            .path()
            .iter()
            .filter_map(|segment| match segment {
                Segment::Seq { index } => Some(index.to_string()),
                Segment::Map { key } => Some(key.clone()),
                Segment::Enum { variant } => Some(variant.clone()),
                Segment::Unknown => None,
            })
            .collect();
        invalid(&field.join("/"), e.into_inner().to_string())
    })
}

/// Wraps a finished result, fitted into the result budget.
pub fn done<O: Serialize>(output: O) -> Result<CallOutcome, ToolError> {
    done_keeping(output, &[])
}

/// Wraps a finished result, fitted into the result budget without cutting the top-level
/// lists named in `summary` (counts over the whole answer, never cut).
pub fn done_keeping<O: Serialize>(output: O, summary: &[&str]) -> Result<CallOutcome, ToolError> {
    let failed = |e: serde_json::Error| ToolError::Internal(format!("result does not serialize: {e}"));
    let text = serde_json::to_string(&output).map_err(failed)?;
    let budget = crate::budget::from_env();
    // Within budget, the text keeps the fields in the order the tool declares them.
    if text.len() <= budget || text.chars().count() <= budget {
        return Ok(CallOutcome::Done(text));
    }
    let value = serde_json::from_str(&text).map_err(failed)?;
    Ok(CallOutcome::Done(crate::budget::fit(value, budget, summary).to_string()))
}

/// A one-line account of an error, for a note inside a result that otherwise succeeded.
pub fn summary(error: &ToolError) -> String {
    match error {
        ToolError::Upstream(u) => format!("Orchestra answered {} to {}: {}", u.status, u.request, u.detail),
        ToolError::InvalidArguments(a) => format!("{}: {}", a.field, a.message),
        ToolError::UnknownTool(name) => format!("unknown tool {name}"),
        ToolError::EgressDenied(m)
        | ToolError::Timeout(m)
        | ToolError::Transport(m)
        | ToolError::UnexpectedResponse(m)
        | ToolError::Internal(m) => m.clone(),
    }
}

/// The current time, from `wasi:clocks/wall-clock`.
pub fn now() -> jiff::Timestamp {
    jiff::Timestamp::now()
}

/// Declares a tool whose single step parses `$args` and awaits `$run(client, args)`;
/// `opt_in: true` leaves it out of `tools/list` unless the operator enables it, and
/// `summary: [...]` names top-level lists the result budget never cuts.
macro_rules! single_step_tool {
    (
        name: $name:literal,
        title: $title:literal,
        toolset: $toolset:literal,
        annotations: $annotations:expr,
        $(opt_in: $opt_in:expr,)?
        $(summary: [$($summary:literal),*],)?
        args: $args:ty,
        output: $output:ty,
        run: $run:path $(,)?
    ) => {
        pub fn tool() -> crate::tool::Tool {
            crate::tool::Tool {
                name: $name,
                title: $title,
                toolset: $toolset,
                description: include_str!(concat!("../descriptions/", $name, ".md")),
                annotations: $annotations,
                opt_in: false $(|| $opt_in)?,
                input_schema: crate::schema::input::<$args>,
                output_schema: crate::schema::output::<$output>,
                run: |client, arguments, _resume| {
                    Box::pin(async move {
                        let args: $args = crate::tools::parse(arguments)?;
                        crate::tools::done_keeping($run(client, args).await?, &[$($($summary),*)?])
                    })
                },
            }
        }
    };
}
pub(crate) use single_step_tool;

#[cfg(test)]
mod tests {
    #[test]
    fn an_argument_that_does_not_parse_is_named() {
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Args {
            version_number: Option<u32>,
            tasks: Vec<u8>,
        }
        let Err(crate::wit::ToolError::InvalidArguments(a)) =
            super::parse::<Args>(serde_json::json!({"version_number": 4294967296u64, "tasks": []}))
        else {
            panic!("refused")
        };
        assert_eq!(a.field, "version_number");
        let Err(crate::wit::ToolError::InvalidArguments(a)) =
            super::parse::<Args>(serde_json::json!({"tasks": [1, 300]}))
        else {
            panic!("refused")
        };
        assert_eq!(a.field, "tasks/1");
    }
}
