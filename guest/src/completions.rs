//! Completions (MCP `completion/complete`): values for the prompts' arguments and the
//! resource templates' variables, matching what has been typed. Each is one tool call
//! (so it carries the tools' checks and shaping), bounded to the values a client can show.

use serde_json::{Map, Value, json};

use crate::api::Client;
use crate::catalogue;
use crate::error::invalid;
use crate::wit::{Completion, CompletionRequest, CompletionTarget, ToolError};
use crate::{args, prompts, resources};

/// The most values one answer lists (MCP's limit).
const MAX_VALUES: usize = 100;

/// The windows `triage` suggests; any the tools accept may be typed.
const WINDOWS: [&str; 7] = ["24h", "12h", "6h", "1h", "3d", "7d", "yesterday"];

/// Where an argument's values come from.
enum Source {
    Windows,
    EnvironmentNames,
    Pipelines,
    /// Recent pipeline runs, only failed ones when `failed`.
    Runs {
        failed: bool,
    },
    /// The task runs of the pipeline run given in the context.
    TaskRuns,
}

/// Which arguments can be completed, and from what.
fn source(target: &CompletionTarget, argument: &str) -> Result<Source, ToolError> {
    let unknown_argument = |of: &str, arguments: &[&str]| {
        invalid("argument", format!("{of} has no argument {argument:?}; its arguments: {}", arguments.join(", ")))
    };
    match target {
        CompletionTarget::Prompt(name) => match (name.as_str(), argument) {
            ("triage", "window") => Ok(Source::Windows),
            ("triage", "environment") => Ok(Source::EnvironmentNames),
            ("fix_failed_run", "pipeline_run_id") => Ok(Source::Runs { failed: true }),
            (name, _) => match prompts::all().into_iter().find(|p| p.name == name) {
                Some(prompt) => {
                    let names: Vec<&str> = prompt.arguments.iter().map(|a| a.name.as_str()).collect();
                    Err(unknown_argument(&format!("the prompt {name}"), &names))
                }
                None => {
                    let names: Vec<String> = prompts::all().into_iter().map(|p| p.name).collect();
                    Err(invalid("ref", format!("no prompt is named {name:?}; prompts: {}", names.join(", "))))
                }
            },
        },
        CompletionTarget::ResourceTemplate(uri) => {
            let templates = resources::templates();
            let Some(template) = templates.iter().find(|t| t.uri_template == *uri) else {
                let known: Vec<&str> = templates.iter().map(|t| t.uri_template.as_str()).collect();
                return Err(invalid(
                    "ref",
                    format!("no resource template is {uri:?}; templates: {}", known.join(", ")),
                ));
            };
            match (template.name.as_str(), argument) {
                ("pipeline_definition", "pipeline") => Ok(Source::Pipelines),
                ("pipeline_run_summary" | "task_run_log", "pipeline_run_id") => Ok(Source::Runs { failed: false }),
                ("task_run_log", "task_run_id") => Ok(Source::TaskRuns),
                _ => Err(unknown_argument(&format!("the template {uri}"), &resources::variables(uri))),
            }
        }
    }
}

pub async fn complete(client: Client, request: CompletionRequest) -> Result<Completion, ToolError> {
    let source = source(&request.target, &request.argument)?;
    let context: Map<String, Value> = serde_json::from_str(&request.context).unwrap_or_default();
    let candidates = match source {
        Source::Windows => WINDOWS.iter().map(|w| w.to_string()).collect(),
        Source::EnvironmentNames => {
            let out = catalogue::run_to_end(&client, "list_environments", json!({})).await?;
            strings(&out["environments"], "name")
        }
        Source::Pipelines => {
            let out = catalogue::run_to_end(&client, "list_pipelines", json!({})).await?;
            let pipelines = out["pipelines"].as_array().cloned().unwrap_or_default();
            // The alias a person types, then the id, for each pipeline.
            let field = |p: &Value, key: &str| p.get(key).and_then(Value::as_str).map(str::to_string);
            pipelines.iter().flat_map(|p| [field(p, "alias"), field(p, "id")]).flatten().collect()
        }
        Source::Runs { failed } => {
            let mut arguments = json!({"limit": MAX_VALUES});
            if failed {
                arguments["status"] = json!(["FAILED"]);
            }
            let out = catalogue::run_to_end(&client, "list_pipeline_runs", arguments).await?;
            strings(&out["runs"], "id")
        }
        Source::TaskRuns => {
            // Without the run (or with a half-typed one) there is nothing to list yet.
            let run = context.get("pipeline_run_id").and_then(Value::as_str).unwrap_or_default();
            let Ok(run) = args::uuid("pipeline_run_id", run) else { return Ok(matching(Vec::new(), "")) };
            let out = catalogue::run_to_end(&client, "list_task_runs", json!({"pipeline_run_id": run})).await?;
            let mut task_runs = out["taskRuns"].as_array().cloned().unwrap_or_default();
            // A failed task's log is the one usually wanted.
            task_runs.sort_by_key(|t| t["status"] != "FAILED");
            strings(&Value::Array(task_runs), "id")
        }
    };
    Ok(matching(candidates, &request.value))
}

/// `key` of each object in `list`.
fn strings(list: &Value, key: &str) -> Vec<String> {
    let items = list.as_array().map(Vec::as_slice).unwrap_or_default();
    items.iter().filter_map(|item| item.get(key).and_then(Value::as_str)).map(str::to_string).collect()
}

/// The candidates that start with what was typed, then those that contain it (ignoring
/// case), each once, in their order, at most `MAX_VALUES`.
fn matching(candidates: Vec<String>, typed: &str) -> Completion {
    let typed = typed.trim().to_lowercase();
    let mut values: Vec<String> = Vec::new();
    let (starting, containing): (Vec<_>, Vec<_>) = candidates
        .into_iter()
        .filter(|c| c.to_lowercase().contains(&typed))
        .partition(|c| c.to_lowercase().starts_with(&typed));
    for value in starting.into_iter().chain(containing) {
        if !values.contains(&value) {
            values.push(value);
        }
    }
    let total = values.len();
    values.truncate(MAX_VALUES);
    Completion { values, total: u32::try_from(total).ok(), has_more: total > MAX_VALUES }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_that_start_with_the_text_come_first_each_once() {
        let candidates = ["Staging", "Production", "prod-eu", "Production"].map(String::from).to_vec();
        let completion = matching(candidates, "Prod");
        assert_eq!(completion.values, ["Production", "prod-eu"]);
        assert_eq!((completion.total, completion.has_more), (Some(2), false));
        let many = (0..150).map(|i| format!("run-{i}")).collect();
        let completion = matching(many, "run");
        assert_eq!((completion.values.len(), completion.total, completion.has_more), (100, Some(150), true));
        assert_eq!(matching(WINDOWS.map(String::from).to_vec(), "h").values, ["24h", "12h", "6h", "1h"]);
    }

    #[test]
    fn every_prompt_argument_and_template_variable_has_a_source() {
        for prompt in prompts::all() {
            for argument in &prompt.arguments {
                let target = CompletionTarget::Prompt(prompt.name.clone());
                assert!(source(&target, &argument.name).is_ok(), "{} {}", prompt.name, argument.name);
            }
            assert!(source(&CompletionTarget::Prompt(prompt.name.clone()), "nope").is_err());
        }
        for template in resources::templates() {
            let variables = resources::variables(&template.uri_template);
            assert!(!variables.is_empty());
            for variable in variables {
                let target = CompletionTarget::ResourceTemplate(template.uri_template.clone());
                assert!(source(&target, variable).is_ok(), "{} {variable}", template.uri_template);
            }
        }
        assert!(source(&CompletionTarget::Prompt("nope".into()), "window").is_err());
    }
}
