use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::api::Client;
use crate::api::models::TaskRunArtifacts;
use crate::args::{self, Id};
use crate::tool::READ;
use crate::wit::ToolError;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Args {
    pub pipeline_run_id: Id,
    pub task_run_id: Id,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Output {
    /// Artifact filenames, e.g. dbt's `manifest.json`, `run_results.json`, `catalog.json`.
    pub filenames: Vec<String>,
}

pub async fn run(client: Client, args: Args) -> Result<Output, ToolError> {
    let run = args::uuid("pipeline_run_id", &args.pipeline_run_id.0)?;
    let task = args::uuid("task_run_id", &args.task_run_id.0)?;
    let listing: TaskRunArtifacts = client
        .get_json(
            "GET /pipeline_runs/{pipeline_run_id}/task_runs/{task_run_id}/artifacts",
            &format!("/pipeline_runs/{run}/task_runs/{task}/artifacts"),
        )
        .await?;
    Ok(Output { filenames: listing.filenames })
}

super::single_step_tool! {
    name: "list_task_run_artifacts",
    title: "List a task run's artifacts",
    toolset: "artifacts",
    annotations: READ,
    args: Args,
    output: Output,
    run: run,
}
