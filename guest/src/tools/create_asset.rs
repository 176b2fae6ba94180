use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::asset_details::AssetDetails;
use super::list_assets::{AssetStatus, AssetType};
use super::list_task_runs::Integration;
use crate::api::Client;
use crate::api::models::Asset;
use crate::args;
use crate::error::unexpected;
use crate::tool::Annotations;
use crate::wit::ToolError;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Args {
    /// The asset's name, e.g. `orders`.
    #[schemars(length(min = 1, max = 512))]
    pub asset_name: String,
    /// The asset's id in its own tool, unique in the workspace, e.g. `ANALYTICS.MARTS.ORDERS`.
    #[schemars(length(min = 1, max = 512))]
    pub external_id: String,
    /// The integration the asset lives in, e.g. `SNOWFLAKE`.
    pub integration: Integration,
    /// The account of that tool, e.g. the Snowflake account identifier.
    #[schemars(length(min = 1, max = 512))]
    pub integration_account_id: String,
    /// Default: `UNKNOWN`.
    #[serde(default)]
    pub asset_type: Option<AssetType>,
    #[serde(default)]
    pub status: Option<AssetStatus>,
    /// The tool's own name for the asset's type, e.g. `DYNAMIC_TABLE`.
    #[serde(default)]
    pub integration_asset_type: Option<String>,
    /// Description, owners, location, metadata and times.
    #[serde(default)]
    pub details: AssetDetails,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Output {
    pub asset: Asset,
}

pub async fn run(client: Client, args: Args) -> Result<Output, ToolError> {
    let mut body = args.details.wire()?;
    body.insert("assetName".into(), json!(args.asset_name.trim()));
    body.insert("externalId".into(), json!(args.external_id.trim()));
    body.insert("integration".into(), json!(args.integration.0.trim()));
    body.insert("integrationAccountId".into(), json!(args.integration_account_id.trim()));
    if let Some(kind) = &args.asset_type {
        body.insert("assetType".into(), json!(args::wire(kind)));
    }
    if let Some(status) = &args.status {
        body.insert("status".into(), json!(args::wire(status)));
    }
    if let Some(kind) = args.integration_asset_type {
        body.insert("integrationAssetType".into(), json!(kind));
    }
    let asset = client
        .post_json("POST /assets", "/assets", &Value::Object(body))
        .await?
        .ok_or_else(|| unexpected("POST /assets: Orchestra answered without the asset"))?;
    Ok(Output { asset })
}

super::single_step_tool! {
    name: "create_asset",
    title: "Register an asset",
    toolset: "assets",
    annotations: Annotations { read_only: false, destructive: false, idempotent: false, open_world: true },
    opt_in: true,
    args: Args,
    output: Output,
    run: run,
}
