use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::download::{self, Encoding};
use crate::api::Client;
use crate::api::models::{PipelineRun, TaskRun, TaskRunArtifacts};
use crate::args::{self, Id};
use crate::error::invalid;
use crate::shape::{self, Anomaly};
use crate::tool::READ;
use crate::wit::ToolError;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Args {
    pub task_run_id: Id,
    /// Its run, if known: faster, and reaches older runs.
    #[serde(default)]
    pub pipeline_run_id: Option<Id>,
    #[serde(default = "default_log_tail")]
    #[schemars(range(min = 256, max = 65536))]
    pub log_tail_bytes: u64,
}

fn default_log_tail() -> u64 {
    8192
}

/// Characters kept of each parameter string and message.
const TEXT_CHARS: usize = 2000;
/// Lines that look like errors, kept from the log tail.
const MAX_ERROR_LINES: usize = 20;

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Output {
    pub task_run: TaskSummary,
    pub pipeline_run: RunSummary,
    /// What the task was given: its parameters and the run's parameters (strings cut at 2000 characters).
    pub parameters: Parameters,
    /// The tasks this one waits for, and how they ended.
    pub upstream: Vec<Neighbour>,
    /// The tasks that wait for this one, and how they ended.
    pub downstream: Vec<Neighbour>,
    /// The end of the newest attempt's log, when there is one.
    pub log: Option<LogTail>,
    /// The task run's artifact files (dbt `run_results.json`, `manifest.json`, ...).
    pub artifacts: Vec<String>,
    /// What to look at next.
    pub next_steps: Vec<String>,
    /// What could not be read.
    pub notes: Vec<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TaskSummary {
    pub id: String,
    pub task_id: String,
    pub task_name: String,
    pub integration: String,
    pub integration_job: String,
    pub status: String,
    pub message: Option<String>,
    pub external_status: Option<String>,
    pub external_message: Option<String>,
    pub platform_link: Option<String>,
    pub attempts: Option<i64>,
    pub started_at: Option<String>,
    pub completed_at: Option<String>,
    pub duration_seconds: Option<f64>,
    pub anomalies: Vec<Anomaly>,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RunSummary {
    pub id: String,
    pub pipeline_id: String,
    pub pipeline_name: Option<String>,
    pub status: String,
    pub message: String,
    pub environment: Option<String>,
    pub branch: Option<String>,
    pub lineage_url: String,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Parameters {
    pub task: Map<String, Value>,
    pub run: Map<String, Value>,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Neighbour {
    pub task_id: String,
    pub task_name: Option<String>,
    /// The task run's status; absent when the task did not run in this pipeline run.
    pub status: Option<String>,
    pub task_run_id: Option<String>,
    pub message: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct LogTail {
    pub filename: String,
    pub attempt: u64,
    /// The last bytes of the log (text), starting at a line boundary when possible.
    pub tail: String,
    /// Size of the whole log in bytes, when Orchestra said it.
    pub size_bytes: Option<u64>,
    /// True when the log has more before `tail`: `get_task_run_log` reads any part.
    pub more_before: bool,
    /// Lines of the tail that mention an error, failure or exception.
    pub error_lines: Vec<String>,
    /// `PENDING` while the log is still being written.
    pub file_status: Option<String>,
}

/// Finds the task run: in its pipeline run when given (returning the run's task runs too,
/// so they are read once), else by id in the last 7 days.
async fn find(
    client: &Client,
    task_run_id: &str,
    pipeline_run_id: Option<&str>,
) -> Result<(TaskRun, Option<Vec<TaskRun>>), ToolError> {
    if let Some(run) = pipeline_run_id {
        let all = siblings(client, run).await?;
        let task = all
            .iter()
            .find(|t| t.id.eq_ignore_ascii_case(task_run_id))
            .cloned()
            .ok_or_else(|| invalid("task_run_id", format!("pipeline run {run} has no task run {task_run_id}")))?;
        return Ok((task, Some(all)));
    }
    let path = format!("/task_runs{}", args::query(&[("task_run_ids", Some(task_run_id.to_string()))]));
    let (found, _) = client.get_pages::<TaskRun>("GET /task_runs", &path, 10, 1).await?;
    let task = found.into_iter().next().ok_or_else(|| {
        invalid(
            "task_run_id",
            format!(
                "no task run {task_run_id} in the last 7 days; if it is older, pass its pipeline_run_id \
                 (get_pipeline_run or list_pipeline_runs show it)"
            ),
        )
    })?;
    Ok((task, None))
}

async fn siblings(client: &Client, pipeline_run_id: &str) -> Result<Vec<TaskRun>, ToolError> {
    let path = format!("/pipeline_runs/{pipeline_run_id}/task_runs");
    let (tasks, _) =
        client.get_pages::<TaskRun>("GET /pipeline_runs/{pipeline_run_id}/task_runs", &path, 50, 500).await?;
    Ok(tasks)
}

fn neighbour(task_id: &str, all: &[TaskRun]) -> Neighbour {
    let found = all.iter().find(|t| t.task_id == task_id);
    Neighbour {
        task_id: task_id.to_string(),
        task_name: found.map(|t| t.task_name.clone()),
        status: found.map(|t| t.status.clone()),
        task_run_id: found.map(|t| t.id.clone()),
        message: found.and_then(|t| shape::bounded_opt(t.message.as_deref(), 500)),
    }
}

/// Lines that mention an error, a failure or an exception, bounded in number and length.
pub fn error_lines(text: &str) -> Vec<String> {
    const MARKERS: [&str; 6] = ["error", "exception", "traceback", "fail", "fatal", "panic"];
    text.lines()
        .filter(|line| {
            let lower = line.to_ascii_lowercase();
            MARKERS.iter().any(|m| lower.contains(m))
        })
        .map(|line| shape::bounded(line.trim_end(), 300))
        .take(MAX_ERROR_LINES)
        .collect()
}

async fn log_tail(client: &Client, run: &str, task: &str, tail: u64) -> Result<Option<LogTail>, ToolError> {
    let Some(file) = super::list_task_run_logs::files(client, run, task).await?.pop() else { return Ok(None) };
    let path = format!(
        "/pipeline_runs/{run}/task_runs/{task}/logs/download{}",
        args::query(&[("filename", Some(file.filename.clone()))])
    );
    let route = "GET /pipeline_runs/{pipeline_run_id}/task_runs/{task_run_id}/logs/download";
    let got = client.get_bytes(route, &path, Some(download::range(None, tail, tail)), tail as usize).await?;
    let slice = download::slice(&file.filename, got, tail, "");
    // Shaped text for a model: terminal colour codes (dbt writes them) only cost tokens;
    // get_task_run_log keeps the exact bytes.
    let mut text = if slice.encoding == Encoding::Utf8 { shape::without_ansi(&slice.content) } else { String::new() };
    if slice.more_before
        && let Some(newline) = text.find('\n')
    {
        // Start at a whole line; the cut one would only mislead.
        text.drain(..=newline);
    }
    Ok(Some(LogTail {
        filename: file.filename,
        attempt: file.attempt_number,
        error_lines: error_lines(&text),
        tail: text,
        size_bytes: slice.size_bytes,
        more_before: slice.more_before,
        file_status: slice.file_status,
    }))
}

fn bounded_map(map: Option<Map<String, Value>>) -> Map<String, Value> {
    let mut value = Value::Object(map.unwrap_or_default());
    shape::bound_strings(&mut value, TEXT_CHARS);
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

pub async fn run(client: Client, args: Args) -> Result<Output, ToolError> {
    let task_run_id = args::uuid("task_run_id", &args.task_run_id.0)?;
    let given_run = args.pipeline_run_id.as_ref().map(|r| args::uuid("pipeline_run_id", &r.0)).transpose()?;
    let (task, read) = find(&client, &task_run_id, given_run.as_deref()).await?;
    let run_id = args::uuid("pipeline_run_id", &task.pipeline_run_id)?;
    let mut notes = Vec::new();

    let all = match read {
        Some(all) => all,
        None => match siblings(&client, &run_id).await {
            Ok(all) => all,
            Err(e) => {
                notes.push(format!("the other task runs could not be read: {}", super::summary(&e)));
                Vec::new()
            }
        },
    };
    let upstream: Vec<Neighbour> = task.depends_on.iter().flatten().map(|id| neighbour(id, &all)).collect();
    let downstream: Vec<Neighbour> = all
        .iter()
        .filter(|t| t.depends_on.as_ref().is_some_and(|d| d.contains(&task.task_id)))
        .map(|t| neighbour(&t.task_id, &all))
        .collect();

    let run: PipelineRun = client
        .get_json("GET /pipeline_runs/{pipeline_run_id}/status", &format!("/pipeline_runs/{run_id}/status"))
        .await?;
    let log = match log_tail(&client, &run_id, &task_run_id, args.log_tail_bytes.clamp(256, 65536)).await {
        Ok(log) => log,
        Err(e) => {
            notes.push(format!("the log could not be read: {}", super::summary(&e)));
            None
        }
    };
    let artifacts = match client
        .get_json::<TaskRunArtifacts>(
            "GET /pipeline_runs/{pipeline_run_id}/task_runs/{task_run_id}/artifacts",
            &format!("/pipeline_runs/{run_id}/task_runs/{task_run_id}/artifacts"),
        )
        .await
    {
        Ok(listing) => listing.filenames.into_iter().take(50).collect(),
        Err(e) => {
            notes.push(format!("the artifacts could not be listed: {}", super::summary(&e)));
            Vec::new()
        }
    };

    let mut next_steps = Vec::new();
    if log.as_ref().is_some_and(|l| l.more_before) {
        next_steps.push(format!(
            "get_task_run_log with pipeline_run_id={run_id} and task_run_id={task_run_id} reads more of the log"
        ));
    }
    if artifacts.iter().any(|a| a.ends_with("run_results.json")) {
        next_steps.push(
            "get_task_run_artifact with filename=run_results.json shows each dbt node's status and message".into(),
        );
    }
    if let Some(blocked) = upstream.iter().find(|u| u.status.as_deref() == Some("FAILED")) {
        next_steps.push(format!("the upstream task {} failed first: diagnose it instead", blocked.task_id));
    }

    Ok(Output {
        task_run: TaskSummary {
            duration_seconds: shape::duration_seconds(task.started_at.as_deref(), task.completed_at.as_deref()),
            anomalies: shape::anomalies(task.other.get("anomalies").and_then(Value::as_object)),
            id: task.id,
            task_id: task.task_id,
            task_name: task.task_name,
            integration: task.integration,
            integration_job: task.integration_job,
            status: task.status,
            message: shape::bounded_opt(task.message.as_deref(), TEXT_CHARS),
            external_status: task.external_status,
            external_message: shape::bounded_opt(task.external_message.as_deref(), TEXT_CHARS),
            platform_link: task.platform_link,
            attempts: task.number_of_attempts,
            started_at: task.started_at,
            completed_at: task.completed_at,
        },
        pipeline_run: RunSummary {
            lineage_url: client.lineage_url(&run.id),
            id: run.id,
            pipeline_id: run.pipeline_id,
            pipeline_name: run.pipeline_name,
            status: run.run_status,
            message: shape::bounded(&run.message, TEXT_CHARS),
            environment: run.env_name,
            branch: run.branch,
        },
        parameters: Parameters { task: bounded_map(task.task_parameters), run: bounded_map(task.run_parameters) },
        upstream,
        downstream,
        log,
        artifacts,
        next_steps,
        notes,
    })
}

super::single_step_tool! {
    name: "diagnose_task_run",
    title: "Diagnose a task run",
    toolset: "triage",
    annotations: READ,
    args: Args,
    output: Output,
    run: run,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_lines_are_picked_and_bounded() {
        let log =
            "ok\nDatabase Error in model orders\n  compiled SQL\nFAIL 1 test\nTraceback (most recent call last):\n";
        assert_eq!(
            error_lines(log),
            ["Database Error in model orders", "FAIL 1 test", "Traceback (most recent call last):"]
        );
        let many = "error\n".repeat(100);
        assert_eq!(error_lines(&many).len(), MAX_ERROR_LINES);
    }
}
