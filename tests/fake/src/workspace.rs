//! The workspace around the pipelines: one environment with its values
//! (`GET /environments/{id}`), integration connections, and the Platform API's accounts
//! (`GET /public/v1/accounts`, which lists the key's own workspace only).

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};

use crate::Shared;
use crate::api::{detail, invalid, ok, path_uuid, world};
use crate::integrations::INTEGRATIONS;
use crate::seed::ACCOUNT_ID;

type Answer = Result<Response, Response>;

/// `AuthStatus` of the spec.
const AUTH_STATUSES: &[&str] = &["INITIATED", "VALIDATING", "FAILED", "SUCCEEDED", "DEPRECATED"];

pub async fn get_environment(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Answer {
    let id = path_uuid(&id, "environment_id")?;
    let w = world(&shared);
    let Some(env) = w.seed.environments.iter().find(|e| e.environment_id == id) else {
        return Err(detail(StatusCode::NOT_FOUND, "Environment not found"));
    };
    let warehouse = if env.default_env { "COMPUTE_WH" } else { "STAGING_WH" };
    let created = w.seed.pipelines.first().map(|p| p.created_at.clone()).unwrap_or_default();
    ok(json!({
        "accountId": env.account_id, "environmentId": env.environment_id, "name": env.name,
        "defaultEnv": env.default_env,
        "values": {
            "WAREHOUSE": {"type": "string", "value": warehouse},
            "RETRIES": {"type": "int", "value": if env.default_env { 3 } else { 1 }},
            "ALERTS_ENABLED": {"type": "bool", "value": env.default_env},
            "SNOWFLAKE": {"type": "integration_credential", "value": if env.default_env { "snowflake_prod" } else { "snowflake_staging" }},
        },
        "createdAt": created, "updatedAt": created,
    }))
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
    let integration = q.get("integration");
    if let Some(i) = integration
        && !INTEGRATIONS.contains(&i.as_str())
    {
        return Err(invalid(&["query", "integration"], "Input should be a valid IntegrationsEnum", "enum", json!(i)));
    }
    let status = q.get("authStatus");
    if let Some(s) = status
        && !AUTH_STATUSES.contains(&s.as_str())
    {
        return Err(invalid(
            &["query", "authStatus"],
            &format!("Input should be {}", AUTH_STATUSES.join(", ")),
            "enum",
            json!(s),
        ));
    }
    let found: Vec<Value> = connections()
        .into_iter()
        .filter(|c| integration.is_none_or(|i| c["integration"] == i.as_str()))
        .filter(|c| status.is_none_or(|s| c["authStatus"] == s.as_str()))
        .collect();
    ok(found)
}

pub async fn list_accounts() -> Answer {
    ok(json!([{"id": ACCOUNT_ID, "name": "Acme Data"}]))
}
