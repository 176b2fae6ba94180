use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::download::{self, FileSlice};
use crate::api::Client;
use crate::args::{self, Id};
use crate::error::invalid;
use crate::tool::READ;
use crate::wit::ToolError;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Args {
    pub pipeline_run_id: Id,
    pub task_run_id: Id,
    /// Default: the newest attempt's log.
    #[serde(default)]
    pub filename: Option<String>,
    /// Read from here instead of the end.
    #[serde(default)]
    pub start_byte: Option<u64>,
    #[serde(default = "default_tail")]
    #[schemars(range(min = 1, max = 1048576))]
    pub tail_bytes: u64,
    #[serde(default = "default_max")]
    #[schemars(range(min = 1, max = 1048576))]
    pub max_bytes: u64,
}

fn default_tail() -> u64 {
    16 * 1024
}

fn default_max() -> u64 {
    64 * 1024
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Output {
    #[serde(flatten)]
    pub log: FileSlice,
}

pub async fn run(client: Client, args: Args) -> Result<Output, ToolError> {
    let run = args::uuid("pipeline_run_id", &args.pipeline_run_id.0)?;
    let task = args::uuid("task_run_id", &args.task_run_id.0)?;
    let filename = match &args.filename {
        Some(name) => args::filename("filename", name)?,
        None => super::list_task_run_logs::files(&client, &run, &task).await?.pop().map(|f| f.filename).ok_or_else(
            || invalid("task_run_id", "this task run has no log files (yet); check its status with list_task_runs"),
        )?,
    };
    let max = args.max_bytes.clamp(1, 1 << 20);
    let path = format!(
        "/pipeline_runs/{run}/task_runs/{task}/logs/download{}",
        args::query(&[("filename", Some(filename.clone()))])
    );
    let got = client
        .get_bytes(
            "GET /pipeline_runs/{pipeline_run_id}/task_runs/{task_run_id}/logs/download",
            &path,
            Some(download::range(args.start_byte, args.tail_bytes, max)),
            max as usize,
        )
        .await?;
    Ok(Output { log: download::slice(&filename, got, max, "max_bytes sets the slice size (at most 1 MiB)") })
}

super::single_step_tool! {
    name: "get_task_run_log",
    title: "Read a task run's log",
    toolset: "logs",
    annotations: READ,
    args: Args,
    output: Output,
    run: run,
}
