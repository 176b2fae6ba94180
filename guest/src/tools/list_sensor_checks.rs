use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::integration_catalogue::{Sensor, retired, sensor};
use super::list_task_runs::Integration;
use crate::api::Client;
use crate::api::models::SensorCheck;
use crate::tool::READ;
use crate::wit::ToolError;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Args {
    #[serde(default)]
    pub integration: Option<Integration>,
    #[serde(default)]
    pub include_retired: bool,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Output {
    pub sensor_checks: Vec<Sensor>,
}

pub async fn run(client: Client, args: Args) -> Result<Output, ToolError> {
    let checks: Vec<SensorCheck> = client.get_json("GET /sensor_checks/", "/sensor_checks/").await?;
    let integration = args.integration.as_ref().map(|i| i.0.trim());
    let sensor_checks = checks
        .into_iter()
        .filter(|c| args.include_retired || !retired(&c.status))
        .filter(|c| integration.is_none_or(|i| c.integration == i))
        .map(sensor)
        .collect();
    Ok(Output { sensor_checks })
}

super::single_step_tool! {
    name: "list_sensor_checks",
    title: "List sensor checks",
    toolset: "integrations",
    annotations: READ,
    args: Args,
    output: Output,
    run: run,
}
