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
    /// How to act in the others, when there are several and the tools take no `account_id`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

pub async fn run(client: Client, _args: Args) -> Result<Output, ToolError> {
    let accounts: Vec<Account> = client.get_platform_json("GET /public/v1/accounts", "/accounts").await?;
    let note = (accounts.len() > 1 && !crate::args::account_argument()).then(|| {
        format!(
            "These credentials can act in {} accounts; the tools act in the server's (ORCHESTRA_ACCOUNT_ID, else the \
             key's own). To pick one per call, restart the server with ORCHESTRA_ACCOUNT_ARGUMENT=true: every tool \
             then takes an `account_id`.",
            accounts.len()
        )
    });
    Ok(Output { accounts, note })
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
