use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use crate::api::Client;
use crate::api::models::Environment;
use crate::error::{invalid, unexpected};
use crate::tool::Annotations;
use crate::wit::ToolError;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Args {
    #[schemars(length(min = 1, max = 255))]
    pub name: String,
    #[serde(default)]
    pub values: BTreeMap<String, EnvironmentValue>,
}

/// One variable's value: a type and a value of that type.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EnvironmentValue {
    #[serde(rename = "type")]
    pub kind: ValueType,
    /// A string, an integer or a boolean, matching `type`; a connection id for `integration_credential`.
    pub value: Literal,
}

/// A variable's value as JSON: a boolean, an integer or a string.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum Literal {
    Bool(bool),
    Int(i64),
    Text(String),
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ValueType {
    String,
    Int,
    Bool,
    IntegrationCredential,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Output {
    pub environment: Environment,
}

/// Checks that each variable's value has its declared type before anything is sent.
pub fn checked_values(values: &BTreeMap<String, EnvironmentValue>) -> Result<Value, ToolError> {
    for (name, entry) in values {
        let fits = matches!(
            (entry.kind, &entry.value),
            (ValueType::String | ValueType::IntegrationCredential, Literal::Text(_))
                | (ValueType::Int, Literal::Int(_))
                | (ValueType::Bool, Literal::Bool(_))
        );
        if !fits {
            return Err(invalid(&format!("values/{name}"), "the value does not match its type"));
        }
    }
    serde_json::to_value(values).map_err(|e| ToolError::Internal(e.to_string()))
}

/// Reads the values Orchestra returned into the typed form, to merge into.
pub fn typed_values(values: Option<&Map<String, Value>>) -> Result<BTreeMap<String, EnvironmentValue>, ToolError> {
    let Some(values) = values else { return Ok(BTreeMap::new()) };
    serde_json::from_value(Value::Object(values.clone())).map_err(|e| {
        unexpected(format!("GET /environments/{{environment_id}}: values not in the documented shape: {e}"))
    })
}

pub async fn run(client: Client, args: Args) -> Result<Output, ToolError> {
    let body = json!({"name": args.name.trim(), "values": checked_values(&args.values)?});
    let environment = client
        .post_json("POST /environments", "/environments", &body)
        .await?
        .ok_or_else(|| unexpected("POST /environments: Orchestra answered without the new environment"))?;
    Ok(Output { environment })
}

super::single_step_tool! {
    name: "create_environment",
    title: "Create an environment",
    toolset: "environments",
    annotations: Annotations { read_only: false, destructive: false, idempotent: false, open_world: true },
    opt_in: true,
    args: Args,
    output: Output,
    run: run,
}
