use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::list_task_runs::Integration;
use crate::api::Client;
use crate::args;
use crate::catalogue::Annotations;
use crate::wit::ToolError;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Args {
    /// The integration whose stored state to read, e.g. `DBT_CORE`.
    pub integration: Integration,
}

/// `StateItem`: when a resource was last brought up to date, its checksum, and when each
/// of its sources was last read.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
pub struct StateItem {
    pub last_updated: String,
    pub checksum: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sources: Option<BTreeMap<String, String>>,
}

/// `StateApiModel`.
#[derive(Debug, Deserialize)]
pub struct StateModel {
    #[serde(default)]
    pub state: BTreeMap<String, StateItem>,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Output {
    pub integration: String,
    /// The stored state by resource key, as Orchestra keeps it (its keys in snake_case).
    pub state: BTreeMap<String, StateItem>,
}

pub async fn read(client: &Client, integration: &str) -> Result<Output, ToolError> {
    let path = format!("/state/{}", args::encode_segment(integration));
    let model: StateModel = client.get_json("GET /state/{integration}", &path).await?;
    Ok(Output { integration: integration.to_string(), state: model.state })
}

pub async fn run(client: Client, args: Args) -> Result<Output, ToolError> {
    read(&client, args.integration.0.trim()).await
}

super::single_step_tool! {
    name: "get_integration_state",
    title: "Get an integration's stored state",
    toolset: "state",
    annotations: Annotations { read_only: true, destructive: false, idempotent: true, open_world: true },
    opt_in: true,
    args: Args,
    output: Output,
    run: run,
}
