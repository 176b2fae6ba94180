use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::download::{self, FileSlice};
use crate::api::Client;
use crate::args::{self, Id};
use crate::tool::READ;
use crate::wit::ToolError;

/// The largest slice one call returns (Orchestra's own server settled on 3 MiB).
const MAX_SLICE: u64 = 3 * 1024 * 1024;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Args {
    pub pipeline_run_id: Id,
    pub task_run_id: Id,
    pub filename: String,
    #[serde(default)]
    pub start_byte: u64,
    #[serde(default = "default_max")]
    #[schemars(range(min = 1, max = 3145728))]
    pub max_bytes: u64,
}

fn default_max() -> u64 {
    256 * 1024
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Output {
    #[serde(flatten)]
    pub artifact: FileSlice,
}

pub async fn run(client: Client, args: Args) -> Result<Output, ToolError> {
    let run = args::uuid("pipeline_run_id", &args.pipeline_run_id.0)?;
    let task = args::uuid("task_run_id", &args.task_run_id.0)?;
    let filename = args::filename("filename", &args.filename)?;
    let max = args.max_bytes.clamp(1, MAX_SLICE);
    let path = format!(
        "/pipeline_runs/{run}/task_runs/{task}/artifacts/download{}",
        args::query(&[("filename", Some(filename.clone()))])
    );
    let got = client
        .get_bytes(
            "GET /pipeline_runs/{pipeline_run_id}/task_runs/{task_run_id}/artifacts/download",
            &path,
            Some(download::range(Some(args.start_byte), 0, max)),
            max as usize,
        )
        .await?;
    Ok(Output { artifact: download::slice(&filename, got, max, "max_bytes sets the slice size (at most 3 MiB)") })
}

super::single_step_tool! {
    name: "get_task_run_artifact",
    title: "Download a task run's artifact",
    toolset: "artifacts",
    annotations: READ,
    args: Args,
    output: Output,
    run: run,
}
