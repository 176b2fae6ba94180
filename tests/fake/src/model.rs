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

/// A task of a pipeline definition, as runs see it.
#[derive(Debug, Clone)]
pub struct TaskDef {
    pub task_id: String,
    pub name: String,
    pub integration: String,
    pub job: String,
    pub depends_on: Vec<String>,
}

/// Where a pipeline's definition lives: in Orchestra, or in a git repository.
#[derive(Debug, Clone)]
pub struct Storage {
    /// `ORCHESTRA` or a git provider (`GITHUB`, `GITLAB`, ...).
    pub provider: String,
    pub repository: Option<String>,
    pub default_branch: Option<String>,
    pub working_branch: Option<String>,
    pub yaml_path: String,
}

impl Storage {
    pub fn orchestra(yaml_path: String) -> Self {
        Self { provider: "ORCHESTRA".into(), repository: None, default_branch: None, working_branch: None, yaml_path }
    }

    pub fn is_git(&self) -> bool {
        self.provider != "ORCHESTRA"
    }
}

#[derive(Debug, Clone)]
pub struct Pipeline {
    pub id: String,
    pub alias: String,
    /// The latest version's definition: a canonical (camelCase) `PipelineModel`. Its
    /// name, tasks, inputs and schedule are the pipeline's.
    pub definition: Value,
    pub storage: Storage,
    pub latest_version_number: i64,
    pub published_version_number: Option<i64>,
    pub created_at: String,
    pub updated_at: String,
}

impl Pipeline {
    pub fn name(&self) -> &str {
        self.definition.get("name").and_then(Value::as_str).unwrap_or_default()
    }

    /// Every task of every group, upstream before downstream (ties by id), which is the
    /// order a run starts them in.
    pub fn tasks(&self) -> Vec<TaskDef> {
        let mut pending: Vec<TaskDef> = Vec::new();
        let nodes = self.definition.get("pipeline").and_then(Value::as_object).into_iter().flatten();
        for (id, node) in nodes {
            // A node with `tasks` is a task group; any other node is a task of its own.
            let members: Vec<(&String, &Value)> = match node.get("tasks").and_then(Value::as_object) {
                Some(tasks) => tasks.iter().collect(),
                None => vec![(id, node)],
            };
            for (task_id, task) in members {
                let text = |key: &str| task.get(key).and_then(Value::as_str).unwrap_or_default().to_string();
                pending.push(TaskDef {
                    task_id: task_id.clone(),
                    name: Some(text("name")).filter(|n| !n.is_empty()).unwrap_or_else(|| task_id.clone()),
                    integration: text("integration"),
                    job: text("integrationJob"),
                    depends_on: strings(task.get("dependsOn")),
                });
            }
        }
        let mut ordered: Vec<TaskDef> = Vec::new();
        while !pending.is_empty() {
            // A task is ready once no pending task is among its dependencies (a cycle,
            // which validation rejects, would take the first).
            let ready = pending
                .iter()
                .position(|t| !t.depends_on.iter().any(|d| pending.iter().any(|p| &p.task_id == d)))
                .unwrap_or(0);
            ordered.push(pending.remove(ready));
        }
        ordered
    }

    /// Inputs a start must supply in `runInputs`: those neither optional nor defaulted.
    pub fn required_inputs(&self) -> Vec<String> {
        let inputs = self.definition.get("inputs").and_then(Value::as_object).into_iter().flatten();
        inputs
            .filter(|(_, i)| {
                !i.get("optional").and_then(Value::as_bool).unwrap_or(false)
                    && i.get("default").is_none_or(Value::is_null)
            })
            .map(|(name, _)| name.clone())
            .collect()
    }
}

fn strings(value: Option<&Value>) -> Vec<String> {
    value.and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).map(str::to_string).collect()
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
