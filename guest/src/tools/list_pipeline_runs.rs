use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::api::Client;
use crate::api::models::PipelineRun;
use crate::args::{self, Id, PipelineRunStatus, Window};
use crate::detail::{Detail, Item};
use crate::tool::READ;
use crate::wit::ToolError;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Args {
    /// `24h`, `3d`, `1w`, `yesterday`, a date or RFC 3339. Default: 7 days before `time_to`.
    #[serde(default)]
    pub time_from: Option<String>,
    /// Same forms. Default: now.
    #[serde(default)]
    pub time_to: Option<String>,
    #[serde(default)]
    pub status: Vec<PipelineRunStatus>,
    #[serde(default)]
    pub pipeline_ids: Vec<Id>,
    #[serde(default)]
    pub pipeline_run_ids: Vec<Id>,
    /// Names or ids.
    #[serde(default)]
    pub environments: Vec<String>,
    /// `full`: every field Orchestra returns.
    #[serde(default)]
    pub detail: Detail,
    #[serde(default = "default_limit")]
    #[schemars(range(min = 1, max = 1000))]
    pub limit: u32,
}

fn default_limit() -> u32 {
    50
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Output {
    /// The window actually queried.
    pub window: Window,
    /// Runs matching the filters in the window, as counted by Orchestra.
    pub total: u64,
    /// Runs in `runs`.
    pub returned: usize,
    /// True when `total` is larger than `returned`: raise `limit` or narrow the filters.
    pub truncated: bool,
    /// Adjustments made to the request (for example a window narrowed to 7 days).
    pub notes: Vec<String>,
    pub runs: Vec<Item<PipelineRun>>,
}

pub async fn run(client: Client, args: Args) -> Result<Output, ToolError> {
    let window = args::resolve_window(args.time_from.as_deref(), args.time_to.as_deref(), super::now())?;
    let limit = args.limit.clamp(1, 1000) as usize;
    let environments = super::get_environment::ids(&client, "environments", &args.environments).await?;
    let path = format!(
        "/pipeline_runs{}",
        args::query(&[
            ("time_from", Some(args::format_time(window.from))),
            ("time_to", Some(args::format_time(window.to))),
            ("status", args::csv(&args.status)),
            ("pipeline_ids", args::csv(&args::uuids("pipeline_ids", &args.pipeline_ids)?)),
            ("pipeline_run_ids", args::csv(&args::uuids("pipeline_run_ids", &args.pipeline_run_ids)?)),
            ("environments", args::csv(&environments)),
        ])
    );
    let page_size = limit.min(100) as u32;
    let (runs, total) = client.get_pages::<PipelineRun>("GET /pipeline_runs", &path, page_size, limit).await?;
    let mut notes = window.notes.clone();
    notes.extend(args.detail.note(&runs));
    Ok(Output {
        window: window.report(),
        total,
        returned: runs.len(),
        truncated: total > runs.len() as u64,
        notes,
        runs: args.detail.items(runs),
    })
}

super::single_step_tool! {
    name: "list_pipeline_runs",
    title: "List pipeline runs",
    toolset: "pipeline_runs",
    annotations: READ,
    args: Args,
    output: Output,
    run: run,
}
