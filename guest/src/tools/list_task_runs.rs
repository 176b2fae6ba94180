use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::api::Client;
use crate::api::models::TaskRun;
use crate::args::{self, Id, TaskRunStatus, Window};
use crate::detail::{Detail, Item};
use crate::error::invalid;
use crate::tool::READ;
use crate::wit::ToolError;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Args {
    /// One run's task runs (else a window's).
    #[serde(default)]
    pub pipeline_run_id: Option<Id>,
    /// `24h`, `3d`, `yesterday`, a date or RFC 3339. Default: 7 days before `time_to`.
    #[serde(default)]
    pub time_from: Option<String>,
    /// Same forms. Default: now.
    #[serde(default)]
    pub time_to: Option<String>,
    #[serde(default)]
    pub status: Vec<TaskRunStatus>,
    #[serde(default)]
    pub pipeline_ids: Vec<Id>,
    #[serde(default)]
    pub integration: Vec<Integration>,
    #[serde(default)]
    pub task_run_ids: Vec<Id>,
    /// `full`: parameters and every field Orchestra returns.
    #[serde(default)]
    pub detail: Detail,
    #[serde(default = "default_limit")]
    #[schemars(range(min = 1, max = 1000))]
    pub limit: u32,
}

fn default_limit() -> u32 {
    50
}

/// An Orchestra integration name (`IntegrationsEnum`), upper snake case.
#[derive(Debug, Clone, Deserialize)]
#[serde(transparent)]
pub struct Integration(pub String);

impl JsonSchema for Integration {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Integration".into()
    }
    fn inline_schema() -> bool {
        true
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "string", "pattern": "^[A-Z0-9_]{1,64}$" })
    }
}

impl AsRef<str> for Integration {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Output {
    /// The window queried; absent when listing the task runs of one pipeline run.
    pub window: Option<Window>,
    /// Task runs matching the filters, as counted by Orchestra (for one pipeline run: the
    /// run's task runs before the status, integration and id filters).
    pub total: u64,
    /// Task runs in `taskRuns`.
    pub returned: usize,
    /// True when more task runs match than were returned: raise `limit` or narrow the filters.
    pub truncated: bool,
    /// Adjustments made to the request.
    pub notes: Vec<String>,
    pub task_runs: Vec<Item<TaskRun>>,
}

pub async fn run(client: Client, args: Args) -> Result<Output, ToolError> {
    let limit = args.limit.clamp(1, 1000) as usize;
    let task_run_ids = args::uuids("task_run_ids", &args.task_run_ids)?;
    let (mut output, task_runs) = match &args.pipeline_run_id {
        Some(run_id) => of_pipeline_run(client, &args, &run_id.0, task_run_ids, limit).await?,
        None => global(client, &args, task_run_ids, limit).await?,
    };
    output.notes.extend(args.detail.note(&task_runs));
    output.task_runs = args.detail.items(task_runs);
    Ok(output)
}

/// The result without its items, and the task runs to put in it at the detail asked for.
type Listed = (Output, Vec<TaskRun>);

async fn global(client: Client, args: &Args, task_run_ids: Vec<String>, limit: usize) -> Result<Listed, ToolError> {
    let window = args::resolve_window(args.time_from.as_deref(), args.time_to.as_deref(), super::now())?;
    let path = format!(
        "/task_runs{}",
        args::query(&[
            ("time_from", Some(args::format_time(window.from))),
            ("time_to", Some(args::format_time(window.to))),
            ("status", args::csv(&args.status)),
            ("pipeline_ids", args::csv(&args::uuids("pipeline_ids", &args.pipeline_ids)?)),
            ("integration", args::csv(&args.integration)),
            ("task_run_ids", args::csv(&task_run_ids)),
        ])
    );
    let page_size = limit.min(100) as u32;
    let (task_runs, total) = client.get_pages::<TaskRun>("GET /task_runs", &path, page_size, limit).await?;
    let output = Output {
        window: Some(window.report()),
        total,
        returned: task_runs.len(),
        truncated: total > task_runs.len() as u64,
        notes: window.notes,
        task_runs: Vec::new(),
    };
    Ok((output, task_runs))
}

/// The run-scoped endpoint takes no filters, so statuses, integrations and ids are applied here.
async fn of_pipeline_run(
    client: Client,
    args: &Args,
    run_id: &str,
    task_run_ids: Vec<String>,
    limit: usize,
) -> Result<Listed, ToolError> {
    let run_id = args::uuid("pipeline_run_id", run_id)?;
    for (field, set) in [
        ("time_from", args.time_from.is_some()),
        ("time_to", args.time_to.is_some()),
        ("pipeline_ids", !args.pipeline_ids.is_empty()),
    ] {
        if set {
            return Err(invalid(
                field,
                format!(
                    "{field} does not apply when pipeline_run_id is given: a pipeline run's task runs are listed whole; drop one of the two"
                ),
            ));
        }
    }
    let filtered = !args.status.is_empty() || !args.integration.is_empty() || !task_run_ids.is_empty();
    // This endpoint pages by 50 at most. A run has tens of tasks, so read it whole when filtering.
    let fetch = if filtered { 5000 } else { limit };
    let (all, total) = client
        .get_pages::<TaskRun>(
            "GET /pipeline_runs/{pipeline_run_id}/task_runs",
            &format!("/pipeline_runs/{run_id}/task_runs"),
            50,
            fetch,
        )
        .await?;
    let matching: Vec<TaskRun> = all
        .into_iter()
        .filter(|t| args.status.is_empty() || args.status.iter().any(|s| s.as_ref() == t.status))
        .filter(|t| args.integration.is_empty() || args.integration.iter().any(|i| i.0 == t.integration))
        .filter(|t| task_run_ids.is_empty() || task_run_ids.iter().any(|id| id.eq_ignore_ascii_case(&t.id)))
        .collect();
    let matched = if filtered { matching.len() as u64 } else { total };
    let mut task_runs = matching;
    task_runs.truncate(limit);
    let output = Output {
        window: None,
        total,
        returned: task_runs.len(),
        truncated: matched > task_runs.len() as u64,
        notes: Vec::new(),
        task_runs: Vec::new(),
    };
    Ok((output, task_runs))
}

super::single_step_tool! {
    name: "list_task_runs",
    title: "List task runs",
    toolset: "task_runs",
    annotations: READ,
    args: Args,
    output: Output,
    run: run,
}
