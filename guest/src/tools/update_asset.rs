use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::asset_details::AssetDetails;
use super::get_asset::asset_path;
use crate::api::Client;
use crate::api::models::Asset;
use crate::error::{invalid, unexpected};
use crate::tool::Annotations;
use crate::wit::ToolError;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Args {
    /// The asset's Orchestra id (UUID) or external id.
    #[schemars(length(min = 1, max = 512))]
    pub asset_id: String,
    /// The details to set; those not given stay as they are.
    pub details: AssetDetails,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Output {
    pub asset: Asset,
    /// The fields this call set.
    pub updated: Vec<String>,
}

pub async fn run(client: Client, args: Args) -> Result<Output, ToolError> {
    let path = asset_path("asset_id", &args.asset_id)?;
    let body = args.details.wire()?;
    if body.is_empty() {
        return Err(invalid("details", "set at least one detail (description, owners, url, ...)"));
    }
    let updated = body.keys().cloned().collect();
    let asset = client
        .patch_json("PATCH /assets/{asset_id}", &path, &Value::Object(body))
        .await?
        .ok_or_else(|| unexpected("PATCH /assets/{asset_id}: Orchestra answered without the asset"))?;
    Ok(Output { asset, updated })
}

super::single_step_tool! {
    name: "update_asset",
    title: "Update an asset's details",
    toolset: "assets",
    annotations: Annotations { read_only: false, destructive: false, idempotent: true, open_world: true },
    opt_in: true,
    args: Args,
    output: Output,
    run: run,
}
