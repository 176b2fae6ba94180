use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::list_task_runs::Integration;
use crate::api::Client;
use crate::api::models::Connection;
use crate::args;
use crate::tool::READ;
use crate::wit::ToolError;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Args {
    #[serde(default)]
    pub integration: Option<Integration>,
    #[serde(default)]
    pub auth_status: Option<AuthStatus>,
}

// `AuthStatus` of the spec.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AuthStatus {
    Initiated,
    Validating,
    Failed,
    Succeeded,
    Deprecated,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Output {
    /// The connections (credentials are never included).
    pub connections: Vec<Connection>,
    /// Connections whose authentication FAILED: tasks using them will fail.
    pub failing: Vec<String>,
}

pub async fn run(client: Client, args: Args) -> Result<Output, ToolError> {
    let status = args.auth_status.as_ref().map(args::wire);
    let path = format!(
        "/integrations/connections{}",
        // The spec spells this parameter in camelCase.
        args::query(&[("integration", args.integration.map(|i| i.0)), ("authStatus", status)])
    );
    let connections: Vec<Connection> = client.get_json("GET /integrations/connections", &path).await?;
    let failing = connections.iter().filter(|c| c.auth_status == "FAILED").map(|c| c.connection_id.clone()).collect();
    Ok(Output { connections, failing })
}

super::single_step_tool! {
    name: "list_integration_connections",
    title: "List integration connections",
    toolset: "integrations",
    annotations: READ,
    args: Args,
    output: Output,
    run: run,
}
