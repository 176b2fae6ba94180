use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::api::Client;
use crate::args;
use crate::tool::Annotations;
use crate::wit::ToolError;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Args {
    /// The environment to delete: its name (any case) or id.
    #[schemars(length(min = 1, max = 255))]
    pub environment: String,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Output {
    pub deleted: bool,
    pub environment_id: String,
    pub name: String,
}

pub async fn run(client: Client, args: Args) -> Result<Output, ToolError> {
    // The list names every environment, so one request finds it by name or id.
    let found = super::get_environment::resolve(&client, &args.environment).await?;
    let id = args::uuid("environment", &found.environment_id)?;
    client.delete("DELETE /environments/{environment_id}", &format!("/environments/{id}")).await?;
    Ok(Output { deleted: true, environment_id: found.environment_id, name: found.name })
}

super::single_step_tool! {
    name: "delete_environment",
    title: "Delete an environment",
    toolset: "environments",
    annotations: Annotations { read_only: false, destructive: true, idempotent: true, open_world: true },
    opt_in: true,
    args: Args,
    output: Output,
    run: run,
}
