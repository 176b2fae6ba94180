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
use serde_json::{Value, json};

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
                p.storage.repository.as_ref() == Some(repository) && p.storage.yaml_path == *yaml_path
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

/// `PipelineResponse`. The API sends `schedule`, `sensors`, `webhook` and `triggerEvents`
/// as JSON-encoded strings, and so does the fake.
pub fn pipeline_json(p: &Pipeline, runs: &[PipelineRun]) -> Value {
    let latest = runs.iter().find(|r| r.pipeline_id == p.id);
    let field = |key: &str, empty: Value| p.definition.get(key).cloned().unwrap_or(empty);
    json!({
        "id": p.id, "name": p.name(), "numTasks": p.tasks().len(), "yamlPath": p.storage.yaml_path,
        "createdAt": p.created_at, "updatedAt": p.updated_at, "paused": false,
        "triggerEvents": "[]", "webhook": field("webhook", json!({})).to_string(),
        "schedule": field("schedule", json!([])).to_string(), "sensors": field("sensors", json!({})).to_string(),
        "inputs": field("inputs", json!({})),
        "productId": null, "productName": null,
        "latestVersionNumber": p.latest_version_number, "publishedVersionNumber": p.published_version_number,
        "storageProvider": p.storage.provider, "repository": p.storage.repository, "defaultBranch": p.storage.default_branch,
        "alias": p.alias,
        "latestRunId": latest.map(|r| &r.id), "latestRunStatus": latest.map(|r| &r.run_status),
        "latestRunMessage": latest.map(|r| &r.message), "latestRunCreatedAt": latest.map(|r| &r.created_at),
        "latestRunCompletedAt": latest.and_then(|r| r.completed_at.as_ref()), "latestRunStartedAt": latest.and_then(|r| r.started_at.as_ref()),
    })
}

/// `PipelineModel`: the definition, camelCase as the API converts it (parameters keep
/// their own keys).
pub fn definition_json(p: &Pipeline) -> Value {
    p.definition.clone()
}
