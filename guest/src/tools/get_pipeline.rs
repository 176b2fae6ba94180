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
    /// The pipeline's id (UUID) or alias. Or give `repository` and `yaml_path` instead.
    #[serde(default)]
    pub pipeline_id_or_alias: Option<PipelineRef>,
    /// The git repository of a git-backed pipeline (with `yaml_path`), e.g. `acme/data-pipelines`.
    #[serde(default)]
    pub repository: Option<String>,
    /// The definition's path in `repository`, e.g. `pipelines/finance_close.yml`.
    #[serde(default)]
    pub yaml_path: Option<String>,
    /// A version number of the pipeline (drafts included). Default: the published version.
    #[serde(default)]
    #[schemars(range(min = 1))]
    pub version: Option<u32>,
    /// A branch of a git-backed pipeline.
    #[serde(default)]
    pub branch: Option<String>,
    /// A commit SHA of a git-backed pipeline.
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
