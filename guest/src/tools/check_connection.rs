use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::api::models::{Account, Environment, PipelineRun};
use crate::api::{Client, is_wrong_base_url};
use crate::tool::READ;
use crate::wit::ToolError;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Args {}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Output {
    /// The Orchestra API this server calls.
    pub api: String,
    /// Something answered at the base URL.
    pub reachable: bool,
    /// The base URL answers like Orchestra's API; false when a path every Orchestra API
    /// has is missing there (a 404 that is not Orchestra's), which means a wrong base URL.
    pub api_found: bool,
    /// Orchestra's health answer as text, when it gave one.
    pub health: Option<String>,
    /// Whether Orchestra accepted the API key for an authenticated read; absent when
    /// Orchestra could not be reached.
    pub key_accepted: Option<bool>,
    /// The workspace the key belongs to (Platform API), when Orchestra named it.
    pub workspace: Option<Account>,
    /// The workspace's environments, which also show which workspace the key belongs to.
    pub environments: Vec<String>,
    /// Whether run history (the Metadata API: runs, task runs, logs) is readable with this
    /// key; absent when the key was not accepted.
    pub metadata_api: Option<bool>,
    /// What went wrong, each with what to do about it. Empty when all is well.
    pub problems: Vec<String>,
}

/// The error as one line, with the client's hint when it has one.
fn problem(error: &ToolError) -> String {
    let hint = match error {
        ToolError::Upstream(u) => u.hint.clone(),
        _ => None,
    };
    match hint {
        Some(hint) => format!("{}: {hint}", super::summary(error)),
        None => super::summary(error),
    }
}

/// Orchestra answered, even if with an error status.
fn answered(error: &ToolError) -> bool {
    matches!(error, ToolError::Upstream(_) | ToolError::UnexpectedResponse(_))
}

pub async fn run(client: Client, _args: Args) -> Result<Output, ToolError> {
    let mut out = Output {
        api: client.base().to_string(),
        reachable: false,
        api_found: false,
        health: None,
        key_accepted: None,
        workspace: None,
        environments: Vec::new(),
        metadata_api: None,
        problems: Vec::new(),
    };
    match client.public().get_json::<Value>("GET /health", "/health").await {
        Ok(health) => {
            out.reachable = true;
            out.health = Some(crate::shape::bounded(&health.to_string(), 500));
        }
        Err(e) if is_wrong_base_url(&e) => {
            out.reachable = true;
            out.problems.push(problem(&e));
            return Ok(out);
        }
        Err(e) if answered(&e) => out.reachable = true,
        Err(e) => {
            out.problems.push(problem(&e));
            return Ok(out);
        }
    }
    match client.get_json::<Vec<Environment>>("GET /environments", "/environments").await {
        Ok(environments) => {
            out.api_found = true;
            out.key_accepted = Some(true);
            out.environments = environments.into_iter().map(|e| e.name).collect();
        }
        // No key: nothing was sent, so nothing is known about a key.
        Err(e @ ToolError::EgressDenied(_)) => {
            out.api_found = true;
            out.problems.push(problem(&e));
            return Ok(out);
        }
        Err(e) => {
            out.api_found = !is_wrong_base_url(&e);
            out.key_accepted = out.api_found.then_some(!matches!(&e, ToolError::Upstream(u) if u.status == 401));
            out.problems.push(problem(&e));
            return Ok(out);
        }
    }
    match client.get_platform_json::<Vec<Account>>("GET /public/v1/accounts", "/accounts").await {
        Ok(accounts) => out.workspace = accounts.into_iter().next(),
        Err(e) => out.problems.push(format!("the workspace's name could not be read: {}", problem(&e))),
    }
    // One run of the last day is enough to tell whether run history is readable.
    let now = super::now();
    let path = format!(
        "/pipeline_runs{}",
        crate::args::query(&[
            ("time_from", Some(crate::args::format_time(now - jiff::SignedDuration::from_hours(24)))),
            ("time_to", Some(crate::args::format_time(now))),
        ])
    );
    match client.get_pages::<PipelineRun>("GET /pipeline_runs", &path, 1, 1).await {
        Ok(_) => out.metadata_api = Some(true),
        Err(e) => {
            out.metadata_api = Some(!matches!(&e, ToolError::Upstream(u) if u.status == 403));
            out.problems.push(problem(&e));
        }
    }
    Ok(out)
}

super::single_step_tool! {
    name: "check_connection",
    title: "Check the connection to Orchestra",
    toolset: "account",
    annotations: READ,
    args: Args,
    output: Output,
    run: run,
}
