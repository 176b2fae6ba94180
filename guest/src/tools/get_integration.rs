use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::integration_catalogue::{Field, Job, Sensor, fields, job, sensor};
use super::list_task_runs::Integration;
use crate::api::Client;
use crate::api::models::{IntegrationInfo, IntegrationJob, SensorCheck};
use crate::args;
use crate::shape;
use crate::tool::READ;
use crate::wit::ToolError;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Args {
    /// E.g. `SNOWFLAKE`.
    pub integration: Integration,
    /// Also Orchestra's setup guide (markdown).
    #[serde(default)]
    pub setup_guide: bool,
}

/// The longest setup guide returned, in characters.
const MAX_GUIDE_CHARS: usize = 20_000;

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
    /// Orchestra's setup guide (markdown), when asked for with `setup_guide`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub setup_guide: Option<String>,
    /// What could not be included, and why.
    pub notes: Vec<String>,
}

/// The guide's file name, from `setupGuideUrl` (`/public/setup_guides/<file>`): a plain
/// name (letters, digits, `.`, `_`, `-`, not starting with a dot), so it can travel as one
/// path segment as it is.
fn guide_file(url: &str) -> Option<&str> {
    let file = url.split_once("/setup_guides/")?.1;
    let plain = file.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    (plain && !file.is_empty() && !file.starts_with('.') && file.len() <= 200).then_some(file)
}

/// The setup guide's markdown: the API answers with the text as a JSON string.
async fn setup_guide(client: &Client, url: Option<&str>) -> Result<String, String> {
    let file = url.and_then(guide_file).ok_or("Orchestra lists no setup guide for this integration")?;
    let path = format!("/setup_guides/{file}");
    match client.get_json::<Value>("GET /setup_guides/{file_path}", &path).await {
        Ok(Value::String(markdown)) => Ok(shape::bounded(&markdown, MAX_GUIDE_CHARS)),
        Ok(other) => Ok(shape::bounded(&other.to_string(), MAX_GUIDE_CHARS)),
        Err(e) => Err(format!("the setup guide could not be read: {}", super::summary(&e))),
    }
}

pub async fn run(client: Client, args: Args) -> Result<Output, ToolError> {
    let id = args::encode_segment(args.integration.0.trim());
    let info: IntegrationInfo =
        client.get_json("GET /integrations/{integration}", &format!("/integrations/{id}")).await?;
    // The catalogue lists jobs and sensor checks for all integrations at once.
    let jobs: Vec<IntegrationJob> = client.get_json("GET /integrations/jobs", "/integrations/jobs").await?;
    let checks: Vec<SensorCheck> = client.get_json("GET /sensor_checks/", "/sensor_checks/").await?;
    let mut notes = Vec::new();
    let guide = match args.setup_guide {
        false => None,
        true => setup_guide(&client, info.setup_guide_url.as_deref()).await.map_err(|note| notes.push(note)).ok(),
    };
    Ok(Output {
        setup_guide: guide,
        notes,
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

#[cfg(test)]
mod tests {
    use super::guide_file;

    #[test]
    fn the_guide_file_is_the_last_segment_of_its_url() {
        assert_eq!(guide_file("/public/setup_guides/dbt_core.md"), Some("dbt_core.md"));
        assert_eq!(guide_file("https://app.getorchestra.io/api/engine/public/setup_guides/x.md"), Some("x.md"));
        assert_eq!(guide_file("/public/setup_guides/"), None);
        assert_eq!(guide_file("/public/setup_guides/../../pipelines"), None);
        assert_eq!(guide_file("/public/setup_guides/a.md?x=1"), None);
        assert_eq!(guide_file("/public/setup_guides/.."), None);
        assert_eq!(guide_file("/public/setup_guides/a%2F.md"), None);
        assert_eq!(guide_file("https://docs.getorchestra.io/x"), None);
    }
}
