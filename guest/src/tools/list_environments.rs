use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::api::Client;
use crate::api::models::Environment;
use crate::tool::READ;
use crate::wit::ToolError;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Args {}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Output {
    /// The workspace's environments (without their values; `get_environment` has them).
    pub environments: Vec<Environment>,
    /// The environment a start uses when it names none.
    pub default_environment: Option<String>,
}

pub async fn run(client: Client, _args: Args) -> Result<Output, ToolError> {
    let environments: Vec<Environment> = client.get_json("GET /environments", "/environments").await?;
    let default_environment = environments.iter().find(|e| e.default_env).map(|e| e.name.clone());
    Ok(Output { environments, default_environment })
}

super::single_step_tool! {
    name: "list_environments",
    title: "List environments",
    toolset: "environments",
    annotations: READ,
    args: Args,
    output: Output,
    run: run,
}
