use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::list_task_runs::Integration;
use crate::api::Client;
use crate::error::{invalid, unexpected};
use crate::tool::Annotations;
use crate::wit::ToolError;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Args {
    /// Lineage edges to add, at most 100 a call.
    #[schemars(length(min = 1, max = 100))]
    pub edges: Vec<Edge>,
}

/// `upstream` feeds `downstream`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Edge {
    /// The upstream asset's external id.
    #[schemars(length(min = 1, max = 512))]
    pub upstream: String,
    /// The downstream asset's external id.
    #[schemars(length(min = 1, max = 512))]
    pub downstream: String,
    /// How the one feeds the other, e.g. `dbt model ref`.
    #[schemars(length(min = 1, max = 1000))]
    pub detail: String,
    /// The integration that knows of the edge. Default: `ORCHESTRA`.
    #[serde(default)]
    pub integration: Option<Integration>,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Output {
    /// Edges asked for.
    pub requested: usize,
    /// Edges Orchestra added (one already present is not added again).
    pub created: u64,
}

#[derive(Debug, Deserialize)]
struct Created {
    created: u64,
}

pub async fn run(client: Client, args: Args) -> Result<Output, ToolError> {
    let mut dependencies = Vec::with_capacity(args.edges.len());
    for (i, edge) in args.edges.iter().enumerate() {
        let (upstream, downstream) = (edge.upstream.trim(), edge.downstream.trim());
        if upstream == downstream {
            return Err(invalid(&format!("edges/{i}"), "an asset cannot feed itself"));
        }
        let mut dependency = json!({"fromId": upstream, "toId": downstream, "lineageDetail": edge.detail});
        if let Some(integration) = &edge.integration {
            dependency["integration"] = json!(integration.0.trim());
        }
        dependencies.push(dependency);
    }
    let answer: Created = client
        .post_json("POST /assets/dependencies", "/assets/dependencies", &json!({ "dependencies": dependencies }))
        .await?
        .ok_or_else(|| unexpected("POST /assets/dependencies: Orchestra answered without a count"))?;
    Ok(Output { requested: args.edges.len(), created: answer.created })
}

super::single_step_tool! {
    name: "add_asset_dependencies",
    title: "Add lineage between assets",
    toolset: "assets",
    annotations: Annotations { read_only: false, destructive: false, idempotent: true, open_world: true },
    opt_in: true,
    args: Args,
    output: Output,
    run: run,
}
