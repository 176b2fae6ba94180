use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::api::Client;
use crate::api::models::Account;
use crate::tool::READ;
use crate::wit::ToolError;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Args {}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Output {
    /// The workspaces these credentials can act on: an API key sees its own only.
    pub accounts: Vec<Account>,
}

pub async fn run(client: Client, _args: Args) -> Result<Output, ToolError> {
    Ok(Output { accounts: client.get_platform_json("GET /public/v1/accounts", "/accounts").await? })
}

super::single_step_tool! {
    name: "list_accounts",
    title: "List accounts",
    toolset: "account",
    annotations: READ,
    args: Args,
    output: Output,
    run: run,
}
