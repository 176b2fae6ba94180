//! Assets: `GET /assets` with every filter and sort of the spec; `GET`, `PATCH` and
//! `DELETE /assets/{id}` by Orchestra id or external id; `POST /assets` (external ids are
//! unique); `POST /assets/dependencies` (lineage edges between external ids, at most 100
//! a request). The seeded assets are the tables, models and dashboards the seeded
//! pipelines touch, with the statuses their latest runs imply.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::Shared;
use crate::api::{body_object, csv_enum, csv_uuids, detail, forbid_extra, invalid, ok, one_of, page, paging, world};
use crate::integrations::INTEGRATIONS;
use crate::seed::{ACCOUNT_ID, ts};

type Answer = Result<Response, Response>;

const ASSET_TYPES: &[&str] =
    &["CHART", "DASHBOARD", "DASHBOARD_VIEWS", "DATASET", "QUERIES", "TABLE", "UNKNOWN", "VIEW", "WORKBOOK"];
const ASSET_STATUSES: &[&str] = &["HEALTHY", "UNHEALTHY", "UNKNOWN", "WARNING"];
const SORT_COLUMNS: &[&str] =
    &["asset_name", "asset_type", "status", "integration", "created_in_integration", "last_updated_in_integration"];

/// (id suffix, name, type, integration, database, schema, status, created, updated, rows)
type AssetSeed = (
    u32,
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
    Option<&'static str>,
    &'static str,
    &'static str,
    &'static str,
    Option<i64>,
);

const SEED: [AssetSeed; 8] = [
    (
        1,
        "raw_orders",
        "TABLE",
        "SNOWFLAKE",
        Some("RAW"),
        Some("SHOPIFY"),
        "HEALTHY",
        "2025-11-02",
        "2026-11-20",
        Some(1_204_331),
    ),
    (
        2,
        "stg_orders",
        "VIEW",
        "SNOWFLAKE",
        Some("ANALYTICS"),
        Some("STAGING"),
        "HEALTHY",
        "2025-11-03",
        "2026-11-20",
        None,
    ),
    (
        3,
        "orders",
        "TABLE",
        "SNOWFLAKE",
        Some("ANALYTICS"),
        Some("MARTS"),
        "UNHEALTHY",
        "2025-11-03",
        "2026-11-20",
        Some(98_112),
    ),
    (
        4,
        "customers",
        "TABLE",
        "SNOWFLAKE",
        Some("ANALYTICS"),
        Some("MARTS"),
        "HEALTHY",
        "2025-11-04",
        "2026-11-19",
        Some(44_870),
    ),
    (
        5,
        "general_ledger",
        "TABLE",
        "SNOWFLAKE",
        Some("FINANCE"),
        Some("LEDGER"),
        "WARNING",
        "2026-01-10",
        "2026-11-01",
        Some(5_201_009),
    ),
    (6, "Revenue overview", "DASHBOARD", "TABLEAU_CLOUD", None, None, "UNHEALTHY", "2025-12-01", "2026-11-18", None),
    (7, "Finance close", "DATASET", "POWER_BI", None, None, "UNKNOWN", "2026-02-14", "2026-10-31", None),
    (
        8,
        "attribution_touches",
        "TABLE",
        "SNOWFLAKE",
        Some("MARKETING"),
        Some("ATTRIBUTION"),
        "HEALTHY",
        "2026-03-01",
        "2026-11-20",
        Some(880_002),
    ),
];

pub fn seeded() -> Vec<Value> {
    SEED.iter()
        .map(|(n, name, kind, integration, database, schema, status, created, updated, rows)| {
            let external = match database {
                Some(db) => format!("{db}.{}.{}", schema.unwrap_or_default(), name.to_ascii_uppercase()),
                None => format!("{}:{name}", integration.to_ascii_lowercase()),
            };
            json!({
                "assetId": format!("a55e7000-0000-4000-8000-{n:012}"), "integration": integration, "accountId": ACCOUNT_ID,
                "assetName": name, "assetType": kind, "integrationAccountId": "acme-prod",
                "databaseName": database, "schemaName": schema, "workspaceName": null, "workspaceId": null,
                "externalId": external, "connection": null, "status": status,
                "createdAt": format!("{created}T08:00:00.000000+00:00"), "updatedAt": format!("{updated}T02:30:00.000000+00:00"),
                "connectionIntegration": null, "lastSuccessfulRun": null,
                "upstreamDependencies": [], "downstreamDependencies": [],
                "integrationAssetType": null, "owner": "data-team@acme.test", "owners": ["data-team@acme.test"],
                "createdInIntegration": format!("{created}T08:00:00+00:00"), "lastUpdatedInIntegration": format!("{updated}T02:30:00+00:00"),
                "usagePercentage": null, "freshnessConfig": null, "meta": null, "tableName": database.map(|_| name),
                "rowCount": rows, "bytes": null, "description": null, "url": null, "lastViewed": null,
                "uniqueViewers": null, "viewCount": null, "viewCountFromTimestamp": null,
            })
        })
        .collect()
}

fn text_filter<'a>(q: &'a HashMap<String, String>, name: &str) -> Option<&'a String> {
    q.get(name).filter(|v| !v.is_empty())
}

pub async fn list_assets(State(shared): State<Arc<Shared>>, Query(q): Query<HashMap<String, String>>) -> Answer {
    // `asset_type` and `status` default to "" in the spec: empty means no filter.
    let types = if text_filter(&q, "asset_type").is_some() { csv_enum(&q, "asset_type", ASSET_TYPES)? } else { None };
    let statuses = if text_filter(&q, "status").is_some() { csv_enum(&q, "status", ASSET_STATUSES)? } else { None };
    let integration = one_of(&q, "integration", INTEGRATIONS)?;
    let ids = csv_uuids(&q, "asset_ids")?;
    let column = one_of(&q, "sort_column", SORT_COLUMNS)?.unwrap_or_else(|| "created_in_integration".to_string());
    let direction = one_of(&q, "sort_direction", &["asc", "desc"])?.unwrap_or_else(|| "desc".to_string());
    let (page_no, page_size) = paging(&q, 50, 100)?;
    let field = |key: &str| -> Option<&String> { text_filter(&q, key) };
    let mut found: Vec<Value> = world(&shared)
        .seed
        .assets
        .iter()
        .filter(|a| types.as_ref().is_none_or(|t| t.iter().any(|t| a["assetType"] == t.as_str())))
        .filter(|a| statuses.as_ref().is_none_or(|s| s.iter().any(|s| a["status"] == s.as_str())))
        .filter(|a| integration.as_ref().is_none_or(|i| a["integration"] == i.as_str()))
        .filter(|a| ids.as_ref().is_none_or(|ids| ids.iter().any(|id| a["assetId"] == id.as_str())))
        .filter(|a| field("integration_account_id").is_none_or(|v| a["integrationAccountId"] == v.as_str()))
        .filter(|a| field("workspace_id").is_none_or(|v| a["workspaceId"] == v.as_str()))
        .filter(|a| field("database_name").is_none_or(|v| a["databaseName"] == v.as_str()))
        .filter(|a| field("schema_name").is_none_or(|v| a["schemaName"] == v.as_str()))
        .cloned()
        .collect();
    let key = match column.as_str() {
        "asset_name" => "assetName",
        "asset_type" => "assetType",
        "status" => "status",
        "integration" => "integration",
        "last_updated_in_integration" => "lastUpdatedInIntegration",
        _ => "createdInIntegration",
    };
    found.sort_by(|a, b| a[key].as_str().cmp(&b[key].as_str()));
    if direction == "desc" {
        found.reverse();
    }
    page(found, page_no, page_size)
}

pub async fn get_asset(State(shared): State<Arc<Shared>>, Path(asset_id): Path<String>) -> Answer {
    let w = world(&shared);
    ok(&w.seed.assets[find(&w.seed.assets, &asset_id)?])
}

/// The index of the asset with this Orchestra id or external id.
fn find(assets: &[Value], asset_id: &str) -> Result<usize, Response> {
    if asset_id.len() > 512 {
        return Err(invalid(
            &["path", "asset_id"],
            "String should have at most 512 characters",
            "string_too_long",
            json!(asset_id),
        ));
    }
    assets
        .iter()
        .position(|a| a["assetId"] == asset_id.to_ascii_lowercase().as_str() || a["externalId"] == asset_id)
        .ok_or_else(|| detail(StatusCode::NOT_FOUND, "Asset not found"))
}

/// Fields of `CreateAssetRequest` besides the required four and `assetType`/`status`.
const OPTIONAL_FIELDS: &[&str] = &[
    "createdInIntegration",
    "lastUpdatedInIntegration",
    "integrationAssetType",
    "owners",
    "meta",
    "databaseName",
    "schemaName",
    "tableName",
    "description",
    "workspaceName",
    "workspaceId",
    "url",
];

pub async fn create_asset(State(shared): State<Arc<Shared>>, body: Bytes) -> Answer {
    let mut fields = vec!["assetName", "externalId", "integrationAccountId", "integration", "assetType", "status"];
    fields.extend(OPTIONAL_FIELDS);
    let request = body_object(&body, &fields)?;
    for required in ["assetName", "externalId", "integrationAccountId", "integration"] {
        if !request.get(required).is_some_and(Value::is_string) {
            return Err(invalid(&["body", required], "Field required", "missing", Value::Object(request.clone())));
        }
    }
    let text = |key: &str| request.get(key).and_then(Value::as_str).unwrap_or_default().to_string();
    let integration = text("integration");
    if !INTEGRATIONS.contains(&integration.as_str()) {
        return Err(invalid(
            &["body", "integration"],
            "Input should be a valid IntegrationsEnum member",
            "enum",
            json!(integration),
        ));
    }
    let kind = request.get("assetType").and_then(Value::as_str).unwrap_or("UNKNOWN").to_string();
    if !ASSET_TYPES.contains(&kind.as_str()) {
        return Err(invalid(
            &["body", "assetType"],
            "Input should be a valid AssetTypeEnum member",
            "enum",
            json!(kind),
        ));
    }
    let status = request.get("status").and_then(Value::as_str).unwrap_or("UNKNOWN").to_string();
    if !ASSET_STATUSES.contains(&status.as_str()) {
        return Err(invalid(
            &["body", "status"],
            "Input should be 'HEALTHY', 'UNHEALTHY', 'UNKNOWN' or 'WARNING'",
            "enum",
            json!(status),
        ));
    }
    let mut w = world(&shared);
    let external_id = text("externalId");
    if w.seed.assets.iter().any(|a| a["externalId"] == external_id.as_str()) {
        return Err(detail(StatusCode::CONFLICT, &format!("An asset with externalId {external_id} already exists")));
    }
    let now = ts(jiff::Timestamp::now());
    let mut asset = json!({
        "assetId": w.rng.uuid4(), "integration": integration, "accountId": ACCOUNT_ID, "assetName": text("assetName"),
        "assetType": kind, "integrationAccountId": text("integrationAccountId"), "externalId": external_id,
        "status": status, "createdAt": now, "updatedAt": now, "upstreamDependencies": [], "downstreamDependencies": [],
        "owner": request.get("owners").and_then(|o| o.get(0)).cloned(),
    });
    for field in OPTIONAL_FIELDS {
        asset[*field] = request.get(*field).cloned().unwrap_or(Value::Null);
    }
    w.seed.assets.push(asset.clone());
    Ok((StatusCode::CREATED, axum::Json(asset)).into_response())
}

pub async fn patch_asset(State(shared): State<Arc<Shared>>, Path(asset_id): Path<String>, body: Bytes) -> Answer {
    const FIELDS: &[&str] = &[
        "createdInIntegration",
        "databaseName",
        "description",
        "lastUpdatedInIntegration",
        "meta",
        "owners",
        "schemaName",
        "schema",
        "tableName",
        "url",
        "workspaceId",
        "workspaceName",
    ];
    let request = body_object(&body, FIELDS)?;
    let mut w = world(&shared);
    let index = find(&w.seed.assets, &asset_id)?;
    let asset = &mut w.seed.assets[index];
    for (key, value) in request {
        // `schema` (the table's columns) is accepted but not part of `AssetResponse`.
        if key != "schema" {
            asset[&key] = value;
        }
    }
    asset["owner"] = asset["owners"].get(0).cloned().unwrap_or(Value::Null);
    asset["updatedAt"] = json!(ts(jiff::Timestamp::now()));
    ok(asset.clone())
}

pub async fn delete_asset(State(shared): State<Arc<Shared>>, Path(asset_id): Path<String>) -> Answer {
    let mut w = world(&shared);
    let index = find(&w.seed.assets, &asset_id)?;
    let removed = w.seed.assets.remove(index);
    // Its lineage edges go with it.
    for asset in &mut w.seed.assets {
        for side in ["upstreamDependencies", "downstreamDependencies"] {
            if let Some(ids) = asset[side].as_array_mut() {
                ids.retain(|id| *id != removed["externalId"]);
            }
        }
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `POST /assets/dependencies`: `{"dependencies": [{fromId, toId, lineageDetail, integration?}]}`,
/// ids being external ids; answers how many edges are new.
pub async fn create_dependencies(State(shared): State<Arc<Shared>>, body: Bytes) -> Answer {
    let request = body_object(&body, &["dependencies"])?;
    let Some(edges) = request.get("dependencies").and_then(Value::as_array) else {
        return Err(invalid(&["body", "dependencies"], "Field required", "missing", Value::Object(request.clone())));
    };
    if edges.len() > 100 {
        return Err(invalid(
            &["body", "dependencies"],
            "List should have at most 100 items",
            "too_long",
            json!(edges.len()),
        ));
    }
    let mut pairs = Vec::new();
    for (i, edge) in edges.iter().enumerate() {
        let index = i.to_string();
        let edge = edge.as_object().ok_or_else(|| {
            invalid(&["body", "dependencies", &index], "Input should be a valid dictionary", "dict_type", edge.clone())
        })?;
        forbid_extra(edge, &["fromId", "toId", "lineageDetail", "integration"])?;
        for field in ["fromId", "toId", "lineageDetail"] {
            if !edge.get(field).is_some_and(Value::is_string) {
                return Err(invalid(
                    &["body", "dependencies", &index, field],
                    "Field required",
                    "missing",
                    Value::Object(edge.clone()),
                ));
            }
        }
        pairs.push((
            edge["fromId"].as_str().unwrap_or_default().to_string(),
            edge["toId"].as_str().unwrap_or_default().to_string(),
        ));
    }
    let mut w = world(&shared);
    for (from, to) in &pairs {
        for id in [from, to] {
            if !w.seed.assets.iter().any(|a| a["externalId"] == id.as_str()) {
                return Err(detail(StatusCode::NOT_FOUND, &format!("Asset {id} not found")));
            }
        }
    }
    let mut created = 0;
    for (from, to) in pairs {
        let link = |asset: &mut Value, side: &str, other: &str| -> bool {
            let ids = asset[side].as_array_mut();
            match ids {
                Some(ids) if ids.iter().any(|i| i == other) => false,
                Some(ids) => {
                    ids.push(json!(other));
                    true
                }
                None => {
                    asset[side] = json!([other]);
                    true
                }
            }
        };
        let mut new = false;
        for asset in &mut w.seed.assets {
            if asset["externalId"] == from.as_str() {
                new |= link(asset, "downstreamDependencies", &to);
            }
            if asset["externalId"] == to.as_str() {
                new |= link(asset, "upstreamDependencies", &from);
            }
        }
        created += usize::from(new);
    }
    Ok((StatusCode::CREATED, axum::Json(json!({ "created": created }))).into_response())
}
