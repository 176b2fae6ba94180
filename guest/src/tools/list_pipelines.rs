use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::api::Client;
use crate::api::models::{JsonField, Pipeline};
use crate::args::PipelineRunStatus;
use crate::tool::READ;
use crate::wit::ToolError;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Args {
    #[serde(default)]
    pub name_contains: Option<String>,
    #[serde(default)]
    pub latest_run_status: Vec<PipelineRunStatus>,
    #[serde(default)]
    pub paused: Option<bool>,
    #[serde(default = "default_limit")]
    #[schemars(range(min = 1, max = 1000))]
    pub limit: u32,
}

fn default_limit() -> u32 {
    100
}

/// The fields of a pipeline an agent uses to pick one; `get_pipeline` has the rest.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PipelineSummary {
    pub id: String,
    pub name: String,
    pub alias: Option<String>,
    pub paused: bool,
    /// Parsed from the API's JSON string: the cron schedules.
    pub schedule: Option<JsonField>,
    pub storage_provider: Option<String>,
    pub repository: Option<String>,
    pub latest_run: Option<LatestRun>,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct LatestRun {
    /// The pipeline run id: pass it to `get_pipeline_run`.
    pub id: String,
    pub status: Option<String>,
    pub message: Option<String>,
    pub created_at: Option<String>,
    pub completed_at: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Output {
    /// Pipelines in the workspace matching the filters.
    pub total: usize,
    pub returned: usize,
    /// True when `total` is larger than `returned`: raise `limit` or narrow the filters.
    pub truncated: bool,
    pub pipelines: Vec<PipelineSummary>,
}

fn summary(p: Pipeline) -> PipelineSummary {
    PipelineSummary {
        latest_run: p.latest_run_id.map(|id| LatestRun {
            id,
            status: p.latest_run_status,
            message: p.latest_run_message,
            created_at: p.latest_run_created_at,
            completed_at: p.latest_run_completed_at,
        }),
        id: p.id,
        name: p.name,
        alias: p.alias,
        paused: p.paused,
        schedule: p.schedule,
        storage_provider: p.storage_provider,
        repository: p.repository,
    }
}

pub async fn run(client: Client, args: Args) -> Result<Output, ToolError> {
    // Not paginated: the API returns every pipeline at once.
    let all: Vec<Pipeline> = client.get_json("GET /pipelines", "/pipelines").await?;
    let needle = args.name_contains.as_deref().map(|n| n.trim().to_lowercase()).filter(|n| !n.is_empty());
    let matching: Vec<Pipeline> = all
        .into_iter()
        .filter(|p| {
            needle.as_ref().is_none_or(|n| {
                p.name.to_lowercase().contains(n) || p.alias.as_deref().is_some_and(|a| a.to_lowercase().contains(n))
            })
        })
        .filter(|p| {
            args.latest_run_status.is_empty()
                || p.latest_run_status
                    .as_deref()
                    .is_some_and(|s| args.latest_run_status.iter().any(|wanted| wanted.as_ref() == s))
        })
        .filter(|p| args.paused.is_none_or(|paused| p.paused == paused))
        .collect();
    let total = matching.len();
    let pipelines: Vec<PipelineSummary> = matching.into_iter().take(args.limit as usize).map(summary).collect();
    Ok(Output { total, returned: pipelines.len(), truncated: total > pipelines.len(), pipelines })
}

super::single_step_tool! {
    name: "list_pipelines",
    title: "List pipelines",
    toolset: "pipelines",
    annotations: READ,
    args: Args,
    output: Output,
    run: run,
}
