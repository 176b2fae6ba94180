use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::json;

use super::saved_pipeline::{Saved, saved};
use crate::api::Client;
use crate::api::models::{Pipeline, SavedPipeline};
use crate::args::{self, Alias, GitProvider};
use crate::error::unexpected;
use crate::tool::Annotations;
use crate::wit::ToolError;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Args {
    pub git_provider: GitProvider,
    #[schemars(length(min = 1, max = 512))]
    pub repository: String,
    #[schemars(length(min = 1, max = 1024))]
    pub yaml_path: String,
    #[schemars(length(min = 1, max = 255))]
    pub default_branch: String,
    /// Read the file from this branch.
    #[serde(default)]
    pub working_branch: Option<String>,
    #[serde(default)]
    pub alias: Option<Alias>,
}

pub async fn run(client: Client, args: Args) -> Result<Saved, ToolError> {
    args::not_blank(&[
        ("repository", &args.repository),
        ("yaml_path", &args.yaml_path),
        ("default_branch", &args.default_branch),
    ])?;
    let mut body = json!({
        "storageProvider": args::wire(&args.git_provider),
        "repository": args.repository.trim(),
        "yamlPath": args.yaml_path.trim(),
        "defaultBranch": args.default_branch.trim(),
    });
    if let Some(branch) = args.working_branch.as_deref().map(str::trim).filter(|b| !b.is_empty()) {
        body["workingBranch"] = json!(branch);
    }
    if let Some(alias) = &args.alias {
        body["alias"] = json!(args::pipeline_id_or_alias("alias", &alias.0)?);
    }
    let mut answer: SavedPipeline = client
        .post_json("POST /pipelines/import", "/pipelines/import", &body)
        .await?
        .ok_or_else(|| unexpected("POST /pipelines/import: Orchestra answered without the pipeline"))?;
    // The import answer leaves out the alias, which agents need to name the pipeline later; read it back.
    if answer.pipeline.alias.is_none() {
        let id = args::uuid("id", &answer.pipeline.id)?;
        let pipeline: Pipeline = client.get_json("GET /pipeline", &format!("/pipeline?pipeline_id={id}")).await?;
        answer.pipeline.alias = pipeline.alias;
    }
    Ok(saved(&client, answer))
}

super::single_step_tool! {
    name: "import_pipeline",
    title: "Import a pipeline from git",
    toolset: "pipelines",
    annotations: Annotations { read_only: false, destructive: false, idempotent: false, open_world: true },
    opt_in: true,
    args: Args,
    output: Saved,
    run: run,
}
