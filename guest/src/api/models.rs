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

/// A pipeline (`PipelineResponse`). The API sends `schedule`, `sensors`, `webhook` and
/// `triggerEvents` as JSON inside strings; they are parsed here so the model reads them
/// as data (a string that is not JSON is kept as it came).
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Pipeline {
    /// Pipeline id.
    pub id: String,
    pub name: String,
    /// Alias: a stable name usable wherever a pipeline id is.
    #[serde(default)]
    pub alias: Option<String>,
    #[serde(default)]
    pub num_tasks: Option<i64>,
    pub yaml_path: String,
    pub created_at: String,
    pub updated_at: String,
    /// A paused pipeline does not run on its schedule or sensors.
    pub paused: bool,
    /// Cron schedules (`cron`, `timezone`, `environment`, ...).
    #[serde(default, deserialize_with = "json_in_string")]
    pub schedule: Option<JsonField>,
    #[serde(default, deserialize_with = "json_in_string")]
    pub sensors: Option<JsonField>,
    #[serde(default, deserialize_with = "json_in_string")]
    pub webhook: Option<JsonField>,
    #[serde(default, deserialize_with = "json_in_string")]
    pub trigger_events: Option<JsonField>,
    /// Run inputs the pipeline declares (`type`, `default`, `optional`).
    #[serde(default)]
    pub inputs: Option<Map<String, Value>>,
    #[serde(default)]
    pub product_id: Option<String>,
    #[serde(default)]
    pub product_name: Option<String>,
    #[serde(default)]
    pub latest_version_number: Option<i64>,
    #[serde(default)]
    pub published_version_number: Option<i64>,
    /// ORCHESTRA, or the git provider the definition lives in.
    #[serde(default)]
    pub storage_provider: Option<String>,
    #[serde(default)]
    pub repository: Option<String>,
    #[serde(default)]
    pub default_branch: Option<String>,
    #[serde(default)]
    pub latest_run_id: Option<String>,
    #[serde(default)]
    pub latest_run_status: Option<String>,
    #[serde(default)]
    pub latest_run_message: Option<String>,
    #[serde(default)]
    pub latest_run_created_at: Option<String>,
    #[serde(default)]
    pub latest_run_completed_at: Option<String>,
    #[serde(default)]
    pub latest_run_started_at: Option<String>,
    /// Fields the API added after the spec this was written from.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// `CreateOrUpdatePipelineResponse`: the pipeline after a create, update, import or
/// storage change, with its definition (`data`) and version.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SavedPipeline {
    #[serde(default)]
    pub data: Option<Map<String, Value>>,
    #[serde(default)]
    pub current_version_number: Option<i64>,
    #[serde(default)]
    pub new_commit_sha: Option<String>,
    #[serde(default)]
    pub latest_file_sha: Option<String>,
    #[serde(flatten)]
    pub pipeline: Pipeline,
}

/// A field the API sends as JSON text (`schedule`, `sensors`, `webhook`,
/// `triggerEvents`), parsed: an array or object, or the text itself if it was not JSON.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(transparent)]
pub struct JsonField(pub Value);

impl JsonSchema for JsonField {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "JsonField".into()
    }
    fn inline_schema() -> bool {
        true
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "anyOf": [{ "type": "array" }, { "type": "object", "additionalProperties": true }, { "type": "string" }]
        })
    }
}

/// Reads a field the API sends as JSON text: parsed when it is JSON, kept otherwise.
fn json_in_string<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<JsonField>, D::Error> {
    Ok(Option::<Value>::deserialize(deserializer)?.map(|value| {
        JsonField(match value {
            Value::String(text) => serde_json::from_str(&text).unwrap_or(Value::String(text)),
            other => other,
        })
    }))
}

/// An environment (`ProtectedEnvironmentsResponse` in lists, `EnvironmentsResponse` with
/// its values when fetched alone).
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Environment {
    pub environment_id: String,
    pub name: String,
    /// The environment runs use when a start names none.
    pub default_env: bool,
    pub account_id: String,
    /// Variables by name, each `{type, value}` (only when fetched alone).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<Map<String, Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    /// Fields the API added after the spec this was written from.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// An operation (`OperationResponse`): one unit of work inside a task run, such as a dbt
/// model or test, a sync or a query.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Operation {
    pub id: String,
    pub pipeline_run_id: String,
    #[serde(default)]
    pub task_run_id: Option<String>,
    #[serde(default)]
    pub operation_name: Option<String>,
    /// CANCELLED, FAILED, REUSED, SKIPPED, SUCCEEDED, UNKNOWN or WARNING.
    pub operation_status: String,
    /// MATERIALISATION, TEST, INGESTION, QUERY, ...
    pub operation_type: String,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub external_status: Option<String>,
    #[serde(default)]
    pub external_detail: Option<String>,
    pub external_id: String,
    #[serde(default)]
    pub integration: Option<String>,
    #[serde(default)]
    pub integration_job: Option<String>,
    pub inserted_at: String,
    #[serde(default)]
    pub started_at: Option<String>,
    #[serde(default)]
    pub completed_at: Option<String>,
    /// Seconds.
    #[serde(default)]
    pub operation_duration: Option<f64>,
    #[serde(default)]
    pub rows_affected: Option<i64>,
    /// Cost and credit fields, meta, tags, dependencies and anything newer.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// An integration connection (`IntegrationConnectionMetadataResponse`); never secrets.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Connection {
    pub integration: String,
    /// INITIATED, VALIDATING, FAILED, SUCCEEDED or DEPRECATED.
    pub auth_status: String,
    /// The id tasks name in their `connection`.
    pub connection_id: String,
    pub connection_name: String,
    pub is_default: bool,
    pub created_at: String,
    pub updated_at: String,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// A workspace (account) the credentials can act on.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
pub struct Account {
    pub id: String,
    pub name: String,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// An asset (`AssetResponse`): a table, view, dataset or dashboard Orchestra tracks.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Asset {
    pub asset_id: String,
    pub asset_name: String,
    /// TABLE, VIEW, DATASET, DASHBOARD, ...
    pub asset_type: String,
    pub integration: String,
    /// HEALTHY, UNHEALTHY, WARNING or UNKNOWN.
    pub status: String,
    /// The asset's id in its own system (e.g. `ANALYTICS.MARTS.ORDERS`).
    pub external_id: String,
    pub integration_account_id: String,
    #[serde(default)]
    pub database_name: Option<String>,
    #[serde(default)]
    pub schema_name: Option<String>,
    #[serde(default)]
    pub owner: Option<String>,
    #[serde(default)]
    pub row_count: Option<i64>,
    #[serde(default)]
    pub last_updated_in_integration: Option<String>,
    #[serde(default)]
    pub last_successful_run: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    /// Lineage, usage, freshness, descriptions and anything newer.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// `IntegrationResponse`, without the UI's fields (logos, priority).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IntegrationInfo {
    pub id: String,
    pub display_name: String,
    pub status: String,
    #[serde(default)]
    pub job_types: Vec<String>,
    #[serde(default)]
    pub auth_schema: Vec<FormItem>,
    #[serde(default)]
    pub setup_docs_url: Option<String>,
    /// Where Orchestra serves the integration's setup guide (`/public/setup_guides/<file>`).
    #[serde(default)]
    pub setup_guide_url: Option<String>,
    #[serde(default)]
    pub top: bool,
    #[serde(default)]
    pub supported_asset_types: Vec<String>,
}

/// `IntegrationJobResponse`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IntegrationJob {
    pub id: String,
    pub display_name: String,
    #[serde(default)]
    pub description: Option<String>,
    pub integration: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub status: String,
    #[serde(default)]
    pub job_schema: Vec<FormItem>,
    #[serde(default)]
    pub is_data_quality_test: Option<bool>,
    #[serde(default)]
    pub output_keys: Option<Vec<String>>,
}

/// `SensorCheckSchemaResponse`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SensorCheck {
    pub id: String,
    pub display_name: String,
    #[serde(default)]
    pub description: Option<String>,
    pub integration: String,
    pub status: String,
    #[serde(default)]
    pub sensor_schema: Vec<FormItem>,
    #[serde(default)]
    pub output_keys: Vec<String>,
}

/// `BaseFormSchemaItem`: one field of an integration's credentials form, a job's
/// `parameters` or a sensor's settings. The API writes these in snake_case.
#[derive(Debug, Deserialize)]
pub struct FormItem {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default)]
    pub optional: bool,
    #[serde(default)]
    pub format: Option<String>,
    #[serde(default)]
    pub default_value: Option<Value>,
    #[serde(default, rename = "enum")]
    pub options: Option<Vec<FormOption>>,
    #[serde(default)]
    pub info: Option<String>,
}

/// `BaseFormSchemaItemEnumOption`.
#[derive(Debug, Deserialize)]
pub struct FormOption {
    pub value: String,
}
