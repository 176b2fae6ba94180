use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::api::Client;
use crate::api::models::PipelineRun;
use crate::args::{self, Id};
use crate::tool::Annotations;
use crate::wit::ToolError;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Args {
    pub pipeline_run_id: Id,
    /// Do not wait for tasks to stop cleanly.
    #[serde(default)]
    pub force: bool,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Output {
    pub pipeline_run_id: String,
    /// Orchestra accepted the cancellation.
    pub cancellation_requested: bool,
    /// The run's status right after the request (usually CANCELLING, later CANCELLED).
    pub run_status: String,
    /// The run's lineage page in the Orchestra UI.
    pub lineage_url: String,
}

pub async fn run(client: Client, args: Args) -> Result<Output, ToolError> {
    let id = args::uuid("pipeline_run_id", &args.pipeline_run_id.0)?;
    client
        .post_json::<serde_json::Value>(
            "POST /pipeline_runs/{pipeline_run_id}/cancel",
            &format!("/pipeline_runs/{id}/cancel"),
            &json!({ "force": args.force }),
        )
        .await?;
    let run: PipelineRun =
        client.get_json("GET /pipeline_runs/{pipeline_run_id}/status", &format!("/pipeline_runs/{id}/status")).await?;
    Ok(Output {
        lineage_url: client.lineage_url(&id),
        pipeline_run_id: id,
        cancellation_requested: true,
        run_status: run.run_status,
    })
}

super::single_step_tool! {
    name: "cancel_pipeline_run",
    title: "Cancel a pipeline run",
    toolset: "pipeline_runs",
    annotations: Annotations { read_only: false, destructive: true, idempotent: true, open_world: true },
    args: Args,
    output: Output,
    run: run,
}
