use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use serde_json::json;

use super::create_environment::{EnvironmentValue, checked_values, typed_values};
use crate::api::Client;
use crate::api::models::Environment;
use crate::args;
use crate::error::unexpected;
use crate::tool::Annotations;
use crate::wit::ToolError;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Args {
    /// Name or id.
    #[schemars(length(min = 1, max = 255))]
    pub environment: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub values: BTreeMap<String, EnvironmentValue>,
    #[serde(default)]
    pub remove_values: Vec<String>,
    /// Replace all variables with `values`.
    #[serde(default)]
    pub replace_values: bool,
    #[serde(default)]
    pub make_default: bool,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Output {
    pub environment: Environment,
    /// What changed, by variable name.
    pub changes: Vec<String>,
}

pub async fn run(client: Client, args: Args) -> Result<Output, ToolError> {
    let found = super::get_environment::run(
        client.clone(),
        super::get_environment::Args { environment: args.environment.clone() },
    )
    .await?
    .environment;
    let id = args::uuid("environment", &found.environment_id)?;
    // The API replaces values wholesale and needs every field, so the update is built on the current state.
    let current = typed_values(found.values.as_ref())?;
    let mut values = if args.replace_values { BTreeMap::new() } else { current.clone() };
    values.extend(args.values.clone());
    for name in &args.remove_values {
        values.remove(name);
    }
    let same =
        |a: &EnvironmentValue, b: &EnvironmentValue| serde_json::to_value(a).ok() == serde_json::to_value(b).ok();
    let mut changes: Vec<String> = values
        .iter()
        .filter(|(k, v)| !current.get(*k).is_some_and(|c| same(c, v)))
        .map(|(k, _)| format!("{k} set"))
        .collect();
    changes.extend(current.keys().filter(|k| !values.contains_key(*k)).map(|k| format!("{k} removed")));
    let name = args.name.as_deref().map(str::trim).filter(|n| !n.is_empty()).unwrap_or(&found.name).to_string();
    if name != found.name {
        changes.push(format!("renamed from {} to {name}", found.name));
    }
    if args.make_default && !found.default_env {
        changes.push("made the default environment".into());
    }
    let body = json!({
        "name": name,
        "values": checked_values(&values)?,
        "defaultEnv": found.default_env || args.make_default,
    });
    let environment = client
        .patch_json("PATCH /environments/{environment_id}", &format!("/environments/{id}"), &body)
        .await?
        .ok_or_else(|| {
            unexpected("PATCH /environments/{environment_id}: Orchestra answered without the environment")
        })?;
    Ok(Output { environment, changes })
}

super::single_step_tool! {
    name: "update_environment",
    title: "Update an environment",
    toolset: "environments",
    annotations: Annotations { read_only: false, destructive: false, idempotent: true, open_world: true },
    opt_in: true,
    args: Args,
    output: Output,
    run: run,
}
