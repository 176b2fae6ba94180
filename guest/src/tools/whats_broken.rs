use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::api::Client;
use crate::api::models::{PipelineRun, TaskRun};
use crate::args::{self, Window};
use crate::shape::{self, Anomaly};
use crate::tool::READ;
use crate::wit::ToolError;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Args {
    /// `24h`, `3d`, `yesterday`, a date or RFC 3339. Default: `24h`.
    #[serde(default)]
    pub time_from: Option<String>,
    /// Same forms. Default: now.
    #[serde(default)]
    pub time_to: Option<String>,
    /// Name or id.
    #[serde(default)]
    pub environment: Option<String>,
    #[serde(default = "yes")]
    pub include_warnings: bool,
    #[serde(default = "default_max_runs")]
    #[schemars(range(min = 1, max = 100))]
    pub max_runs: u32,
    #[serde(default = "default_max_tasks")]
    #[schemars(range(min = 1, max = 50))]
    pub max_tasks_per_run: u32,
}

fn yes() -> bool {
    true
}
fn default_max_runs() -> u32 {
    20
}
fn default_max_tasks() -> u32 {
    10
}

/// Characters kept of each message.
const MESSAGE_CHARS: usize = 500;

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Output {
    /// The window searched.
    pub window: Window,
    /// The environment searched, when one was named.
    pub environment: Option<String>,
    /// Failing runs in the window, as counted by Orchestra.
    pub failing_run_count: u64,
    /// Failing runs in the window by status (FAILED, WARNING).
    pub by_status: BTreeMap<String, u64>,
    /// Each affected pipeline with how many of its runs failed in the window.
    pub pipelines: Vec<PipelineFailures>,
    /// The newest failing runs (at most `max_runs`), each with its failing tasks.
    pub failures: Vec<Failure>,
    /// True when `failures` holds fewer runs than `failingRunCount`.
    pub truncated: bool,
    /// Adjustments made to the request, and what could not be read.
    pub notes: Vec<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PipelineFailures {
    pub pipeline: String,
    pub pipeline_id: String,
    pub failures: u32,
    /// The newest failing run of this pipeline.
    pub latest_pipeline_run_id: String,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Failure {
    pub pipeline: String,
    pub pipeline_id: String,
    pub pipeline_run_id: String,
    /// FAILED or WARNING.
    pub run_status: String,
    pub environment: Option<String>,
    pub branch: Option<String>,
    pub created_at: String,
    pub started_at: Option<String>,
    pub completed_at: Option<String>,
    pub duration_seconds: Option<f64>,
    /// Orchestra's summary of the run.
    pub message: String,
    /// Duration anomalies of the run.
    pub anomalies: Vec<Anomaly>,
    /// The run's lineage page in the Orchestra UI.
    pub lineage_url: String,
    /// Tasks of the run that FAILED or ended in WARNING.
    pub failed_task_count: usize,
    pub failed_tasks: Vec<FailedTask>,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct FailedTask {
    /// Pass it to `diagnose_task_run` for the log tail, parameters and upstream statuses.
    pub task_run_id: String,
    pub task: String,
    pub task_id: String,
    pub integration: String,
    pub integration_job: String,
    pub status: String,
    pub message: Option<String>,
    pub external_status: Option<String>,
    /// The integration's own error text (for example the warehouse's).
    pub external_message: Option<String>,
    /// The run in the integration's own UI.
    pub platform_link: Option<String>,
    pub attempts: Option<i64>,
    pub duration_seconds: Option<f64>,
}

pub fn failed_task(task: TaskRun) -> FailedTask {
    FailedTask {
        duration_seconds: shape::duration_seconds(task.started_at.as_deref(), task.completed_at.as_deref()),
        task_run_id: task.id,
        task: task.task_name,
        task_id: task.task_id,
        integration: task.integration,
        integration_job: task.integration_job,
        status: task.status,
        message: shape::bounded_opt(task.message.as_deref(), MESSAGE_CHARS),
        external_status: task.external_status,
        external_message: shape::bounded_opt(task.external_message.as_deref(), MESSAGE_CHARS),
        platform_link: task.platform_link,
        attempts: task.number_of_attempts,
    }
}

fn is_failing(status: &str) -> bool {
    matches!(status, "FAILED" | "WARNING")
}

pub async fn run(client: Client, args: Args) -> Result<Output, ToolError> {
    let now = super::now();
    let window = args::resolve_window(Some(args.time_from.as_deref().unwrap_or("24h")), args.time_to.as_deref(), now)?;
    let environment = match &args.environment {
        Some(name) => Some(super::get_environment::resolve(&client, name).await?),
        None => None,
    };
    let statuses = if args.include_warnings { "FAILED,WARNING" } else { "FAILED" };
    let path = format!(
        "/pipeline_runs{}",
        args::query(&[
            ("time_from", Some(args::format_time(window.from))),
            ("time_to", Some(args::format_time(window.to))),
            ("status", Some(statuses.to_string())),
            ("environments", environment.as_ref().map(|e| e.environment_id.clone())),
        ])
    );
    // The summary counts every failing run of the window (up to SUMMARY_RUNS); only the
    // per-run detail is bounded by max_runs.
    const SUMMARY_RUNS: usize = 1000;
    let max_runs = args.max_runs.clamp(1, 100) as usize;
    let (mut runs, total) = client.get_pages::<PipelineRun>("GET /pipeline_runs", &path, 100, SUMMARY_RUNS).await?;
    let mut notes = window.notes.clone();
    if total > runs.len() as u64 {
        notes.push(format!(
            "{total} runs failed in the window; byStatus and pipelines count the newest {} (narrow the window for \
             exact counts)",
            runs.len()
        ));
    }
    let mut by_status = BTreeMap::new();
    let mut pipelines: Vec<PipelineFailures> = Vec::new();
    for run in &runs {
        *by_status.entry(run.run_status.clone()).or_insert(0) += 1;
        match pipelines.iter_mut().find(|p| p.pipeline_id == run.pipeline_id) {
            Some(p) => p.failures += 1,
            None => pipelines.push(PipelineFailures {
                pipeline: run.pipeline_name.clone().unwrap_or_else(|| run.pipeline_id.clone()),
                pipeline_id: run.pipeline_id.clone(),
                failures: 1,
                latest_pipeline_run_id: run.id.clone(),
            }),
        }
    }
    runs.truncate(max_runs);
    let mut tasks_by_run = failing_tasks_by_run(&client, &runs, window.from, now, &mut notes).await?;

    let mut failures = Vec::with_capacity(runs.len());
    for run in runs {
        let pipeline = run.pipeline_name.clone().unwrap_or_else(|| run.pipeline_id.clone());
        let mut tasks = tasks_by_run.remove(&run.id).unwrap_or_default();
        let failed_task_count = tasks.len();
        tasks.truncate(args.max_tasks_per_run as usize);
        failures.push(Failure {
            lineage_url: client.lineage_url(&run.id),
            duration_seconds: shape::duration_seconds(run.started_at.as_deref(), run.completed_at.as_deref()),
            anomalies: shape::anomalies(run.anomalies.as_ref()),
            pipeline,
            pipeline_id: run.pipeline_id,
            pipeline_run_id: run.id,
            run_status: run.run_status,
            environment: run.env_name,
            branch: run.branch,
            created_at: run.created_at,
            started_at: run.started_at,
            completed_at: run.completed_at,
            message: shape::bounded(&run.message, MESSAGE_CHARS),
            failed_task_count,
            failed_tasks: tasks.into_iter().map(failed_task).collect(),
        });
    }
    if total > failures.len() as u64 {
        notes.push(format!(
            "failures details the newest {} of the {total} failing runs (raise max_runs, up to 100, for more)",
            failures.len()
        ));
    }
    Ok(Output {
        window: window.report(),
        environment: environment.map(|e| e.name),
        failing_run_count: total,
        by_status,
        pipelines,
        truncated: total > failures.len() as u64,
        failures,
        notes,
    })
}

/// The failing task runs of `runs`, by pipeline run id. One sweep of `/task_runs` over the
/// failing pipelines covers most runs in a request or two; a run the sweep did not cover
/// (its tasks began after the sweep's window) is asked for by itself.
async fn failing_tasks_by_run(
    client: &Client,
    runs: &[PipelineRun],
    from: jiff::Timestamp,
    now: jiff::Timestamp,
    notes: &mut Vec<String>,
) -> Result<BTreeMap<String, Vec<TaskRun>>, ToolError> {
    let mut by_run: BTreeMap<String, Vec<TaskRun>> = BTreeMap::new();
    if runs.is_empty() {
        return Ok(by_run);
    }
    let mut pipeline_ids: Vec<String> = runs.iter().map(|r| r.pipeline_id.clone()).collect();
    pipeline_ids.sort();
    pipeline_ids.dedup();
    // Tasks start after their run, so the sweep runs from the window's start to now, within
    // the API's 7-day limit.
    let sweep_to = now.min(from.checked_add(args::MAX_WINDOW - jiff::SignedDuration::from_secs(1)).unwrap_or(now));
    let path = format!(
        "/task_runs{}",
        args::query(&[
            ("time_from", Some(args::format_time(from))),
            ("time_to", Some(args::format_time(sweep_to))),
            ("status", Some("FAILED,WARNING".to_string())),
            ("pipeline_ids", args::csv(&pipeline_ids)),
        ])
    );
    const SWEEP_LIMIT: usize = 1000;
    let (tasks, total) = client.get_pages::<TaskRun>("GET /task_runs", &path, 100, SWEEP_LIMIT).await?;
    if total > SWEEP_LIMIT as u64 {
        notes.push(format!("{total} failing task runs matched; the newest {SWEEP_LIMIT} were read"));
    }
    let wanted: std::collections::BTreeSet<&str> = runs.iter().map(|r| r.id.as_str()).collect();
    for task in tasks {
        if wanted.contains(task.pipeline_run_id.as_str()) {
            by_run.entry(task.pipeline_run_id.clone()).or_default().push(task);
        }
    }
    let uncovered: Vec<&PipelineRun> = runs.iter().filter(|r| !by_run.contains_key(&r.id)).collect();
    for run in uncovered {
        let path = format!("/pipeline_runs/{}/task_runs", args::uuid("pipeline_run_id", &run.id)?);
        match client.get_pages::<TaskRun>("GET /pipeline_runs/{pipeline_run_id}/task_runs", &path, 50, 200).await {
            Ok((tasks, _)) => {
                let failing: Vec<TaskRun> = tasks.into_iter().filter(|t| is_failing(&t.status)).collect();
                by_run.insert(run.id.clone(), failing);
            }
            Err(e) => notes.push(format!("the task runs of {} could not be read: {}", run.id, super::summary(&e))),
        }
    }
    Ok(by_run)
}

super::single_step_tool! {
    name: "whats_broken",
    title: "What's broken?",
    toolset: "triage",
    annotations: READ,
    summary: ["pipelines"],
    args: Args,
    output: Output,
    run: run,
}
