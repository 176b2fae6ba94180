//! The shapes shared by the catalogue tools (`list_integrations`, `get_integration`,
//! `list_sensor_checks`): form fields as an agent fills them in, without the UI's
//! presentation details.

use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;

use crate::api::models::{FormItem, IntegrationJob, SensorCheck};

/// One field to fill in: a credential of a connection, a task's `parameters` key, or a
/// sensor's setting.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Field {
    /// The key to use.
    pub name: String,
    /// `string`, `number`, `boolean`, `dict` or `array`.
    #[serde(rename = "type")]
    pub kind: String,
    pub label: Option<String>,
    pub required: bool,
    /// A finer format (`password`, `json`, `yaml`, `url`, `connection`, `pipeline_id`, ...).
    pub format: Option<String>,
    #[schemars(schema_with = "default_schema")]
    pub default: Option<Value>,
    /// The allowed values, when the field is a choice.
    pub options: Option<Vec<String>>,
    pub info: Option<String>,
}

/// `BaseFormSchemaItem.default_value`: a list, flag, text or whole number.
fn default_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({
        "anyOf": [{"type": "array"}, {"type": "boolean"}, {"type": "string"}, {"type": "integer"}, {"type": "null"}]
    })
}

pub fn fields(items: Vec<FormItem>) -> Vec<Field> {
    items
        .into_iter()
        .map(|i| Field {
            name: i.name,
            kind: i.kind,
            label: i.label,
            required: !i.optional,
            format: i.format,
            default: i.default_value.filter(|v| !v.is_null()),
            options: i.options.map(|o| o.into_iter().map(|o| o.value).collect()),
            info: i.info,
        })
        .collect()
}

/// A job an integration's tasks can run (`integrationJob` in a pipeline definition).
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Job {
    /// The `integrationJob` value, e.g. `DBT_CORE_EXECUTE`.
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub integration: String,
    /// The job's category, e.g. `Transformation`.
    pub category: String,
    pub status: String,
    /// The task's `parameters`.
    pub parameters: Vec<Field>,
    pub is_data_quality_test: bool,
    /// Outputs later tasks can reference.
    pub output_keys: Vec<String>,
}

pub fn job(j: IntegrationJob) -> Job {
    Job {
        id: j.id,
        name: j.display_name,
        description: j.description,
        integration: j.integration,
        category: j.kind,
        status: j.status,
        parameters: fields(j.job_schema),
        is_data_quality_test: j.is_data_quality_test.unwrap_or(false),
        output_keys: j.output_keys.unwrap_or_default(),
    }
}

/// A sensor check a pipeline's `sensors` can use.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Sensor {
    /// The check's id, e.g. `SNOWFLAKE_QUERY`.
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub integration: String,
    pub status: String,
    /// The sensor's settings.
    pub settings: Vec<Field>,
    pub output_keys: Vec<String>,
}

pub fn sensor(s: SensorCheck) -> Sensor {
    Sensor {
        id: s.id,
        name: s.display_name,
        description: s.description,
        integration: s.integration,
        status: s.status,
        settings: fields(s.sensor_schema),
        output_keys: s.output_keys,
    }
}

/// Statuses left out unless asked for: no longer offered, or not offered yet.
pub fn retired(status: &str) -> bool {
    matches!(status, "DEPRECATED" | "HIDDEN" | "ROADMAP")
}
