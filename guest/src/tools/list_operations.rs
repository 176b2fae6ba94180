use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::list_task_runs::Integration;
use crate::api::Client;
use crate::api::models::Operation;
use crate::args::{self, Id, Window};
use crate::detail::{Detail, Item};
use crate::tool::READ;
use crate::wit::ToolError;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Args {
    /// `24h`, `3d`, `yesterday`, a date or RFC 3339. Default: 7 days before `time_to`.
    #[serde(default)]
    pub time_from: Option<String>,
    /// Same forms. Default: now.
    #[serde(default)]
    pub time_to: Option<String>,
    /// One task run's operations.
    #[serde(default)]
    pub task_run_id: Option<Id>,
    #[serde(default)]
    pub operation_type: Vec<OperationType>,
    #[serde(default)]
    pub status: Option<OperationStatus>,
    #[serde(default)]
    pub integration: Option<Integration>,
    #[serde(default)]
    #[schemars(length(min = 1, max = 512))]
    pub external_id: Option<String>,
    /// `full`: cost, meta, tags, dependencies.
    #[serde(default)]
    pub detail: Detail,
    #[serde(default = "default_limit")]
    #[schemars(range(min = 1, max = 1000))]
    pub limit: u32,
}

fn default_limit() -> u32 {
    100
}

// `OperationType` of the spec.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum OperationType {
    Aggregation,
    Analysis,
    Deploy,
    Ingestion,
    Iterator,
    Materialisation,
    Operation,
    Query,
    Refresh,
    ReverseEtl,
    Seed,
    Snapshot,
    Source,
    Test,
    TestGroup,
    Trigger,
    Unknown,
}

// `OperationStatus` of the spec.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum OperationStatus {
    Cancelled,
    Failed,
    Reused,
    Skipped,
    Succeeded,
    Unknown,
    Warning,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Output {
    pub window: Window,
    pub total: u64,
    pub returned: usize,
    /// True when `total` is larger than `returned`: raise `limit` or narrow the filters.
    pub truncated: bool,
    pub notes: Vec<String>,
    pub operations: Vec<Item<Operation>>,
}

pub async fn run(client: Client, args: Args) -> Result<Output, ToolError> {
    let window = args::resolve_window(args.time_from.as_deref(), args.time_to.as_deref(), super::now())?;
    let types: Vec<String> = args.operation_type.iter().map(args::wire).collect();
    let path = format!(
        "/operations{}",
        args::query(&[
            ("time_from", Some(args::format_time(window.from))),
            ("time_to", Some(args::format_time(window.to))),
            ("operation_type", args::csv(&types)),
            ("status", args.status.as_ref().map(args::wire)),
            ("integration", args.integration.as_ref().map(|i| i.0.clone())),
            ("task_run_id", args.task_run_id.as_ref().map(|t| args::uuid("task_run_id", &t.0)).transpose()?),
            ("external_id", args.external_id.clone()),
        ])
    );
    let limit = args.limit.clamp(1, 1000) as usize;
    let (operations, total) =
        client.get_pages::<Operation>("GET /operations", &path, limit.min(100) as u32, limit).await?;
    let mut notes = window.notes.clone();
    notes.extend(args.detail.note(&operations));
    Ok(Output {
        window: window.report(),
        total,
        returned: operations.len(),
        truncated: total > operations.len() as u64,
        notes,
        operations: args.detail.items(operations),
    })
}

super::single_step_tool! {
    name: "list_operations",
    title: "List operations",
    toolset: "operations",
    annotations: READ,
    args: Args,
    output: Output,
    run: run,
}
