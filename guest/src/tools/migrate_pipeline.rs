use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::json;

use super::saved_pipeline::{Saved, saved};
use crate::api::Client;
use crate::api::models::{Pipeline, SavedPipeline};
use crate::args::{self, GitProvider, PipelineRef};
use crate::tool::Annotations;
use crate::wit::ToolError;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Args {
    pub pipeline_id_or_alias: PipelineRef,
    pub git_provider: GitProvider,
    #[schemars(length(min = 1, max = 512))]
    pub repository: String,
    #[schemars(length(min = 1, max = 1024))]
    pub yaml_path: String,
    #[schemars(length(min = 1, max = 255))]
    pub default_branch: String,
    /// Commit to this branch.
    #[serde(default)]
    pub working_branch: Option<String>,
}

pub async fn run(client: Client, args: Args) -> Result<Saved, ToolError> {
    let selector = args::query(&args::pipeline_selector(Some(&args.pipeline_id_or_alias), None, None)?);
    args::not_blank(&[
        ("repository", &args.repository),
        ("yaml_path", &args.yaml_path),
        ("default_branch", &args.default_branch),
    ])?;
    let mut body = json!({
        "path": args.yaml_path.trim(),
        "repository": args.repository.trim(),
        "storageProvider": args::wire(&args.git_provider),
        "defaultBranch": args.default_branch.trim(),
    });
    // The official clients leave the working branch out when it is the default branch.
    if let Some(branch) =
        args.working_branch.as_deref().map(str::trim).filter(|b| !b.is_empty() && *b != args.default_branch.trim())
    {
        body["workingBranch"] = json!(branch);
    }
    let path = format!("/pipelines/storage-settings{selector}");
    let answer: Option<SavedPipeline> = client.patch_json("PATCH /pipelines/storage-settings", &path, &body).await?;
    let answer = match answer {
        Some(answer) => answer,
        // The API may answer with an empty body; the pipeline's new settings are read back.
        None => {
            let pipeline: Pipeline = client.get_json("GET /pipeline", &format!("/pipeline{selector}")).await?;
            SavedPipeline {
                data: None,
                current_version_number: None,
                new_commit_sha: None,
                latest_file_sha: None,
                pipeline,
            }
        }
    };
    Ok(saved(&client, answer))
}

super::single_step_tool! {
    name: "migrate_pipeline",
    title: "Move a pipeline's definition into git",
    toolset: "pipelines",
    annotations: Annotations { read_only: false, destructive: false, idempotent: true, open_world: true },
    opt_in: true,
    args: Args,
    output: Saved,
    run: run,
}
