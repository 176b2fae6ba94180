use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::whats_broken::{FailedTask, failed_task};
use crate::api::Client;
use crate::api::models::{PipelineRun, TaskRun};
use crate::args::{self, Id};
use crate::shape;
use crate::tool::{Annotations, Tool};
use crate::wit::{CallOutcome, Pending, Progress, ToolError};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Args {
    pub pipeline_run_id: Id,
    #[serde(default = "default_timeout")]
    #[schemars(range(min = 1, max = 1800))]
    pub timeout_seconds: u32,
    #[serde(default = "default_interval")]
    #[schemars(range(min = 2, max = 60))]
    pub poll_interval_seconds: u32,
}

fn default_timeout() -> u32 {
    600
}
fn default_interval() -> u32 {
    10
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Output {
    pub pipeline_run_id: String,
    pub pipeline_name: Option<String>,
    /// The status when the wait ended.
    pub status: String,
    pub message: String,
    /// True when the run finished (SUCCEEDED, WARNING, FAILED, SKIPPED or CANCELLED).
    pub terminal: bool,
    /// True when `timeout_seconds` passed first; the run goes on.
    pub timed_out: bool,
    pub waited_seconds: f64,
    /// Status checks made.
    pub polls: u32,
    pub started_at: Option<String>,
    pub completed_at: Option<String>,
    pub duration_seconds: Option<f64>,
    pub lineage_url: String,
    /// For a run that FAILED or ended in WARNING: its failing tasks.
    pub failed_tasks: Vec<FailedTask>,
    pub next_steps: Vec<String>,
}

/// What the host hands back between steps: when the wait began and how many checks ran.
#[derive(Debug, Serialize, Deserialize)]
struct Resume {
    started_ms: i64,
    polls: u32,
}

async fn step(client: Client, arguments: Value, resume: Option<String>) -> Result<CallOutcome, ToolError> {
    let args: Args = super::parse(arguments)?;
    let id = args::uuid("pipeline_run_id", &args.pipeline_run_id.0)?;
    let now = super::now();
    let mut state = match resume.as_deref().map(serde_json::from_str::<Resume>) {
        Some(Ok(state)) => state,
        Some(Err(e)) => return Err(ToolError::Internal(format!("wait_for_run: unreadable resume state: {e}"))),
        None => Resume { started_ms: now.as_millisecond(), polls: 0 },
    };
    let run: PipelineRun =
        client.get_json("GET /pipeline_runs/{pipeline_run_id}/status", &format!("/pipeline_runs/{id}/status")).await?;
    state.polls += 1;
    let waited_ms = (now.as_millisecond() - state.started_ms).max(0);
    let terminal = super::get_pipeline_run::is_terminal(&run.run_status);
    let interval_ms = i64::from(args.poll_interval_seconds.clamp(2, 60)) * 1000;
    let timeout_ms = i64::from(args.timeout_seconds.clamp(1, 1800)) * 1000;
    // The last check comes when the timeout is reached, never a poll interval before it.
    if !terminal && waited_ms < timeout_ms {
        let seconds = waited_ms / 1000;
        return Ok(CallOutcome::Pending(Pending {
            resume_after_ms: interval_ms.min(timeout_ms - waited_ms) as u32,
            state: serde_json::to_string(&state).map_err(|e| ToolError::Internal(e.to_string()))?,
            progress: Some(Progress {
                progress: seconds as f64,
                total: Some((timeout_ms / 1000) as f64),
                message: Some(format!(
                    "{} is {} after {seconds} s",
                    run.pipeline_name.as_deref().unwrap_or(&id),
                    run.run_status
                )),
            }),
        }));
    }
    let failed_tasks = if matches!(run.run_status.as_str(), "FAILED" | "WARNING") {
        let path = format!("/pipeline_runs/{id}/task_runs");
        let (tasks, _) =
            client.get_pages::<TaskRun>("GET /pipeline_runs/{pipeline_run_id}/task_runs", &path, 50, 500).await?;
        tasks
            .into_iter()
            .filter(|t| matches!(t.status.as_str(), "FAILED" | "WARNING"))
            .take(20)
            .map(failed_task)
            .collect()
    } else {
        Vec::new()
    };
    let mut next_steps = Vec::new();
    if !terminal {
        next_steps.push(format!("the run is still {}: call wait_for_run again to keep waiting", run.run_status));
    }
    if let Some(task) = failed_tasks.first() {
        next_steps.push(format!("diagnose_task_run with task_run_id={} explains the failure", task.task_run_id));
    }
    super::done(Output {
        lineage_url: client.lineage_url(&run.id),
        duration_seconds: shape::duration_seconds(run.started_at.as_deref(), run.completed_at.as_deref()),
        pipeline_run_id: run.id,
        pipeline_name: run.pipeline_name,
        status: run.run_status,
        message: shape::bounded(&run.message, 2000),
        terminal,
        timed_out: !terminal,
        waited_seconds: waited_ms as f64 / 1000.0,
        polls: state.polls,
        started_at: run.started_at,
        completed_at: run.completed_at,
        failed_tasks,
        next_steps,
    })
}

pub fn tool() -> Tool {
    Tool {
        name: "wait_for_run",
        title: "Wait for a pipeline run to finish",
        toolset: "pipeline_runs",
        description: include_str!("../descriptions/wait_for_run.md"),
        annotations: Annotations { read_only: true, destructive: false, idempotent: true, open_world: true },
        opt_in: false,
        input_schema: crate::schema::input::<Args>,
        output_schema: crate::schema::output::<Output>,
        run: |client, arguments, resume| Box::pin(step(client, arguments, resume)),
    }
}
