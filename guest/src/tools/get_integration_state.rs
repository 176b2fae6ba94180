use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::list_task_runs::Integration;
use crate::api::Client;
use crate::args;
use crate::tool::Annotations;
use crate::wit::ToolError;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Args {
    /// The integration whose stored state to read, e.g. `DBT_CORE`.
    pub integration: Integration,
}

/// `StateItem`: when a resource was last brought up to date, its checksum, and when each
/// of its sources was last read. snake_case, as the API reads and writes it and as tool
/// arguments are spelt.
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

/// A `StateItem` in a result, camelCase like every other result field.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct StateEntry {
    pub last_updated: String,
    pub checksum: String,
    /// When each source was last read, by source name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sources: Option<BTreeMap<String, String>>,
}

impl From<StateItem> for StateEntry {
    fn from(item: StateItem) -> Self {
        Self { last_updated: item.last_updated, checksum: item.checksum, sources: item.sources }
    }
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Output {
    pub integration: String,
    /// The stored state by resource key (the keys are Orchestra's own).
    pub state: BTreeMap<String, StateEntry>,
}

pub async fn read(client: &Client, integration: &str) -> Result<Output, ToolError> {
    let path = format!("/state/{}", args::encode_segment(integration));
    let model: StateModel = client.get_json("GET /state/{integration}", &path).await?;
    let state = model.state.into_iter().map(|(key, item)| (key, item.into())).collect();
    Ok(Output { integration: integration.to_string(), state })
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
