use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::api::Client;
use crate::api::models::Pipeline;
use crate::args::{self, PipelineRef};
use crate::tool::Annotations;
use crate::wit::ToolError;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Args {
    /// The pipeline's id (UUID) or alias. Or give `repository` and `yaml_path` instead.
    #[serde(default)]
    pub pipeline_id_or_alias: Option<PipelineRef>,
    /// The git repository of a git-backed pipeline (with `yaml_path`).
    #[serde(default)]
    pub repository: Option<String>,
    /// The definition's path in `repository`.
    #[serde(default)]
    pub yaml_path: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Output {
    pub deleted: bool,
    pub pipeline_id: String,
    pub name: String,
    pub alias: Option<String>,
}

pub async fn run(client: Client, args: Args) -> Result<Output, ToolError> {
    let selector = args::pipeline_selector(
        args.pipeline_id_or_alias.as_ref(),
        args.repository.as_deref(),
        args.yaml_path.as_deref(),
    )?;
    // Read it first: the answer names what was deleted, and a wrong name fails before any delete.
    let pipeline: Pipeline = client.get_json("GET /pipeline", &format!("/pipeline{}", args::query(&selector))).await?;
    let by_id = args::query(&[("pipeline_id", Some(args::uuid("pipeline_id", &pipeline.id)?))]);
    client.delete("DELETE /pipelines", &format!("/pipelines{by_id}")).await?;
    Ok(Output { deleted: true, pipeline_id: pipeline.id, name: pipeline.name, alias: pipeline.alias })
}

super::single_step_tool! {
    name: "delete_pipeline",
    title: "Delete a pipeline",
    toolset: "pipelines",
    annotations: Annotations { read_only: false, destructive: true, idempotent: true, open_world: true },
    opt_in: true,
    args: Args,
    output: Output,
    run: run,
}
