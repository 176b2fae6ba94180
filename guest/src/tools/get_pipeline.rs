use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::api::Client;
use crate::api::models::Pipeline;
use crate::args::{self, PipelineRef};
use crate::tool::READ;
use crate::wit::ToolError;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Args {
    /// Or give `repository` and `yaml_path`.
    #[serde(default)]
    pub pipeline_id_or_alias: Option<PipelineRef>,
    #[serde(default)]
    pub repository: Option<String>,
    #[serde(default)]
    pub yaml_path: Option<String>,
    /// Default: the published one.
    #[serde(default)]
    #[schemars(range(min = 1))]
    pub version: Option<u32>,
    #[serde(default)]
    pub branch: Option<String>,
    #[serde(default)]
    pub commit: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Output {
    /// Everything Orchestra returns for the pipeline, JSON-string fields parsed.
    pub pipeline: Pipeline,
    /// The pipeline's page in the Orchestra UI.
    pub edit_url: String,
}

/// The selector and version query shared with `get_pipeline_definition`.
pub fn query(args: &Args) -> Result<String, ToolError> {
    let mut params = args::pipeline_selector(
        args.pipeline_id_or_alias.as_ref(),
        args.repository.as_deref(),
        args.yaml_path.as_deref(),
    )?;
    params.push(("version", args.version.map(|v| v.to_string())));
    params.push(("branch", args.branch.clone().filter(|b| !b.is_empty())));
    params.push(("commit", args.commit.clone().filter(|c| !c.is_empty())));
    Ok(args::query(&params))
}

pub async fn run(client: Client, args: Args) -> Result<Output, ToolError> {
    let pipeline: Pipeline = client.get_json("GET /pipeline", &format!("/pipeline{}", query(&args)?)).await?;
    Ok(Output { edit_url: client.pipeline_url(&pipeline.id), pipeline })
}

super::single_step_tool! {
    name: "get_pipeline",
    title: "Get a pipeline",
    toolset: "pipelines",
    annotations: READ,
    args: Args,
    output: Output,
    run: run,
}
