use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::api::Client;
use crate::api::models::Environment;
use crate::args;
use crate::error::invalid;
use crate::tool::READ;
use crate::wit::ToolError;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Args {
    /// Name or id.
    #[schemars(length(min = 1, max = 255))]
    pub environment: String,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Output {
    /// The environment with its variables (`values`: name → `{type, value}`).
    pub environment: Environment,
}

/// Finds an environment by name (any case) or id, or says which ones exist.
pub async fn resolve(client: &Client, wanted: &str) -> Result<Environment, ToolError> {
    let environments: Vec<Environment> = client.get_json("GET /environments", "/environments").await?;
    lookup(&environments, "environment", wanted).cloned()
}

/// The environment named (or with the id) `wanted`, or an error for `field` listing the names.
fn lookup<'a>(environments: &'a [Environment], field: &str, wanted: &str) -> Result<&'a Environment, ToolError> {
    let wanted = wanted.trim();
    environments
        .iter()
        .find(|e| e.name.eq_ignore_ascii_case(wanted) || e.environment_id.eq_ignore_ascii_case(wanted))
        .ok_or_else(|| {
            let names: Vec<&str> = environments.iter().map(|e| e.name.as_str()).collect();
            invalid(field, format!("no environment is named {wanted:?}; the workspace has: {}", names.join(", ")))
        })
}

/// The ids of `wanted` environments, each a name or an id; the environments are read once,
/// and only when a name needs looking up. `field` names the argument in errors.
pub async fn ids(client: &Client, field: &str, wanted: &[String]) -> Result<Vec<String>, ToolError> {
    if wanted.iter().all(|w| args::uuid(field, w).is_ok()) {
        return wanted.iter().map(|w| args::uuid(field, w)).collect();
    }
    let environments: Vec<Environment> = client.get_json("GET /environments", "/environments").await?;
    wanted
        .iter()
        .enumerate()
        .map(|(i, w)| args::uuid(field, &lookup(&environments, &format!("{field}/{i}"), w)?.environment_id))
        .collect()
}

pub async fn run(client: Client, args: Args) -> Result<Output, ToolError> {
    let id = match args::uuid("environment", &args.environment) {
        Ok(id) => id,
        Err(_) => resolve(&client, &args.environment).await?.environment_id,
    };
    let id = args::uuid("environment", &id)?;
    let environment = client.get_json("GET /environments/{environment_id}", &format!("/environments/{id}")).await?;
    Ok(Output { environment })
}

super::single_step_tool! {
    name: "get_environment",
    title: "Get an environment",
    toolset: "environments",
    annotations: READ,
    args: Args,
    output: Output,
    run: run,
}
