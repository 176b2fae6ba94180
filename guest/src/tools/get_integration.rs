use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::integration_catalogue::{Field, Job, Sensor, fields, job, sensor};
use super::list_task_runs::Integration;
use crate::api::Client;
use crate::api::models::{IntegrationInfo, IntegrationJob, SensorCheck};
use crate::args;
use crate::catalogue::READ;
use crate::wit::ToolError;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Args {
    /// The integration, e.g. `SNOWFLAKE` or `DBT_CORE` (`list_integrations` lists them).
    pub integration: Integration,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Output {
    pub id: String,
    pub name: String,
    pub status: String,
    pub categories: Vec<String>,
    pub docs_url: Option<String>,
    /// Asset types Orchestra can discover through this integration.
    pub asset_types: Vec<String>,
    /// What a connection of this integration asks for (names only; never values).
    pub connection_fields: Vec<Field>,
    /// The jobs its tasks can run, each with the `parameters` a task gives.
    pub jobs: Vec<Job>,
    /// The sensor checks it offers for pipeline `sensors`.
    pub sensor_checks: Vec<Sensor>,
}

pub async fn run(client: Client, args: Args) -> Result<Output, ToolError> {
    let id = args::encode_segment(args.integration.0.trim());
    let info: IntegrationInfo =
        client.get_json("GET /integrations/{integration}", &format!("/integrations/{id}")).await?;
    // The catalogue lists jobs and sensor checks for all integrations at once.
    let jobs: Vec<IntegrationJob> = client.get_json("GET /integrations/jobs", "/integrations/jobs").await?;
    let checks: Vec<SensorCheck> = client.get_json("GET /sensor_checks/", "/sensor_checks/").await?;
    Ok(Output {
        jobs: jobs.into_iter().filter(|j| j.integration == info.id).map(job).collect(),
        sensor_checks: checks.into_iter().filter(|s| s.integration == info.id).map(sensor).collect(),
        connection_fields: fields(info.auth_schema),
        id: info.id,
        name: info.display_name,
        status: info.status,
        categories: info.job_types,
        docs_url: info.setup_docs_url,
        asset_types: info.supported_asset_types,
    })
}

super::single_step_tool! {
    name: "get_integration",
    title: "Get an integration's jobs and fields",
    toolset: "integrations",
    annotations: READ,
    args: Args,
    output: Output,
    run: run,
}
