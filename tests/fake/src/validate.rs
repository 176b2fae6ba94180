//! `POST /pipelines/schema`: validates a pipeline definition (`PipelineModel`) the way the
//! API does, with no key needed: 422 with FastAPI's `detail` list, whose `loc` points into
//! the document, or 200 with a message (and the canonical camelCase document when
//! `canonicalize=true`). The YAML's snake_case keys are accepted and converted.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use crate::api::ok;
use crate::integrations::INTEGRATIONS;

type Answer = Result<Response, Response>;

/// FastAPI's `detail` items, each `loc` starting where the definition sits in the request.
struct Problems<'a> {
    at: &'a [&'a str],
    found: Vec<Value>,
}

impl Problems<'_> {
    fn add(&mut self, loc: &[&str], msg: &str, kind: &str) {
        let path: Vec<Value> = self.at.iter().chain(loc).map(|p| json!(p)).collect();
        self.found.push(json!({"loc": path, "msg": msg, "type": kind}));
    }
}

/// snake_case → camelCase for a key of the definition (not inside `parameters`/`inputs`).
pub fn camel(key: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in key.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// Converts field names to camelCase. Ids (the keys of `pipeline` and `tasks`) stay as
/// written, and the contents of `parameters` and `inputs` are left alone.
fn canonical(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let key = camel(k);
                    let v = match key.as_str() {
                        "parameters" | "inputs" => v.clone(),
                        "pipeline" | "tasks" => ids_kept(v),
                        _ => canonical(v),
                    };
                    (key, v)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(canonical).collect()),
        other => other.clone(),
    }
}

/// A map keyed by ids: the keys stay, the values are canonical.
fn ids_kept(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(map.iter().map(|(k, v)| (k.clone(), canonical(v))).collect()),
        other => canonical(other),
    }
}

fn check_node(id: &str, node: &Value, ids: &[String], problems: &mut Problems, loc: &[&str]) {
    let Some(node) = node.as_object() else {
        problems.add(loc, "Input should be a valid dictionary", "dict_type");
        return;
    };
    if let Some(tasks) = node.get("tasks") {
        let Some(tasks) = tasks.as_object() else {
            problems.add(&[loc, &["tasks"]].concat(), "Input should be a valid dictionary", "dict_type");
            return;
        };
        for (task_id, task) in tasks {
            check_node(task_id, task, ids, problems, &[loc, &["tasks", task_id]].concat());
        }
    } else {
        match node.get("integration").and_then(Value::as_str) {
            None => problems.add(&[loc, &["integration"]].concat(), "Field required", "missing"),
            Some(i) if !INTEGRATIONS.contains(&i) => problems.add(
                &[loc, &["integration"]].concat(),
                &format!("Input should be a valid integration, got {i:?}"),
                "enum",
            ),
            Some(_) => {}
        }
        if !node.get("integrationJob").is_some_and(Value::is_string) {
            problems.add(&[loc, &["integrationJob"]].concat(), "Field required", "missing");
        }
        if !node.get("parameters").is_some_and(Value::is_object) {
            problems.add(&[loc, &["parameters"]].concat(), "Field required", "missing");
        }
    }
    for dependency in node.get("dependsOn").and_then(Value::as_array).into_iter().flatten() {
        let name = dependency.as_str().unwrap_or_default();
        if !ids.iter().any(|i| i == name) || name == id {
            problems.add(
                &[loc, &["dependsOn"]].concat(),
                &format!("Value error, depends on {name:?}, which is not a task or group of this pipeline"),
                "value_error",
            );
        }
    }
}

/// Every task and group id of the definition.
fn ids_of(pipeline: &Map<String, Value>) -> Vec<String> {
    let mut ids = Vec::new();
    for (id, node) in pipeline {
        ids.push(id.clone());
        if let Some(tasks) = node.get("tasks").and_then(Value::as_object) {
            ids.extend(tasks.keys().cloned());
        }
    }
    ids
}

pub async fn validate_pipeline(Query(q): Query<HashMap<String, String>>, body: Bytes) -> Answer {
    let Ok(document) = serde_json::from_slice::<Value>(&body) else {
        return Err(unprocessable(vec![json!({"loc": ["body"], "msg": "JSON decode error", "type": "json_invalid"})]));
    };
    let document = check(&document, &["body"]).map_err(unprocessable)?;
    let canonicalize = q.get("canonicalize").is_some_and(|v| v == "true");
    if canonicalize {
        ok(json!({"message": "Pipeline schema is valid", "pipeline": document}))
    } else {
        ok(json!({"message": "Pipeline schema is valid"}))
    }
}

/// Checks a definition (`PipelineModel`) that sits at `at` in the request. Returns its
/// canonical form, or the `detail` items of a 422.
pub fn check(document: &Value, at: &[&str]) -> Result<Value, Vec<Value>> {
    let document = canonical(document);
    let mut problems = Problems { at, found: Vec::new() };
    let Some(root) = document.as_object() else {
        problems.add(&[], "Input should be a valid dictionary", "dict_type");
        return Err(problems.found);
    };
    if root.get("version").and_then(Value::as_str) != Some("v1") {
        problems.add(&["version"], "Input should be 'v1'", "literal_error");
    }
    match root.get("name").and_then(Value::as_str) {
        None => problems.add(&["name"], "Field required", "missing"),
        Some(n) if n.is_empty() || n.chars().count() > 100 => {
            problems.add(&["name"], "String should have between 1 and 100 characters", "string_too_long")
        }
        Some(_) => {}
    }
    match root.get("pipeline").and_then(Value::as_object) {
        None => problems.add(&["pipeline"], "Field required", "missing"),
        Some(pipeline) if pipeline.is_empty() => {
            problems.add(&["pipeline"], "A pipeline needs at least one task", "value_error")
        }
        Some(pipeline) => {
            let ids = ids_of(pipeline);
            for (id, node) in pipeline {
                check_node(id, node, &ids, &mut problems, &["pipeline", id]);
            }
        }
    }
    if problems.found.is_empty() { Ok(document) } else { Err(problems.found) }
}

pub fn unprocessable(detail: Vec<Value>) -> Response {
    (StatusCode::UNPROCESSABLE_ENTITY, axum::Json(json!({ "detail": detail }))).into_response()
}
