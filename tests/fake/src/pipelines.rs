//! Pipeline definitions: `GET /pipelines`, `GET /pipeline` and `GET /pipelines/data`, with
//! the spec's selector rule (exactly one of `pipeline_id`, `alias`, or `repository` with
//! `yaml_path`) and its answers: `PipelineResponse` with `schedule`, `sensors`, `webhook`
//! and `triggerEvents` as JSON *strings*, and the definition as a `PipelineModel`.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use crate::Shared;
use crate::api::{detail, invalid, ok, world};
use crate::ids::is_uuid;
use crate::model::{Pipeline, PipelineRun};

type Answer = Result<Response, Response>;

pub async fn list_pipelines(State(shared): State<Arc<Shared>>) -> Json<Vec<Value>> {
    let w = world(&shared);
    Json(w.seed.pipelines.iter().map(|p| pipeline_json(p, &w.seed.runs)).collect())
}

pub async fn get_pipeline(State(shared): State<Arc<Shared>>, Query(q): Query<HashMap<String, String>>) -> Answer {
    let w = world(&shared);
    let pipeline = select(&w.seed.pipelines, &q)?;
    ok(pipeline_json(pipeline, &w.seed.runs))
}

pub async fn get_pipeline_data(State(shared): State<Arc<Shared>>, Query(q): Query<HashMap<String, String>>) -> Answer {
    let w = world(&shared);
    let pipeline = select(&w.seed.pipelines, &q)?;
    ok(definition_json(pipeline))
}

/// `DELETE /pipelines?pipeline_id=|alias=|repository=&yaml_path=`: 204, and the pipeline
/// with its runs is gone.
pub async fn delete_pipeline(State(shared): State<Arc<Shared>>, Query(q): Query<HashMap<String, String>>) -> Answer {
    let mut w = world(&shared);
    let id = select(&w.seed.pipelines, &q)?.id.clone();
    w.seed.pipelines.retain(|p| p.id != id);
    w.seed.runs.retain(|r| r.pipeline_id != id);
    w.seed.task_runs.retain(|t| t.pipeline_id != id);
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Applies the selector rule, then `version` (a version that does not exist is 404).
fn select<'a>(pipelines: &'a [Pipeline], q: &HashMap<String, String>) -> Result<&'a Pipeline, Response> {
    let by_id = q.get("pipeline_id");
    let by_alias = q.get("alias");
    let by_path = match (q.get("repository"), q.get("yaml_path")) {
        (Some(repository), Some(yaml_path)) => Some((repository, yaml_path)),
        (None, None) => None,
        _ => return Err(detail(StatusCode::BAD_REQUEST, "repository and yaml_path must be given together")),
    };
    let given = [by_id.is_some(), by_alias.is_some(), by_path.is_some()].iter().filter(|g| **g).count();
    if given != 1 {
        return Err(detail(
            StatusCode::BAD_REQUEST,
            "Provide exactly one selector: pipeline_id, alias, or repository and yaml_path",
        ));
    }
    if let Some(id) = by_id
        && !is_uuid(id)
    {
        return Err(invalid(&["query", "pipeline_id"], "Input should be a valid UUID", "uuid_parsing", json!(id)));
    }
    let found = pipelines.iter().find(|p| {
        by_id.is_some_and(|id| p.id.eq_ignore_ascii_case(id))
            || by_alias.is_some_and(|alias| p.alias == *alias)
            || by_path.is_some_and(|(repository, yaml_path)| {
                p.repository == Some(repository.as_str()) && yaml_path_of(p) == *yaml_path
            })
    });
    let Some(pipeline) = found else {
        return Err(detail(StatusCode::NOT_FOUND, "Pipeline not found"));
    };
    if let Some(version) = q.get("version") {
        match version.parse::<i64>() {
            Ok(v) if (1..=pipeline.latest_version_number).contains(&v) => {}
            Ok(v) => return Err(detail(StatusCode::NOT_FOUND, &format!("Pipeline version {v} not found"))),
            Err(_) => {
                return Err(invalid(
                    &["query", "version"],
                    "Input should be a valid integer, unable to parse string as an integer",
                    "int_parsing",
                    json!(version),
                ));
            }
        }
    }
    Ok(pipeline)
}

fn yaml_path_of(p: &Pipeline) -> String {
    format!("pipelines/{}.yml", p.alias)
}

fn schedule(p: &Pipeline) -> Value {
    match &p.cron {
        Some(cron) => json!([{"name": "default", "cron": cron, "timezone": "UTC"}]),
        None => json!([]),
    }
}

/// `PipelineResponse`. The API sends `schedule`, `sensors`, `webhook` and `triggerEvents`
/// as JSON-encoded strings, and so does the fake.
pub fn pipeline_json(p: &Pipeline, runs: &[PipelineRun]) -> Value {
    let latest = runs.iter().find(|r| r.pipeline_id == p.id);
    json!({
        "id": p.id, "name": p.name, "numTasks": p.tasks.len(), "yamlPath": yaml_path_of(p),
        "createdAt": p.created_at, "updatedAt": p.created_at, "paused": false,
        "triggerEvents": "[]", "webhook": "{\"enabled\": false}", "schedule": schedule(p).to_string(), "sensors": "{}",
        "inputs": inputs(p),
        "productId": null, "productName": null,
        "latestVersionNumber": p.latest_version_number, "publishedVersionNumber": p.latest_version_number,
        "storageProvider": p.storage_provider, "repository": p.repository, "defaultBranch": p.repository.map(|_| "main"),
        "alias": p.alias,
        "latestRunId": latest.map(|r| &r.id), "latestRunStatus": latest.map(|r| &r.run_status),
        "latestRunMessage": latest.map(|r| &r.message), "latestRunCreatedAt": latest.map(|r| &r.created_at),
        "latestRunCompletedAt": latest.and_then(|r| r.completed_at.as_ref()), "latestRunStartedAt": latest.and_then(|r| r.started_at.as_ref()),
    })
}

fn inputs(p: &Pipeline) -> Map<String, Value> {
    p.required_inputs
        .iter()
        .map(|i| (i.to_string(), json!({"type": "string", "default": null, "optional": false})))
        .collect()
}

/// `PipelineModel`: the definition, camelCase as the API converts it (parameters keep
/// their own keys). All tasks sit in one task group.
pub fn definition_json(p: &Pipeline) -> Value {
    let tasks: Map<String, Value> = p
        .tasks
        .iter()
        .map(|t| {
            let parameters = match t.integration {
                "DBT_CORE" => json!({"commands": "dbt build", "target": "prod"}),
                "SNOWFLAKE" => json!({"statement": "call snapshot_ledger()", "warehouse": "FINANCE_WH"}),
                "PYTHON" => json!({"command": "python load.py --campaign ${{ inputs.campaign }}"}),
                _ => json!({}),
            };
            let task = json!({
                "integration": t.integration, "integrationJob": t.job, "name": t.name,
                "parameters": parameters, "dependsOn": t.depends_on,
            });
            (t.task_id.to_string(), task)
        })
        .collect();
    json!({
        "version": "v1",
        "name": p.name,
        "pipeline": {"main": {"tasks": tasks, "name": "Main", "dependsOn": []}},
        "schedule": schedule(p),
        "inputs": inputs(p),
        "configuration": {"retries": 1, "retryDelay": 60},
        "webhook": {"enabled": false},
    })
}
