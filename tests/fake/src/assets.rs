//! Assets: `GET /assets` with every filter and sort of the spec, and `GET /assets/{id}`
//! by Orchestra id or external id. The seeded assets are the tables, models and dashboards
//! the seeded pipelines touch, with the statuses their latest runs imply.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};

use crate::Shared;
use crate::api::{csv_enum, csv_uuids, detail, invalid, ok, one_of, page, paging};
use crate::integrations::INTEGRATIONS;
use crate::seed::ACCOUNT_ID;

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

fn assets() -> Vec<Value> {
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

pub async fn list_assets(State(_shared): State<Arc<Shared>>, Query(q): Query<HashMap<String, String>>) -> Answer {
    // `asset_type` and `status` default to "" in the spec: empty means no filter.
    let types = if text_filter(&q, "asset_type").is_some() { csv_enum(&q, "asset_type", ASSET_TYPES)? } else { None };
    let statuses = if text_filter(&q, "status").is_some() { csv_enum(&q, "status", ASSET_STATUSES)? } else { None };
    let integration = one_of(&q, "integration", INTEGRATIONS)?;
    let ids = csv_uuids(&q, "asset_ids")?;
    let column = one_of(&q, "sort_column", SORT_COLUMNS)?.unwrap_or_else(|| "created_in_integration".to_string());
    let direction = one_of(&q, "sort_direction", &["asc", "desc"])?.unwrap_or_else(|| "desc".to_string());
    let (page_no, page_size) = paging(&q, 50, 100)?;
    let field = |key: &str| -> Option<&String> { text_filter(&q, key) };
    let mut found: Vec<Value> = assets()
        .into_iter()
        .filter(|a| types.as_ref().is_none_or(|t| t.iter().any(|t| a["assetType"] == t.as_str())))
        .filter(|a| statuses.as_ref().is_none_or(|s| s.iter().any(|s| a["status"] == s.as_str())))
        .filter(|a| integration.as_ref().is_none_or(|i| a["integration"] == i.as_str()))
        .filter(|a| ids.as_ref().is_none_or(|ids| ids.iter().any(|id| a["assetId"] == id.as_str())))
        .filter(|a| field("integration_account_id").is_none_or(|v| a["integrationAccountId"] == v.as_str()))
        .filter(|a| field("workspace_id").is_none_or(|v| a["workspaceId"] == v.as_str()))
        .filter(|a| field("database_name").is_none_or(|v| a["databaseName"] == v.as_str()))
        .filter(|a| field("schema_name").is_none_or(|v| a["schemaName"] == v.as_str()))
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

pub async fn get_asset(Path(asset_id): Path<String>) -> Answer {
    if asset_id.len() > 512 {
        return Err(invalid(
            &["path", "asset_id"],
            "String should have at most 512 characters",
            "string_too_long",
            json!(asset_id),
        ));
    }
    assets()
        .into_iter()
        .find(|a| a["assetId"] == asset_id.to_ascii_lowercase().as_str() || a["externalId"] == asset_id.as_str())
        .map_or_else(|| Err(detail(StatusCode::NOT_FOUND, "Asset not found")), ok)
}
