//! `GET /operations`: the operations (dbt nodes, syncs, queries) of finished task runs, in
//! a window like runs, with the spec's filters. They are derived from the seeded task runs
//! so they agree with them: a failed dbt task has a failed model.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::response::Response;
use serde_json::{Value, json};

use crate::Shared;
use crate::api::{created_in, csv_enum, invalid, one_of, page, paging, window, world};
use crate::ids::is_uuid;
use crate::integrations::INTEGRATIONS;
use crate::model::{TaskRun, is_terminal_task};

type Answer = Result<Response, Response>;

const OPERATION_TYPES: &[&str] = &[
    "AGGREGATION",
    "ANALYSIS",
    "DEPLOY",
    "INGESTION",
    "ITERATOR",
    "MATERIALISATION",
    "OPERATION",
    "QUERY",
    "REFRESH",
    "REVERSE_ETL",
    "SEED",
    "SNAPSHOT",
    "SOURCE",
    "TEST",
    "TEST_GROUP",
    "TRIGGER",
    "UNKNOWN",
];
const OPERATION_STATUSES: &[&str] = &["CANCELLED", "FAILED", "REUSED", "SKIPPED", "SUCCEEDED", "UNKNOWN", "WARNING"];

/// The operations of one finished task run: (name, type, status) by integration.
fn operations_of(task: &TaskRun) -> Vec<Value> {
    let status = |ok: &'static str| match task.status.as_str() {
        "FAILED" => "FAILED",
        "WARNING" => "WARNING",
        "CANCELLED" => "CANCELLED",
        "SKIPPED" => "SKIPPED",
        _ => ok,
    };
    let specs: Vec<(String, &str, &str, Option<i64>)> = match task.integration.as_str() {
        "DBT_CORE" => vec![
            ("model.acme.stg_orders".into(), "MATERIALISATION", "SUCCEEDED", Some(120_345)),
            ("model.acme.orders".into(), "MATERIALISATION", status("SUCCEEDED"), Some(98_112)),
            ("test.acme.not_null_orders_id".into(), "TEST", "SUCCEEDED", None),
        ],
        "FIVETRAN" => vec![(format!("{}.sync", task.task_id), "INGESTION", status("SUCCEEDED"), Some(45_000))],
        "SNOWFLAKE" => vec![(task.task_id.clone(), "QUERY", status("SUCCEEDED"), Some(1_204))],
        _ => vec![(task.task_id.clone(), "OPERATION", status("SUCCEEDED"), None)],
    };
    specs
        .into_iter()
        .enumerate()
        .map(|(i, (name, kind, status, rows))| {
            // Ids derived from the task run's, so every listing agrees.
            let id = format!("{}{:04x}", &task.id[..32], i);
            json!({
                "id": id, "accountId": task.account_id, "pipelineRunId": task.pipeline_run_id, "taskRunId": task.id,
                "insertedAt": task.completed_at, "message": if status == "FAILED" { task.message.clone() } else { None },
                "operationName": name, "operationStatus": status, "operationType": kind,
                "externalStatus": status.to_lowercase(), "externalDetail": null, "externalId": format!("{}:{name}", task.id),
                "integration": task.integration, "integrationJob": task.integration_job,
                "startedAt": task.started_at, "completedAt": task.completed_at, "dependencies": [],
                "operationDuration": 12.5, "rowsAffected": rows, "cost": null, "credits": null, "creditsLabel": null,
                "currency": null, "finalCostAmount": null, "rawCostAmount": null, "rawCostLabel": null,
                "finalCostCurrency": null, "rawCostIntegration": null, "rawCostUnits": null,
                "assetExternalId": null, "meta": null, "tags": [], "canRerun": status == "FAILED",
            })
        })
        .collect()
}

pub async fn list_operations(State(shared): State<Arc<Shared>>, Query(q): Query<HashMap<String, String>>) -> Answer {
    let (from, to) = window(&q)?;
    let types = csv_enum(&q, "operation_type", OPERATION_TYPES)?;
    let integration = one_of(&q, "integration", INTEGRATIONS)?;
    let status = one_of(&q, "status", OPERATION_STATUSES)?;
    let task_run_id = q.get("task_run_id");
    if let Some(id) = task_run_id
        && !is_uuid(id)
    {
        return Err(invalid(&["query", "task_run_id"], "Input should be a valid UUID", "uuid_parsing", json!(id)));
    }
    let external_id = q.get("external_id");
    let (page_no, page_size) = paging(&q, 50, 100)?;
    let w = world(&shared);
    let operations: Vec<Value> = w
        .seed
        .task_runs
        .iter()
        .filter(|t| is_terminal_task(&t.status) && t.completed_at.is_some())
        .filter(|t| task_run_id.is_none_or(|id| t.id.eq_ignore_ascii_case(id)))
        .flat_map(operations_of)
        .filter(|o| o["insertedAt"].as_str().is_some_and(|at| created_in(at, from, to)))
        .filter(|o| types.as_ref().is_none_or(|t| t.iter().any(|t| o["operationType"] == t.as_str())))
        .filter(|o| integration.as_ref().is_none_or(|i| o["integration"] == i.as_str()))
        .filter(|o| status.as_ref().is_none_or(|s| o["operationStatus"] == s.as_str()))
        .filter(|o| external_id.is_none_or(|e| o["externalId"] == e.as_str()))
        .collect();
    page(operations, page_no, page_size)
}
