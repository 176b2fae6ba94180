use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::saved_pipeline::{Saved, at_definition, saved};
use crate::api::Client;
use crate::api::models::SavedPipeline;
use crate::args::{self, Alias, GitProvider};
use crate::error::{invalid, unexpected};
use crate::tool::Annotations;
use crate::wit::ToolError;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Args {
    /// Letters, digits, `_`; works wherever an id does.
    pub alias: Alias,
    /// The pipeline YAML's content (`version`, `name`, `pipeline`, ...).
    pub definition: Map<String, Value>,
    /// Make it the live version for schedules and starts; `false` saves a draft.
    pub published: bool,
    /// Commit to git (with `repository`, `yaml_path`, `default_branch`).
    #[serde(default)]
    pub git_provider: Option<GitProvider>,
    #[serde(default)]
    pub repository: Option<String>,
    #[serde(default)]
    pub yaml_path: Option<String>,
    #[serde(default)]
    pub default_branch: Option<String>,
    #[serde(default)]
    pub working_branch: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
}

/// `PublicCreatePipelineRequest`, camelCase.
fn body(args: Args) -> Result<Value, ToolError> {
    let mut body = json!({
        "alias": args::pipeline_id_or_alias("alias", &args.alias.0)?,
        "data": args.definition,
        "published": args.published,
    });
    match args.git_provider {
        None => {
            for (field, given) in [
                ("repository", args.repository.is_some()),
                ("yaml_path", args.yaml_path.is_some()),
                ("default_branch", args.default_branch.is_some()),
                ("working_branch", args.working_branch.is_some()),
            ] {
                if given {
                    return Err(invalid(field, "applies to git-backed pipelines only: set git_provider too"));
                }
            }
        }
        Some(provider) => {
            let need = |field: &str, value: Option<String>| match value.filter(|v| !v.trim().is_empty()) {
                Some(v) => Ok(v),
                None => Err(invalid(field, "a git-backed pipeline needs repository, yaml_path and default_branch")),
            };
            body["storageProvider"] = json!(args::wire(&provider));
            body["repository"] = json!(need("repository", args.repository)?);
            body["yamlPath"] = json!(need("yaml_path", args.yaml_path)?);
            body["defaultBranch"] = json!(need("default_branch", args.default_branch)?);
            if let Some(branch) = args.working_branch {
                body["workingBranch"] = json!(branch);
            }
        }
    }
    if let Some(message) = args.message {
        body["message"] = json!(message);
    }
    Ok(body)
}

pub async fn run(client: Client, args: Args) -> Result<Saved, ToolError> {
    let body = body(args)?;
    let answer: SavedPipeline = client
        .post_json("POST /pipelines", "/pipelines", &body)
        .await
        .map_err(at_definition)?
        .ok_or_else(|| unexpected("POST /pipelines: Orchestra answered without the pipeline"))?;
    Ok(saved(&client, answer))
}

super::single_step_tool! {
    name: "create_pipeline",
    title: "Create a pipeline",
    toolset: "pipelines",
    annotations: Annotations { read_only: false, destructive: false, idempotent: false, open_world: true },
    args: Args,
    output: Saved,
    run: run,
}
