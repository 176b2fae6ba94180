use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::api::Client;
use crate::api::models::TaskRunFiles;
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
    /// Log files, oldest attempt first.
    pub files: Vec<LogFile>,
    /// The file of the newest attempt, which `get_task_run_log` reads by default.
    pub latest: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct LogFile {
    pub filename: String,
    /// Which attempt of the task wrote this log (1 for the first).
    pub attempt_number: u64,
    pub display_name: Option<String>,
}

/// Reads the log list into files ordered by attempt.
pub async fn files(client: &Client, pipeline_run_id: &str, task_run_id: &str) -> Result<Vec<LogFile>, ToolError> {
    let run = args::uuid("pipeline_run_id", pipeline_run_id)?;
    let task = args::uuid("task_run_id", task_run_id)?;
    let listing: TaskRunFiles = client
        .get_json(
            "GET /pipeline_runs/{pipeline_run_id}/task_runs/{task_run_id}/logs",
            &format!("/pipeline_runs/{run}/task_runs/{task}/logs"),
        )
        .await?;
    let mut files: Vec<LogFile> = listing
        .filenames
        .iter()
        .map(|name| {
            let meta = listing.files.get(name);
            LogFile {
                filename: name.clone(),
                attempt_number: meta.and_then(|m| m.get("attemptNumber")).and_then(|v| v.as_u64()).unwrap_or(1),
                display_name: meta.and_then(|m| m.get("displayName")).and_then(|v| v.as_str()).map(str::to_string),
            }
        })
        .collect();
    files.sort_by_key(|f| f.attempt_number);
    Ok(files)
}

pub async fn run(client: Client, args: Args) -> Result<Output, ToolError> {
    let files = files(&client, &args.pipeline_run_id.0, &args.task_run_id.0).await?;
    Ok(Output { latest: files.last().map(|f| f.filename.clone()), files })
}

super::single_step_tool! {
    name: "list_task_run_logs",
    title: "List a task run's log files",
    toolset: "logs",
    annotations: READ,
    args: Args,
    output: Output,
    run: run,
}
