use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::list_task_runs::Integration;
use crate::api::Client;
use crate::api::models::Asset;
use crate::args::{self, Id};
use crate::detail::{Detail, Item};
use crate::tool::READ;
use crate::wit::ToolError;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Args {
    #[serde(default)]
    pub asset_type: Vec<AssetType>,
    #[serde(default)]
    pub status: Vec<AssetStatus>,
    #[serde(default)]
    pub integration: Option<Integration>,
    #[serde(default)]
    pub database_name: Option<String>,
    #[serde(default)]
    pub schema_name: Option<String>,
    #[serde(default)]
    pub integration_account_id: Option<String>,
    #[serde(default)]
    pub workspace_id: Option<String>,
    #[serde(default)]
    pub asset_ids: Vec<Id>,
    /// Default: `created_in_integration`, newest first.
    #[serde(default)]
    pub sort_column: Option<SortColumn>,
    #[serde(default)]
    pub sort_direction: Option<SortDirection>,
    /// `full`: lineage, usage, freshness, every field.
    #[serde(default)]
    pub detail: Detail,
    #[serde(default = "default_limit")]
    #[schemars(range(min = 1, max = 1000))]
    pub limit: u32,
}

fn default_limit() -> u32 {
    100
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AssetType {
    Chart,
    Dashboard,
    DashboardViews,
    Dataset,
    Queries,
    Table,
    Unknown,
    View,
    Workbook,
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AssetStatus {
    Healthy,
    Unhealthy,
    Unknown,
    Warning,
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SortColumn {
    AssetName,
    AssetType,
    Status,
    Integration,
    CreatedInIntegration,
    LastUpdatedInIntegration,
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SortDirection {
    Asc,
    Desc,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Output {
    pub total: u64,
    pub returned: usize,
    /// True when `total` is larger than `returned`: raise `limit` or narrow the filters.
    pub truncated: bool,
    /// What the result leaves out and how to get it.
    pub notes: Vec<String>,
    pub assets: Vec<Item<Asset>>,
}

pub async fn run(client: Client, args: Args) -> Result<Output, ToolError> {
    let types: Vec<String> = args.asset_type.iter().map(args::wire).collect();
    let statuses: Vec<String> = args.status.iter().map(args::wire).collect();
    let text = |v: &Option<String>| v.clone().map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    let path = format!(
        "/assets{}",
        args::query(&[
            ("asset_type", args::csv(&types)),
            ("status", args::csv(&statuses)),
            ("integration", args.integration.as_ref().map(|i| i.0.clone())),
            ("database_name", text(&args.database_name)),
            ("schema_name", text(&args.schema_name)),
            ("integration_account_id", text(&args.integration_account_id)),
            ("workspace_id", text(&args.workspace_id)),
            ("asset_ids", args::csv(&args::uuids("asset_ids", &args.asset_ids)?)),
            ("sort_column", args.sort_column.as_ref().map(args::wire)),
            ("sort_direction", args.sort_direction.as_ref().map(args::wire)),
        ])
    );
    let limit = args.limit.clamp(1, 1000) as usize;
    let (assets, total) = client.get_pages::<Asset>("GET /assets", &path, limit.min(100) as u32, limit).await?;
    Ok(Output {
        total,
        returned: assets.len(),
        truncated: total > assets.len() as u64,
        notes: args.detail.note(&assets).into_iter().collect(),
        assets: args.detail.items(assets),
    })
}

super::single_step_tool! {
    name: "list_assets",
    title: "List assets",
    toolset: "assets",
    annotations: READ,
    args: Args,
    output: Output,
    run: run,
}
