use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::api::Client;
use crate::api::models::Environment;
use crate::args;
use crate::catalogue::READ;
use crate::error::invalid;
use crate::wit::ToolError;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Args {
    /// The environment's name (e.g. `Production`, any case) or id (UUID).
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
    let wanted = wanted.trim();
    environments
        .iter()
        .find(|e| e.name.eq_ignore_ascii_case(wanted) || e.environment_id.eq_ignore_ascii_case(wanted))
        .cloned()
        .ok_or_else(|| {
            let names: Vec<&str> = environments.iter().map(|e| e.name.as_str()).collect();
            invalid(
                "environment",
                format!("no environment is named {wanted:?}; the workspace has: {}", names.join(", ")),
            )
        })
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
