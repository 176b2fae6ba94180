//! The workspace around the pipelines: environments with their values (get, create,
//! update, delete, with the spec's rules), integration connections, and the Platform API's accounts
//! (`GET /public/v1/accounts`, which lists the key's own workspace only).

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use crate::Shared;
use crate::api::{body_object, detail, invalid, ok, one_of, path_uuid, world};
use crate::integrations::INTEGRATIONS;
use crate::model::Environment;
use crate::seed::{self, ACCOUNT_ID};

type Answer = Result<Response, Response>;

/// `AuthStatus` of the spec.
const AUTH_STATUSES: &[&str] = &["INITIATED", "VALIDATING", "FAILED", "SUCCEEDED", "DEPRECATED"];

/// `EnvironmentsResponse`: the environment with its values.
fn environment_json(env: &Environment) -> Value {
    json!({
        "accountId": env.account_id, "environmentId": env.environment_id, "name": env.name,
        "defaultEnv": env.default_env, "values": env.values, "createdAt": env.created_at, "updatedAt": env.updated_at,
    })
}

pub async fn get_environment(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Answer {
    let id = path_uuid(&id, "environment_id")?;
    let w = world(&shared);
    let env = w.seed.environments.iter().find(|e| e.environment_id == id);
    env.map_or_else(|| Err(detail(StatusCode::NOT_FOUND, "Environment not found")), |e| ok(environment_json(e)))
}

/// Checks `values`: a map of `{type, value}` with a known type and a value of that type.
fn check_values(values: Option<&Value>) -> Result<Map<String, Value>, Response> {
    let Some(Value::Object(values)) = values else {
        return Err(invalid(&["body", "values"], "Field required", "missing", Value::Null));
    };
    for (name, entry) in values {
        let kind = entry.get("type").and_then(Value::as_str);
        let value = entry.get("value");
        let fits = match (kind, value) {
            (Some("string" | "integration_credential"), Some(Value::String(_))) => true,
            (Some("int"), Some(v)) => v.is_i64(),
            (Some("bool"), Some(v)) => v.is_boolean(),
            _ => false,
        };
        if !fits {
            return Err(invalid(
                &["body", "values", name],
                "Each value needs a type (string, int, bool or integration_credential) and a value of that type",
                "value_error",
                entry.clone(),
            ));
        }
    }
    Ok(values.clone())
}

fn name_of(body: &Map<String, Value>) -> Result<String, Response> {
    match body.get("name").and_then(Value::as_str).map(str::trim) {
        Some(name) if !name.is_empty() => Ok(name.to_string()),
        _ => Err(invalid(&["body", "name"], "Field required", "missing", Value::Null)),
    }
}

pub async fn create_environment(State(shared): State<Arc<Shared>>, body: Bytes) -> Answer {
    let body = body_object(&body, &["name", "values"])?;
    let name = name_of(&body)?;
    let values = check_values(body.get("values"))?;
    let mut w = world(&shared);
    if w.seed.environments.iter().any(|e| e.name.eq_ignore_ascii_case(&name)) {
        return Err(detail(StatusCode::BAD_REQUEST, &format!("An environment named {name} already exists")));
    }
    let now = seed::ts(jiff::Timestamp::now());
    let mut rng = w.rng.clone();
    let env = Environment {
        account_id: ACCOUNT_ID.into(),
        environment_id: rng.uuid4(),
        name,
        // The first environment of a workspace becomes its default.
        default_env: w.seed.environments.is_empty(),
        values,
        created_at: now.clone(),
        updated_at: now,
    };
    w.rng = rng;
    let answer = environment_json(&env);
    w.seed.environments.push(env);
    Ok((StatusCode::CREATED, axum::Json(answer)).into_response())
}

/// `PATCH`: `name`, `values` and `defaultEnv` are all required, and `values` replaces
/// the old values; making one environment the default unsets the previous default.
pub async fn update_environment(State(shared): State<Arc<Shared>>, Path(id): Path<String>, body: Bytes) -> Answer {
    let id = path_uuid(&id, "environment_id")?;
    let body = body_object(&body, &["name", "values", "defaultEnv"])?;
    let name = name_of(&body)?;
    let values = check_values(body.get("values"))?;
    let Some(default_env) = body.get("defaultEnv").and_then(Value::as_bool) else {
        return Err(invalid(&["body", "defaultEnv"], "Field required", "missing", Value::Null));
    };
    let mut w = world(&shared);
    if !w.seed.environments.iter().any(|e| e.environment_id == id) {
        return Err(detail(StatusCode::NOT_FOUND, "Environment not found"));
    }
    if w.seed.environments.iter().any(|e| e.environment_id != id && e.name.eq_ignore_ascii_case(&name)) {
        return Err(detail(StatusCode::BAD_REQUEST, &format!("An environment named {name} already exists")));
    }
    let was_default = w.seed.environments.iter().any(|e| e.environment_id == id && e.default_env);
    if was_default && !default_env {
        return Err(detail(
            StatusCode::BAD_REQUEST,
            "A workspace needs a default environment: make another environment the default instead",
        ));
    }
    if default_env {
        w.seed.environments.iter_mut().for_each(|e| e.default_env = false);
    }
    let now = seed::ts(jiff::Timestamp::now());
    let env = w.seed.environments.iter_mut().find(|e| e.environment_id == id).expect("checked above");
    env.name = name;
    env.values = values;
    env.default_env = default_env;
    env.updated_at = now;
    ok(environment_json(env))
}

pub async fn delete_environment(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Answer {
    let id = path_uuid(&id, "environment_id")?;
    let mut w = world(&shared);
    let Some(index) = w.seed.environments.iter().position(|e| e.environment_id == id) else {
        return Err(detail(StatusCode::NOT_FOUND, "Environment not found"));
    };
    if w.seed.environments[index].default_env && w.seed.environments.len() > 1 {
        return Err(detail(
            StatusCode::BAD_REQUEST,
            "The default environment cannot be deleted while other environments exist; make another one the default first",
        ));
    }
    w.seed.environments.remove(index);
    Ok(StatusCode::NO_CONTENT.into_response())
}

fn connections() -> Vec<Value> {
    let made = "2026-01-12T09:30:00.000000+00:00";
    let c = |integration: &str, id: &str, name: &str, status: &str, default: bool| {
        json!({"integration": integration, "authStatus": status, "connectionId": id, "connectionName": name,
               "isDefault": default, "updatedAt": made, "createdAt": made})
    };
    vec![
        c("SNOWFLAKE", "snowflake_prod", "Snowflake production", "SUCCEEDED", true),
        c("SNOWFLAKE", "snowflake_staging", "Snowflake staging", "SUCCEEDED", false),
        c("FIVETRAN", "fivetran_main", "Fivetran", "SUCCEEDED", true),
        c("DBT_CORE", "dbt_core_repo", "dbt project (GitHub)", "SUCCEEDED", true),
        c("TABLEAU_CLOUD", "tableau_cloud", "Tableau Cloud", "FAILED", true),
        c("POWER_BI", "power_bi_finance", "Power BI finance workspace", "DEPRECATED", true),
        c("HIGHTOUCH", "hightouch", "Hightouch", "VALIDATING", true),
    ]
}

/// `GET /integrations/connections?integration=&authStatus=`: single values, checked
/// against their enums (the parameter is camelCase in the spec).
pub async fn list_connections(Query(q): Query<HashMap<String, String>>) -> Answer {
    let integration = one_of(&q, "integration", INTEGRATIONS)?;
    let status = one_of(&q, "authStatus", AUTH_STATUSES)?;
    let found: Vec<Value> = connections()
        .into_iter()
        .filter(|c| integration.as_ref().is_none_or(|i| c["integration"] == i.as_str()))
        .filter(|c| status.as_ref().is_none_or(|s| c["authStatus"] == s.as_str()))
        .collect();
    ok(found)
}

pub async fn list_accounts() -> Answer {
    ok(json!([{"id": ACCOUNT_ID, "name": "Acme Data"}]))
}

/// `GET /compute_resources/azure/federated_credentials` (`AzureFederatedCredentialsResponse`):
/// per workspace, so the subject names the account.
pub async fn azure_federated_credentials() -> Answer {
    ok(json!({
        "subjectId": format!("orchestra:workspace:{ACCOUNT_ID}:azure-hybrid-compute"),
        "audience": "api://AzureADTokenExchange",
    }))
}
