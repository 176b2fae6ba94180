//! Integration state: `GET /state/{integration}` and `PATCH /state/{integration}`
//! (`StateApiModel`: `{"state": {<key>: {last_updated, checksum, sources?}}}`). A PATCH
//! merges the given keys into the stored state and answers with the result. An
//! integration without stored state answers an empty `state`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::Response;
use serde_json::{Map, Value, json};

use crate::Shared;
use crate::api::{body_object, invalid, ok, world};
use crate::integrations::INTEGRATIONS;

type Answer = Result<Response, Response>;

fn known(integration: &str) -> Result<(), Response> {
    if INTEGRATIONS.contains(&integration) {
        Ok(())
    } else {
        Err(invalid(
            &["path", "integration"],
            "Input should be a valid IntegrationsEnum member",
            "enum",
            json!(integration),
        ))
    }
}

pub async fn get_state(State(shared): State<Arc<Shared>>, Path(integration): Path<String>) -> Answer {
    known(&integration)?;
    let w = world(&shared);
    ok(json!({"state": w.seed.states.get(&integration).cloned().unwrap_or_default()}))
}

pub async fn update_state(State(shared): State<Arc<Shared>>, Path(integration): Path<String>, body: Bytes) -> Answer {
    known(&integration)?;
    let request = body_object(&body, &["state"])?;
    let Some(Value::Object(items)) = request.get("state") else {
        return Err(invalid(&["body", "state"], "Field required", "missing", Value::Object(request.clone())));
    };
    for (key, item) in items {
        check_item(key, item)?;
    }
    let mut w = world(&shared);
    let stored = w.seed.states.entry(integration).or_default();
    stored.extend(items.clone());
    ok(json!({"state": stored}))
}

/// `StateItem`: `last_updated` (date-time) and `checksum` required, `sources` a map of
/// date-times; nothing else.
fn check_item(key: &str, item: &Value) -> Result<(), Response> {
    let Some(fields) = item.as_object() else {
        return Err(invalid(&["body", "state", key], "Input should be a valid dictionary", "dict_type", item.clone()));
    };
    let is_time = |v: &Value| v.as_str().is_some_and(|s| s.parse::<jiff::Timestamp>().is_ok());
    match fields.get("last_updated") {
        Some(v) if is_time(v) => {}
        Some(v) => {
            return Err(invalid(
                &["body", "state", key, "last_updated"],
                "Input should be a valid datetime",
                "datetime_from_date_parsing",
                v.clone(),
            ));
        }
        None => {
            return Err(invalid(&["body", "state", key, "last_updated"], "Field required", "missing", item.clone()));
        }
    }
    if !fields.get("checksum").is_some_and(Value::is_string) {
        return Err(invalid(&["body", "state", key, "checksum"], "Field required", "missing", item.clone()));
    }
    if let Some(sources) = fields.get("sources").filter(|s| !s.is_null()) {
        let valid = sources.as_object().is_some_and(|m: &Map<String, Value>| m.values().all(is_time));
        if !valid {
            return Err(invalid(
                &["body", "state", key, "sources"],
                "Input should be a map of datetimes",
                "dict_type",
                sources.clone(),
            ));
        }
    }
    Ok(())
}
