//! The fake's data, shaped as the OpenAPI document's response models
//! (`PipelineRunResponse`, `TaskRunResponse`, `PipelineResponse`, ...), camelCase on the wire.

use serde::Serialize;
use serde_json::{Map, Value};

pub const PIPELINE_RUN_STATUSES: &[&str] =
    &["CREATED", "RUNNING", "SUCCEEDED", "WARNING", "FAILED", "SKIPPED", "CANCELLING", "CANCELLED"];
pub const TASK_RUN_STATUSES: &[&str] =
    &["CREATED", "SKIPPED", "QUEUED", "RUNNING", "SUCCEEDED", "WARNING", "FAILED", "CANCELLING", "CANCELLED"];

pub fn is_terminal_run(status: &str) -> bool {
    matches!(status, "SUCCEEDED" | "WARNING" | "FAILED" | "SKIPPED" | "CANCELLED")
}

/// Task runs end in the same statuses as pipeline runs.
pub fn is_terminal_task(status: &str) -> bool {
    is_terminal_run(status)
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Environment {
    pub account_id: String,
    pub environment_id: String,
    pub name: String,
    pub default_env: bool,
    /// Variables by name, each `{type, value}`; lists leave them out (`ProtectedEnvironmentsResponse`).
    #[serde(skip)]
    pub values: serde_json::Map<String, Value>,
    #[serde(skip)]
    pub created_at: String,
    #[serde(skip)]
    pub updated_at: String,
}

/// A task in a pipeline definition.
#[derive(Debug, Clone)]
pub struct TaskDef {
    pub task_id: &'static str,
    pub name: &'static str,
    pub integration: &'static str,
    pub job: &'static str,
    pub depends_on: &'static [&'static str],
}

#[derive(Debug, Clone)]
pub struct Pipeline {
    pub id: String,
    pub name: String,
    pub alias: String,
    pub tasks: Vec<TaskDef>,
    /// Inputs a start must supply in `runInputs`.
    pub required_inputs: Vec<&'static str>,
    pub storage_provider: &'static str,
    pub repository: Option<&'static str>,
    pub latest_version_number: i64,
    pub created_at: String,
    /// The schedule's cron expression (UTC), if the pipeline is scheduled.
    pub cron: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PipelineRun {
    pub id: String,
    pub pipeline_id: String,
    pub pipeline_name: Option<String>,
    pub account_id: String,
    pub env_id: Option<String>,
    pub env_name: Option<String>,
    pub run_status: String,
    pub has_anomalies: Option<bool>,
    pub anomalies: Option<Map<String, Value>>,
    pub triggered_by: Vec<Value>,
    pub child_pipeline_runs: Vec<Value>,
    pub message: String,
    pub pipeline_version_number: Option<i64>,
    pub created_at: String,
    pub updated_at: String,
    pub completed_at: Option<String>,
    pub started_at: Option<String>,
    pub branch: Option<String>,
    pub commit: Option<String>,
    pub git_link: Option<String>,
    pub data: Option<Value>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskRun {
    pub id: String,
    pub pipeline_run_id: String,
    pub task_name: String,
    pub task_id: String,
    pub account_id: String,
    pub pipeline_id: String,
    pub integration: String,
    pub integration_job: String,
    pub status: String,
    pub message: Option<String>,
    pub external_status: Option<String>,
    pub external_message: Option<String>,
    pub task_parameters: Option<Map<String, Value>>,
    pub run_parameters: Option<Map<String, Value>>,
    pub connection_id: Option<String>,
    pub compute_resource_id: Option<String>,
    pub platform_link: Option<String>,
    pub number_of_attempts: Option<i64>,
    pub matrix_parent: bool,
    pub matrix_parent_id: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub completed_at: Option<String>,
    pub started_at: Option<String>,
    pub depends_on: Option<Vec<String>>,
}

/// The `{page, pageSize, total, results}` envelope.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    pub page: u64,
    pub page_size: u64,
    pub total: u64,
    pub results: Vec<T>,
}
