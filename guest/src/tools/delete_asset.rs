use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::get_asset::asset_path;
use crate::api::Client;
use crate::api::models::Asset;
use crate::tool::Annotations;
use crate::wit::ToolError;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Args {
    /// The asset's Orchestra id (UUID) or external id.
    #[schemars(length(min = 1, max = 512))]
    pub asset_id: String,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Output {
    pub deleted: bool,
    pub asset_id: String,
    pub external_id: String,
    pub asset_name: String,
}

pub async fn run(client: Client, args: Args) -> Result<Output, ToolError> {
    let path = asset_path("asset_id", &args.asset_id)?;
    // Read it first: the answer names what was deleted, and a wrong id fails before any delete.
    let asset: Asset = client.get_json("GET /assets/{asset_id}", &path).await?;
    client.delete("DELETE /assets/{asset_id}", &asset_path("asset_id", &asset.asset_id)?).await?;
    Ok(Output { deleted: true, asset_id: asset.asset_id, external_id: asset.external_id, asset_name: asset.asset_name })
}

super::single_step_tool! {
    name: "delete_asset",
    title: "Delete an asset",
    toolset: "assets",
    annotations: Annotations { read_only: false, destructive: true, idempotent: true, open_world: true },
    opt_in: true,
    args: Args,
    output: Output,
    run: run,
}
