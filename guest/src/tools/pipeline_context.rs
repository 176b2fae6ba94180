use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::get_pipeline_definition::{TaskSummary, integrations_of, tasks_of};
use crate::api::Client;
use crate::api::models::{JsonField, Pipeline, PipelineRun};
use crate::args::{self, PipelineRef};
use crate::shape::{self, Anomaly};
use crate::tool::READ;
use crate::wit::ToolError;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Args {
    pub pipeline_id_or_alias: PipelineRef,
    #[serde(default = "default_recent_runs")]
    #[schemars(range(min = 1, max = 100))]
    pub recent_runs: u32,
}

fn default_recent_runs() -> u32 {
    20
}

/// A definition larger than this (as JSON) is left out; `get_pipeline_definition` has it.
const MAX_DEFINITION_BYTES: usize = 16 * 1024;

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Output {
    pub pipeline: Summary,
    /// Every task, flat, with what it runs and waits for.
    pub tasks: Vec<TaskSummary>,
    /// The integrations the tasks use.
    pub integrations: Vec<String>,
    /// The definition as Orchestra stores it, unless it is over 16 KiB (see `notes`).
    pub definition: Option<Map<String, Value>>,
    /// The most recent runs in the last 7 days, newest first.
    pub recent_runs: Vec<RecentRun>,
    /// How the recent runs ended, by status.
    pub outcomes: BTreeMap<String, u32>,
    /// The median duration of the recent runs that SUCCEEDED: a baseline for "is this slow?".
    pub median_succeeded_duration_seconds: Option<f64>,
    /// The newest recent run that FAILED, if any.
    pub last_failure: Option<RecentRun>,
    pub notes: Vec<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    pub id: String,
    pub name: String,
    pub alias: Option<String>,
    pub paused: bool,
    pub schedule: Option<JsonField>,
    pub sensors: Option<JsonField>,
    pub inputs: Option<Map<String, Value>>,
    pub storage_provider: Option<String>,
    pub repository: Option<String>,
    pub default_branch: Option<String>,
    pub published_version_number: Option<i64>,
    pub latest_version_number: Option<i64>,
    pub edit_url: String,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RecentRun {
    pub pipeline_run_id: String,
    pub status: String,
    pub created_at: String,
    pub duration_seconds: Option<f64>,
    pub environment: Option<String>,
    pub message: String,
    pub anomalies: Vec<Anomaly>,
}

pub async fn run(client: Client, args: Args) -> Result<Output, ToolError> {
    let selector = args::pipeline_selector(Some(&args.pipeline_id_or_alias), None, None)?;
    let pipeline: Pipeline = client.get_json("GET /pipeline", &format!("/pipeline{}", args::query(&selector))).await?;
    let by_id = args::query(&[("pipeline_id", Some(args::uuid("pipeline_id", &pipeline.id)?))]);
    let mut notes = Vec::new();
    let definition: Map<String, Value> =
        client.get_json("GET /pipelines/data", &format!("/pipelines/data{by_id}")).await?;
    let tasks = tasks_of(&definition);
    let integrations = integrations_of(&tasks);
    let definition_size = serde_json::to_vec(&definition).map(|v| v.len()).unwrap_or(0);
    let definition = if definition_size > MAX_DEFINITION_BYTES {
        notes.push(format!(
            "the definition ({} KiB) is left out; get_pipeline_definition returns it",
            definition_size / 1024
        ));
        None
    } else {
        Some(definition)
    };

    let window = args::resolve_window(None, None, super::now())?;
    let path = format!(
        "/pipeline_runs{}",
        args::query(&[
            ("time_from", Some(args::format_time(window.from))),
            ("time_to", Some(args::format_time(window.to))),
            ("pipeline_ids", Some(pipeline.id.clone())),
        ])
    );
    let limit = args.recent_runs.clamp(1, 100) as usize;
    let (runs, total) = client.get_pages::<PipelineRun>("GET /pipeline_runs", &path, limit as u32, limit).await?;
    if total > runs.len() as u64 {
        notes.push(format!("{total} runs in the last 7 days; the newest {} are summarised", runs.len()));
    }
    let recent: Vec<RecentRun> = runs
        .into_iter()
        .map(|r| RecentRun {
            duration_seconds: shape::duration_seconds(r.started_at.as_deref(), r.completed_at.as_deref()),
            anomalies: shape::anomalies(r.anomalies.as_ref()),
            pipeline_run_id: r.id,
            status: r.run_status,
            created_at: r.created_at,
            environment: r.env_name,
            message: shape::bounded(&r.message, 500),
        })
        .collect();
    let mut outcomes = BTreeMap::new();
    for r in &recent {
        *outcomes.entry(r.status.clone()).or_insert(0) += 1;
    }
    let succeeded = recent.iter().filter(|r| r.status == "SUCCEEDED").filter_map(|r| r.duration_seconds).collect();

    Ok(Output {
        pipeline: Summary {
            edit_url: client.pipeline_url(&pipeline.id),
            id: pipeline.id,
            name: pipeline.name,
            alias: pipeline.alias,
            paused: pipeline.paused,
            schedule: pipeline.schedule,
            sensors: pipeline.sensors,
            inputs: pipeline.inputs,
            storage_provider: pipeline.storage_provider,
            repository: pipeline.repository,
            default_branch: pipeline.default_branch,
            published_version_number: pipeline.published_version_number,
            latest_version_number: pipeline.latest_version_number,
        },
        tasks,
        integrations,
        definition,
        median_succeeded_duration_seconds: shape::median(succeeded),
        last_failure: recent.iter().find(|r| r.status == "FAILED").cloned(),
        outcomes,
        recent_runs: recent,
        notes,
    })
}

super::single_step_tool! {
    name: "pipeline_context",
    title: "A pipeline in context",
    toolset: "triage",
    annotations: READ,
    args: Args,
    output: Output,
    run: run,
}
