use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::api::Client;
use crate::api::models::PipelineRun;
use crate::args::{self, Id};
use crate::tool::READ;
use crate::wit::ToolError;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Args {
    pub pipeline_run_id: Id,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Output {
    /// Everything Orchestra returns for the run.
    pub run: PipelineRun,
    /// True when the run can no longer change (SUCCEEDED, WARNING, FAILED, SKIPPED or CANCELLED).
    pub terminal: bool,
    /// The run's lineage page in the Orchestra UI.
    pub lineage_url: String,
}

/// Statuses a pipeline run never leaves.
pub fn is_terminal(status: &str) -> bool {
    matches!(status, "SUCCEEDED" | "WARNING" | "FAILED" | "SKIPPED" | "CANCELLED")
}

pub async fn run(client: Client, args: Args) -> Result<Output, ToolError> {
    let id = args::uuid("pipeline_run_id", &args.pipeline_run_id.0)?;
    let run: PipelineRun =
        client.get_json("GET /pipeline_runs/{pipeline_run_id}/status", &format!("/pipeline_runs/{id}/status")).await?;
    Ok(Output { terminal: is_terminal(&run.run_status), lineage_url: client.lineage_url(&run.id), run })
}

super::single_step_tool! {
    name: "get_pipeline_run",
    title: "Get a pipeline run",
    toolset: "pipeline_runs",
    annotations: READ,
    args: Args,
    output: Output,
    run: run,
}
