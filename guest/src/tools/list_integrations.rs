use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::integration_catalogue::retired;
use crate::api::Client;
use crate::api::models::IntegrationInfo;
use crate::tool::READ;
use crate::wit::ToolError;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Args {
    #[serde(default)]
    pub name_contains: Option<String>,
    /// E.g. `Warehouse`, `Ingestion`.
    #[serde(default)]
    pub category: Option<String>,
    #[serde(default)]
    pub include_retired: bool,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Output {
    pub integrations: Vec<Summary>,
    /// How many the catalogue holds in all, before filters.
    pub catalogue_size: usize,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    /// The `integration` value of tasks and connections, e.g. `SNOWFLAKE`.
    pub id: String,
    pub name: String,
    /// `RELEASE`, `BETA`, `ALPHA`, `COMMUNITY`, ...
    pub status: String,
    /// Job categories.
    pub categories: Vec<String>,
    /// One of Orchestra's most used integrations.
    pub top: bool,
    pub docs_url: Option<String>,
}

pub async fn run(client: Client, args: Args) -> Result<Output, ToolError> {
    let all: Vec<IntegrationInfo> = client.get_json("GET /integrations/", "/integrations/").await?;
    let catalogue_size = all.len();
    let needle = args.name_contains.as_deref().map(|n| n.trim().to_lowercase()).filter(|n| !n.is_empty());
    let category = args.category.as_deref().map(|c| c.trim().to_lowercase()).filter(|c| !c.is_empty());
    let integrations = all
        .into_iter()
        .filter(|i| args.include_retired || !retired(&i.status))
        .filter(|i| {
            needle.as_ref().is_none_or(|n| i.id.to_lowercase().contains(n) || i.display_name.to_lowercase().contains(n))
        })
        .filter(|i| category.as_ref().is_none_or(|c| i.job_types.iter().any(|t| t.to_lowercase() == *c)))
        .map(|i| Summary {
            id: i.id,
            name: i.display_name,
            status: i.status,
            categories: i.job_types,
            top: i.top,
            docs_url: i.setup_docs_url,
        })
        .collect();
    Ok(Output { integrations, catalogue_size })
}

super::single_step_tool! {
    name: "list_integrations",
    title: "List integrations Orchestra supports",
    toolset: "integrations",
    annotations: READ,
    args: Args,
    output: Output,
    run: run,
}
