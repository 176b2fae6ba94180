//! Serde models of the Orchestra responses the tools use, field for field from the
//! OpenAPI document (`PipelineRunResponse`, `TaskRunResponse`, ...). Each model keeps any
//! field the spec does not list in `other`, so nothing the API returns is dropped.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The `{page, pageSize, total, results}` envelope of paginated endpoints.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    #[allow(dead_code)]
    pub page: u32,
    #[allow(dead_code)]
    pub page_size: u32,
    pub total: u64,
    pub results: Vec<T>,
}

/// A pipeline run (`PipelineRunResponse`).
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PipelineRun {
    /// Pipeline run id.
    pub id: String,
    pub pipeline_id: String,
    pub pipeline_name: Option<String>,
    pub account_id: String,
    #[serde(default)]
    pub env_id: Option<String>,
    #[serde(default)]
    pub env_name: Option<String>,
    /// CREATED, RUNNING, SUCCEEDED, WARNING, FAILED, SKIPPED, CANCELLING or CANCELLED.
    pub run_status: String,
    #[serde(default)]
    pub has_anomalies: Option<bool>,
    /// Duration anomalies keyed by id (`pipeline_duration_above_baseline`, ...).
    #[serde(default)]
    pub anomalies: Option<Map<String, Value>>,
    /// What started the run (schedule, sensor, user, webhook, parent pipeline).
    #[serde(default)]
    pub triggered_by: Vec<Map<String, Value>>,
    #[serde(default)]
    pub child_pipeline_runs: Vec<Map<String, Value>>,
    /// Orchestra's summary of the outcome.
    pub message: String,
    #[serde(default)]
    pub pipeline_version_number: Option<i64>,
    pub created_at: String,
    pub updated_at: String,
    #[serde(default)]
    pub completed_at: Option<String>,
    #[serde(default)]
    pub started_at: Option<String>,
    #[serde(default)]
    pub branch: Option<String>,
    #[serde(default)]
    pub commit: Option<String>,
    #[serde(default)]
    pub git_link: Option<String>,
    /// The pipeline definition the run used.
    #[serde(default)]
    pub data: Option<Map<String, Value>>,
    /// Fields the API added after the spec this was written from.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// A task run (`TaskRunResponse`).
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TaskRun {
    /// Task run id.
    pub id: String,
    pub pipeline_run_id: String,
    pub task_name: String,
    pub task_id: String,
    pub account_id: String,
    pub pipeline_id: String,
    pub integration: String,
    pub integration_job: String,
    /// CREATED, SKIPPED, QUEUED, RUNNING, SUCCEEDED, WARNING, FAILED, CANCELLING or CANCELLED.
    pub status: String,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub external_status: Option<String>,
    #[serde(default)]
    pub external_message: Option<String>,
    #[serde(default)]
    pub task_parameters: Option<Map<String, Value>>,
    #[serde(default)]
    pub run_parameters: Option<Map<String, Value>>,
    #[serde(default)]
    pub connection_id: Option<String>,
    #[serde(default)]
    pub compute_resource_id: Option<String>,
    /// Link to the run in the integration's own UI.
    #[serde(default)]
    pub platform_link: Option<String>,
    #[serde(default)]
    pub number_of_attempts: Option<i64>,
    #[serde(default)]
    pub matrix_parent: bool,
    #[serde(default)]
    pub matrix_parent_id: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    #[serde(default)]
    pub completed_at: Option<String>,
    #[serde(default)]
    pub started_at: Option<String>,
    /// Task ids this task waits for.
    #[serde(default)]
    pub depends_on: Option<Vec<String>>,
    /// Fields the API added after the spec this was written from.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// `TaskRunFilesResponse`: the log files of a task run.
#[derive(Debug, Deserialize)]
pub struct TaskRunFiles {
    #[serde(default)]
    pub filenames: Vec<String>,
    #[serde(default)]
    pub files: Map<String, Value>,
}

/// `TaskRunArtifactsResponse`.
#[derive(Debug, Deserialize)]
pub struct TaskRunArtifacts {
    #[serde(default)]
    pub filenames: Vec<String>,
}

/// `StartPipelineResponse`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StartPipelineResponse {
    pub id: String,
    pub pipeline_run_id: String,
    #[serde(default)]
    pub message: Option<String>,
}
