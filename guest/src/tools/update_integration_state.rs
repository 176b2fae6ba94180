use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::get_integration_state::{StateEntry, StateItem, read};
use super::list_task_runs::Integration;
use crate::api::Client;
use crate::args;
use crate::error::invalid;
use crate::tool::Annotations;
use crate::wit::ToolError;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Args {
    /// The integration whose state to change, e.g. `DBT_CORE`.
    pub integration: Integration,
    /// Entries to set, by resource key: `last_updated` (RFC 3339) and `checksum`, and
    /// optionally `sources` (source name → RFC 3339 time). Other keys are kept.
    pub state: BTreeMap<String, StateItem>,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Output {
    pub integration: String,
    /// The keys this call set.
    pub updated: Vec<String>,
    /// The whole stored state afterwards, read back.
    pub state: BTreeMap<String, StateEntry>,
}

fn check_time(field: &str, text: &str) -> Result<(), ToolError> {
    text.parse::<jiff::Timestamp>()
        .map(|_| ())
        .map_err(|_| invalid(field, format!("{text:?} is not an RFC 3339 time such as 2026-11-20T02:00:00Z")))
}

pub async fn run(client: Client, args: Args) -> Result<Output, ToolError> {
    let integration = args.integration.0.trim().to_string();
    if args.state.is_empty() {
        return Err(invalid("state", "give at least one entry to set"));
    }
    for (key, item) in &args.state {
        check_time(&format!("state/{key}/last_updated"), &item.last_updated)?;
        for (source, time) in item.sources.iter().flatten() {
            check_time(&format!("state/{key}/sources/{source}"), time)?;
        }
    }
    let path = format!("/state/{}", args::encode_segment(&integration));
    // The answer's shape is not documented; the state is read back instead.
    let _: Option<serde_json::Value> =
        client.patch_json("PATCH /state/{integration}", &path, &json!({ "state": args.state })).await?;
    let now = read(&client, &integration).await?;
    Ok(Output { integration, updated: args.state.into_keys().collect(), state: now.state })
}

super::single_step_tool! {
    name: "update_integration_state",
    title: "Update an integration's stored state",
    toolset: "state",
    annotations: Annotations { read_only: false, destructive: false, idempotent: true, open_world: true },
    opt_in: true,
    args: Args,
    output: Output,
    run: run,
}
