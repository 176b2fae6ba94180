use schemars::JsonSchema;
use serde::Serialize;
use serde_json::{Map, Value};

use super::get_pipeline::{Args, query};
use crate::api::Client;
use crate::tool::READ;
use crate::wit::ToolError;

/// One task of the definition, flattened out of its task group.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TaskSummary {
    /// The task id, as task runs report it in `taskId`.
    pub task_id: String,
    pub name: Option<String>,
    pub integration: Option<String>,
    pub integration_job: Option<String>,
    /// Task ids (or group ids) this task waits for.
    pub depends_on: Vec<String>,
    /// The task group the task belongs to.
    pub group: String,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Output {
    /// The pipeline definition (`PipelineModel`), as Orchestra stores it (camelCase).
    pub definition: Map<String, Value>,
    /// Every task in the definition, with what it runs and waits for.
    pub tasks: Vec<TaskSummary>,
    /// The integrations the tasks use, without repeats.
    pub integrations: Vec<String>,
}

/// Walks `pipeline` (task groups holding tasks, or tasks at the top) into task summaries.
pub fn tasks_of(definition: &Map<String, Value>) -> Vec<TaskSummary> {
    task_nodes(definition).into_iter().map(|(id, task, group)| task_summary(id, task, group)).collect()
}

/// Every task of a definition as (task id, task, group id): the tasks of each task group,
/// and nodes at the top of `pipeline` that are tasks themselves (their own group).
pub fn task_nodes(definition: &Map<String, Value>) -> Vec<(&str, &Value, &str)> {
    let mut tasks = Vec::new();
    let Some(nodes) = definition.get("pipeline").and_then(Value::as_object) else { return tasks };
    for (node_id, node) in nodes {
        match node.get("tasks").and_then(Value::as_object) {
            Some(group) => tasks.extend(group.iter().map(|(id, task)| (id.as_str(), task, node_id.as_str()))),
            None => tasks.push((node_id.as_str(), node, node_id.as_str())),
        }
    }
    tasks
}

fn task_summary(id: &str, task: &Value, group: &str) -> TaskSummary {
    let text = |key: &str| task.get(key).and_then(Value::as_str).map(str::to_string);
    TaskSummary {
        task_id: id.to_string(),
        name: text("name"),
        integration: text("integration"),
        integration_job: text("integrationJob"),
        depends_on: task
            .get("dependsOn")
            .and_then(Value::as_array)
            .map(|d| d.iter().filter_map(Value::as_str).map(str::to_string).collect())
            .unwrap_or_default(),
        group: group.to_string(),
    }
}

pub fn integrations_of(tasks: &[TaskSummary]) -> Vec<String> {
    let mut integrations: Vec<String> = Vec::new();
    for integration in tasks.iter().filter_map(|t| t.integration.clone()) {
        if !integrations.contains(&integration) {
            integrations.push(integration);
        }
    }
    integrations
}

pub async fn run(client: Client, args: Args) -> Result<Output, ToolError> {
    let definition: Map<String, Value> =
        client.get_json("GET /pipelines/data", &format!("/pipelines/data{}", query(&args)?)).await?;
    let tasks = tasks_of(&definition);
    Ok(Output { integrations: integrations_of(&tasks), tasks, definition })
}

super::single_step_tool! {
    name: "get_pipeline_definition",
    title: "Get a pipeline's definition",
    toolset: "pipelines",
    annotations: READ,
    args: Args,
    output: Output,
    run: run,
}
