use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::api::Client;
use crate::tool::READ;
use crate::wit::ToolError;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Args {}

/// `AzureFederatedCredentialsResponse`: the values an Azure app registration's federated
/// credential needs for Azure hybrid compute. Identifiers, not secrets.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Output {
    /// The federated credential's subject identifier.
    pub subject_id: String,
    /// The federated credential's audience.
    pub audience: String,
}

pub async fn run(client: Client, _args: Args) -> Result<Output, ToolError> {
    client
        .get_json(
            "GET /compute_resources/azure/federated_credentials",
            "/compute_resources/azure/federated_credentials",
        )
        .await
}

super::single_step_tool! {
    name: "get_azure_federated_credentials",
    title: "Get Azure federated credentials",
    toolset: "compute",
    annotations: READ,
    opt_in: true,
    args: Args,
    output: Output,
    run: run,
}
