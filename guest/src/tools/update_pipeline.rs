use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::get_pipeline_definition::task_nodes;
use super::saved_pipeline::{Saved, at_definition, saved};
use crate::api::Client;
use crate::api::models::SavedPipeline;
use crate::args::{self, PipelineRef};
use crate::error::unexpected;
use crate::tool::Annotations;
use crate::wit::ToolError;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Args {
    pub pipeline_id_or_alias: PipelineRef,
    /// The whole new definition.
    pub definition: Map<String, Value>,
    /// Make it the live version for schedules and starts; `false` saves a draft.
    pub published: bool,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Output {
    #[serde(flatten)]
    pub saved: Saved,
    /// How the new version differs from the one before: tasks added, removed or changed,
    /// and other top-level parts of the definition (schedule, inputs, ...) that changed.
    pub changes: Vec<String>,
}

pub async fn run(client: Client, args: Args) -> Result<Output, ToolError> {
    let params = args::pipeline_selector(Some(&args.pipeline_id_or_alias), None, None)?;
    let selector = args::query(&params);
    let (key, reference) = params.into_iter().next().unwrap_or_default();
    let by_id = key == "pipeline_id";
    // The definition before, to report what this version changes (and to fail on a wrong name before writing).
    let before: Map<String, Value> =
        client.get_json("GET /pipelines/data", &format!("/pipelines/data{selector}")).await?;
    // The spec's selector is `alias` in the query; an id travels as `pipelineId` in the body.
    let mut body = json!({ "data": args.definition, "published": args.published });
    let path = if by_id {
        body["pipelineId"] = json!(reference);
        "/pipelines".to_string()
    } else {
        format!("/pipelines{selector}")
    };
    let answer: SavedPipeline = client
        .put_json("PUT /pipelines", &path, &body)
        .await
        .map_err(at_definition)?
        .ok_or_else(|| unexpected("PUT /pipelines: Orchestra answered without the pipeline"))?;
    let changes = answer.data.as_ref().map(|after| changes(&before, after)).unwrap_or_default();
    Ok(Output { saved: saved(&client, answer), changes })
}

/// Every task of a definition by id, with its group (a move between groups is a change).
fn tasks(definition: &Map<String, Value>) -> BTreeMap<&str, (&Value, &str)> {
    task_nodes(definition).into_iter().map(|(id, task, group)| (id, (task, group))).collect()
}

/// What differs between two canonical definitions, tasks first.
fn changes(before: &Map<String, Value>, after: &Map<String, Value>) -> Vec<String> {
    let (old, new) = (tasks(before), tasks(after));
    let mut changes = Vec::new();
    for (id, task) in &new {
        match old.get(id) {
            None => changes.push(format!("task {id} added")),
            Some(previous) if previous != task => changes.push(format!("task {id} changed")),
            Some(_) => {}
        }
    }
    changes.extend(old.keys().filter(|id| !new.contains_key(*id)).map(|id| format!("task {id} removed")));
    let keys: std::collections::BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    for key in keys {
        if key == "pipeline" {
            // Tasks are reported above; here, the groups' own fields (name, dependsOn, ...).
            let groups = |d: &Map<String, Value>| -> Vec<(String, Value)> {
                let nodes = d.get("pipeline").and_then(Value::as_object).into_iter().flatten();
                nodes
                    .filter(|(_, node)| node.get("tasks").is_some())
                    .map(|(id, group)| {
                        let mut group = group.clone();
                        if let Some(group) = group.as_object_mut() {
                            group.remove("tasks");
                        }
                        (id.clone(), group)
                    })
                    .collect()
            };
            if groups(before) != groups(after) {
                changes.push("task groups changed".to_string());
            }
        } else if before.get(key) != after.get(key) {
            changes.push(format!("{key} changed"));
        }
    }
    changes
}

super::single_step_tool! {
    name: "update_pipeline",
    title: "Update a pipeline's definition",
    toolset: "pipelines",
    // Each call saves a new version, even with the same definition.
    annotations: Annotations { read_only: false, destructive: false, idempotent: false, open_world: true },
    args: Args,
    output: Output,
    run: run,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn definition(value: Value) -> Map<String, Value> {
        value.as_object().cloned().expect("an object")
    }

    #[test]
    fn changes_name_tasks_and_other_parts() {
        let before = definition(json!({
            "version": "v1", "name": "Daily",
            "pipeline": {"main": {"name": "Main", "tasks": {
                "a": {"integration": "PYTHON", "parameters": {"command": "a"}},
                "b": {"integration": "PYTHON", "parameters": {}},
            }}},
            "schedule": [],
        }));
        let after = definition(json!({
            "version": "v1", "name": "Daily",
            "pipeline": {"main": {"name": "Main", "tasks": {
                "a": {"integration": "PYTHON", "parameters": {"command": "a2"}},
                "c": {"integration": "DBT_CORE", "parameters": {}},
            }}},
            "schedule": [{"cron": "0 2 * * *"}],
        }));
        assert_eq!(changes(&before, &after), ["task a changed", "task c added", "task b removed", "schedule changed"]);
        assert!(changes(&before, &before).is_empty());
    }
}
