//! Resource templates: documents an agent or a user can attach by URI. Each read is a
//! composition of tool calls, so it carries the same checks, limits and result budget.

use serde_json::{Value, json};

use crate::api::Client;
use crate::args;
use crate::catalogue;
use crate::error::invalid;
use crate::wit::{ResourceContents, ResourceTemplate, ToolError};

const SCHEME: &str = "orchestra://";

fn template(uri: &str, name: &str, title: &str, description: &str, mime: &str) -> ResourceTemplate {
    ResourceTemplate {
        uri_template: format!("{SCHEME}{uri}"),
        name: name.into(),
        title: title.into(),
        description: description.into(),
        mime_type: mime.into(),
    }
}

pub fn templates() -> Vec<ResourceTemplate> {
    vec![
        template(
            "pipelines/{pipeline}/definition",
            "pipeline_definition",
            "Pipeline definition",
            "A pipeline's definition (by id or alias), with its tasks flattened and the integrations it uses.",
            "application/json",
        ),
        template(
            "pipeline-runs/{pipeline_run_id}/summary",
            "pipeline_run_summary",
            "Pipeline run summary",
            "One pipeline run: its status, message, times and lineage link, and its task runs with their statuses \
             and messages.",
            "application/json",
        ),
        template(
            "pipeline-runs/{pipeline_run_id}/task-runs/{task_run_id}/log",
            "task_run_log",
            "Task run log",
            "The end of a task run's newest log (the last 16 KiB), as text.",
            "text/plain",
        ),
    ]
}

/// The variables of a URI template, in order.
pub fn variables(uri_template: &str) -> Vec<&str> {
    uri_template.split('{').skip(1).filter_map(|part| part.split('}').next()).collect()
}

pub async fn read(client: Client, uri: &str) -> Result<ResourceContents, ToolError> {
    let not_ours = || {
        let known: Vec<String> = templates().into_iter().map(|t| t.uri_template).collect();
        invalid("uri", format!("{uri:?} matches no resource template; templates: {}", known.join(", ")))
    };
    let path = uri.strip_prefix(SCHEME).ok_or_else(not_ours)?;
    let parts: Vec<&str> = path.split('/').collect();
    let (mime, text) = match parts.as_slice() {
        ["pipelines", pipeline, "definition"] => {
            let reference = args::pipeline_id_or_alias("pipeline", pipeline)?;
            let out =
                catalogue::run_to_end(&client, "get_pipeline_definition", json!({"pipeline_id_or_alias": reference}))
                    .await?;
            ("application/json", out.to_string())
        }
        ["pipeline-runs", run, "summary"] => {
            let run = args::uuid("pipeline_run_id", run)?;
            let summary = catalogue::run_to_end(&client, "get_pipeline_run", json!({"pipeline_run_id": run})).await?;
            let tasks = catalogue::run_to_end(&client, "list_task_runs", json!({"pipeline_run_id": run})).await?;
            ("application/json", json!({"run": summary, "taskRuns": tasks}).to_string())
        }
        ["pipeline-runs", run, "task-runs", task, "log"] => {
            let ids = json!({"pipeline_run_id": args::uuid("pipeline_run_id", run)?,
                             "task_run_id": args::uuid("task_run_id", task)?});
            let out = catalogue::run_to_end(&client, "get_task_run_log", ids).await?;
            let text = out.get("content").and_then(Value::as_str).unwrap_or_default().to_string();
            ("text/plain", text)
        }
        _ => return Err(not_ours()),
    };
    Ok(ResourceContents { uri: uri.to_string(), mime_type: mime.to_string(), text })
}
