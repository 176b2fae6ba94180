//! Orchestra's catalogue of what it can drive: `GET /integrations/` (`IntegrationResponse`
//! with auth form schemas), `GET /integrations/{integration}`, `GET /integrations/jobs`
//! (`IntegrationJobResponse` with job form schemas) and `GET /sensor_checks/`
//! (`SensorCheckSchemaResponse`). The fake carries the integrations its seeded pipelines
//! use, plus one deprecated integration; form items are `BaseFormSchemaItem`s.

use axum::Json;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};

use crate::api::{detail, invalid, ok};
use crate::integrations::INTEGRATIONS;

type Answer = Result<Response, Response>;

/// A form field (`BaseFormSchemaItem`).
fn field(name: &str, kind: &str, label: &str, optional: bool, format: Option<&str>) -> Value {
    json!({"name": name, "type": kind, "label": label, "optional": optional, "format": format})
}

/// (id, display name, job category, status, auth fields, jobs as (id, display name, description, job fields)).
fn integrations() -> Vec<Value> {
    let secret = |name: &str, label: &str| field(name, "string", label, false, Some("password"));
    let text = |name: &str, label: &str| field(name, "string", label, false, None);
    let optional = |name: &str, label: &str| field(name, "string", label, true, None);
    let integration = |id: &str, name: &str, kind: &str, status: &str, auth: Vec<Value>, top: bool| {
        json!({
            "id": id, "displayName": name, "baseLogoUrl": format!("https://cdn.example.com/logos/{}.svg", id.to_ascii_lowercase()),
            "darkModeLogoUrl": null, "jobTypes": [kind], "authSchema": auth, "validateSchema": null, "status": status,
            "setupGuideUrl": format!("/public/setup_guides/{}.md", id.to_ascii_lowercase()),
            "setupDocsUrl": format!("https://docs.getorchestra.io/docs/integrations/{}", id.to_ascii_lowercase()),
            "supportedAssetTypes": [], "supportedAssetFeatures": null, "priority": 1, "top": top, "tags": null,
        })
    };
    vec![
        integration(
            "DBT_CORE",
            "dbt Core",
            "Transformation",
            "RELEASE",
            vec![text("git_url", "Repository URL"), secret("git_token", "Access token")],
            true,
        ),
        integration(
            "FIVETRAN",
            "Fivetran",
            "Ingestion",
            "RELEASE",
            vec![text("api_key", "API key"), secret("api_secret", "API secret")],
            true,
        ),
        integration("HIGHTOUCH", "Hightouch", "Reverse ETL", "RELEASE", vec![secret("api_key", "API key")], false),
        integration(
            "POWER_BI",
            "Power BI",
            "Business Intelligence",
            "RELEASE",
            vec![
                text("tenant_id", "Tenant id"),
                text("client_id", "Client id"),
                secret("client_secret", "Client secret"),
            ],
            false,
        ),
        integration(
            "PYTHON",
            "Python",
            "Utility",
            "RELEASE",
            vec![optional("requirements", "Extra requirements")],
            true,
        ),
        integration(
            "SNOWFLAKE",
            "Snowflake",
            "Warehouse",
            "RELEASE",
            vec![
                text("account", "Account identifier"),
                text("user", "User"),
                secret("private_key", "Private key"),
                optional("role", "Role"),
            ],
            true,
        ),
        integration(
            "TABLEAU_CLOUD",
            "Tableau Cloud",
            "Business Intelligence",
            "BETA",
            vec![text("site", "Site"), secret("token_secret", "Personal access token")],
            false,
        ),
        integration("STITCH", "Stitch", "Ingestion", "DEPRECATED", vec![secret("api_token", "API token")], false),
    ]
}

fn jobs() -> Vec<Value> {
    let job = |id: &str,
               integration: &str,
               kind: &str,
               name: &str,
               description: &str,
               schema: Vec<Value>,
               outputs: &[&str]| {
        json!({
            "id": id, "displayName": name, "description": description, "integration": integration, "type": kind,
            "status": "RELEASE", "setupGuideUrl": null, "jobSchema": schema, "isDataQualityTest": false, "outputKeys": outputs,
        })
    };
    let text = |name: &str, label: &str| field(name, "string", label, false, None);
    let optional = |name: &str, label: &str| field(name, "string", label, true, None);
    vec![
        job(
            "DBT_CORE_EXECUTE",
            "DBT_CORE",
            "Transformation",
            "Run dbt Core",
            "Runs dbt commands against the project.",
            vec![text("commands", "dbt commands"), optional("target", "Target"), optional("select", "Selector")],
            &["run_results"],
        ),
        job(
            "FIVETRAN_SYNC_ALL",
            "FIVETRAN",
            "Ingestion",
            "Sync connector",
            "Triggers a Fivetran connector sync and waits for it.",
            vec![text("connector_id", "Connector id")],
            &[],
        ),
        job(
            "HIGHTOUCH_SYNC",
            "HIGHTOUCH",
            "Reverse ETL",
            "Run sync",
            "Runs a Hightouch sync.",
            vec![text("sync_id", "Sync id")],
            &[],
        ),
        job(
            "POWER_BI_REFRESH_DATASET",
            "POWER_BI",
            "Business Intelligence",
            "Refresh dataset",
            "Refreshes a Power BI dataset.",
            vec![text("workspace_id", "Workspace id"), text("dataset_id", "Dataset id")],
            &[],
        ),
        job(
            "PYTHON_EXECUTE_SCRIPT",
            "PYTHON",
            "Utility",
            "Run Python script",
            "Runs a command in the project's Python environment.",
            vec![text("command", "Command"), field("env", "dict", "Environment variables", true, Some("json"))],
            &["stdout"],
        ),
        job(
            "SNOWFLAKE_RUN_QUERY",
            "SNOWFLAKE",
            "Warehouse",
            "Run query",
            "Runs SQL statements in Snowflake.",
            vec![text("statement", "SQL"), optional("warehouse", "Warehouse")],
            &["query_id"],
        ),
        job(
            "TABLEAU_REFRESH_EXTRACT",
            "TABLEAU_CLOUD",
            "Business Intelligence",
            "Refresh extract",
            "Refreshes a Tableau data source extract.",
            vec![text("datasource_id", "Data source id")],
            &[],
        ),
    ]
}

fn sensor_checks() -> Vec<Value> {
    let check = |id: &str, integration: &str, name: &str, description: &str, schema: Vec<Value>, outputs: &[&str]| {
        json!({"id": id, "displayName": name, "description": description, "integration": integration, "status": "RELEASE",
               "sensorSchema": schema, "outputKeys": outputs})
    };
    vec![
        check(
            "SNOWFLAKE_QUERY",
            "SNOWFLAKE",
            "Snowflake query",
            "Fires when a query returns rows.",
            vec![field("statement", "string", "SQL", false, None)],
            &["row_count"],
        ),
        check(
            "AWS_S3_FILE",
            "AWS_S3",
            "S3 file",
            "Fires when a file lands under a prefix.",
            vec![field("bucket", "string", "Bucket", false, None), field("prefix", "string", "Prefix", false, None)],
            &["key"],
        ),
        check(
            "ORCHESTRA_PIPELINE_STATUS",
            "ORCHESTRA",
            "Pipeline status",
            "Fires when another pipeline's run ends in a status.",
            vec![
                field("pipeline_id", "string", "Pipeline", false, Some("pipeline_id")),
                field("status", "string", "Status", false, None),
            ],
            &[],
        ),
    ]
}

pub async fn list_integrations() -> Json<Vec<Value>> {
    Json(integrations())
}

pub async fn get_integration(Path(integration): Path<String>) -> Answer {
    if !INTEGRATIONS.contains(&integration.as_str()) {
        return Err(invalid(
            &["path", "integration"],
            "Input should be a valid IntegrationsEnum member",
            "enum",
            json!(integration),
        ));
    }
    match integrations().into_iter().find(|i| i["id"] == integration.as_str()) {
        Some(found) => ok(found),
        None => Err(detail(StatusCode::NOT_FOUND, "Integration not found")),
    }
}

/// `GET /setup_guides/{file_path}`: a guide's markdown as a JSON string, for the files the
/// catalogue's `setupGuideUrl`s name. The deprecated integration's guide is gone (404).
pub async fn read_setup_guide(Path(file): Path<String>) -> Answer {
    let found = integrations().into_iter().find(|i| {
        i["status"] != "DEPRECATED" && i["setupGuideUrl"].as_str().is_some_and(|u| u.ends_with(&format!("/{file}")))
    });
    let Some(integration) = found else { return Err(detail(StatusCode::NOT_FOUND, "Setup guide not found")) };
    let name = integration["displayName"].as_str().unwrap_or_default();
    let fields: Vec<String> = integration["authSchema"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| {
            format!("- **{}** (`{}`)", f["label"].as_str().unwrap_or_default(), f["name"].as_str().unwrap_or_default())
        })
        .collect();
    ok(json!(format!(
        "# Connecting {name} to Orchestra\n\n1. In Orchestra, open **Integrations** and choose **{name}**.\n\
         2. Fill in the connection form:\n{}\n3. Press **Test connection**; Orchestra validates it in the background.\n",
        fields.join("\n")
    )))
}

pub async fn list_jobs() -> Json<Vec<Value>> {
    Json(jobs())
}

pub async fn list_sensor_checks() -> Json<Vec<Value>> {
    Json(sensor_checks())
}
