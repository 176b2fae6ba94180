use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::api::Client;
use crate::api::models::Asset;
use crate::args;
use crate::error::invalid;
use crate::tool::READ;
use crate::wit::ToolError;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Args {
    /// Orchestra id or external id.
    #[schemars(length(min = 1, max = 512))]
    pub asset_id: String,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Output {
    /// Everything Orchestra returns for the asset.
    pub asset: Asset,
}

/// The path of one asset, by Orchestra id or external id, checked.
pub fn asset_path(field: &str, asset_id: &str) -> Result<String, ToolError> {
    let id = asset_id.trim();
    if id.is_empty() || id.len() > 512 || id.chars().any(char::is_control) {
        return Err(invalid(
            field,
            "expected an asset id or external id (at most 512 characters, no control characters)",
        ));
    }
    // External ids may hold dots and slashes: encoded, they stay one path segment.
    Ok(format!("/assets/{}", args::encode_segment(id)))
}

pub async fn run(client: Client, args: Args) -> Result<Output, ToolError> {
    let asset = client.get_json("GET /assets/{asset_id}", &asset_path("asset_id", &args.asset_id)?).await?;
    Ok(Output { asset })
}

super::single_step_tool! {
    name: "get_asset",
    title: "Get an asset",
    toolset: "assets",
    annotations: READ,
    args: Args,
    output: Output,
    run: run,
}
