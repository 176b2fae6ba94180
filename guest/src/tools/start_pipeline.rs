use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::api::models::{Pipeline, PipelineRun, StartPipelineResponse};
use crate::api::{Client, may_have_taken_effect};
use crate::args::{self, PipelineRef};
use crate::error::unexpected;
use crate::tool::Annotations;
use crate::wit::{ToolError, UpstreamError};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Args {
    pub pipeline_id_or_alias: PipelineRef,
    #[serde(default)]
    pub branch: Option<String>,
    #[serde(default)]
    pub commit: Option<String>,
    /// Default: the workspace's default.
    #[serde(default)]
    pub environment: Option<String>,
    /// Default: the published version.
    #[serde(default)]
    #[schemars(range(min = 1))]
    pub version_number: Option<u32>,
    #[serde(default)]
    pub run_inputs: Option<Map<String, Value>>,
    /// Run only these tasks.
    #[serde(default)]
    pub task_ids: Vec<String>,
    /// Resume the latest run from its failed tasks.
    #[serde(default)]
    pub retry_from_failed: bool,
    /// A repeat with the same key and arguments within 10 minutes returns the first run.
    #[serde(default)]
    #[schemars(length(min = 1, max = 200))]
    // A client of the 2026-07-28 era copies it into an `Mcp-Param-Dedupe-Key` header, so a
    // load balancer in front of several servers can send every repeat to the one that
    // remembers it (README, "Several replicas").
    #[schemars(extend("x-mcp-header" = "Dedupe-Key"))]
    #[allow(dead_code)] // Read by the host (`host/src/mcp/dedupe.rs`), which answers repeats; never sent.
    pub dedupe_key: Option<String>,
    /// After an unknown outcome, once `list_pipeline_runs` shows no run was made.
    #[serde(default)]
    #[allow(dead_code)] // Read by the host, like `dedupe_key`; never sent.
    pub dedupe_retry: bool,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Output {
    /// The id of the pipeline that was started.
    pub pipeline_id: String,
    /// The id of the new pipeline run: pass it to `get_pipeline_run` or `cancel_pipeline_run`.
    pub pipeline_run_id: String,
    /// Orchestra's message.
    pub message: String,
    /// The run's lineage page in the Orchestra UI.
    pub lineage_url: String,
}

fn body(args: &Args) -> Value {
    let mut body = Map::new();
    let mut put = |key: &str, value: Option<Value>| {
        if let Some(v) = value {
            body.insert(key.to_string(), v);
        }
    };
    put("branch", args.branch.clone().filter(|s| !s.is_empty()).map(Value::from));
    put("commit", args.commit.clone().filter(|s| !s.is_empty()).map(Value::from));
    put("environment", args.environment.clone().filter(|s| !s.is_empty()).map(Value::from));
    put("versionNumber", args.version_number.map(Value::from));
    put("runInputs", args.run_inputs.clone().map(Value::Object));
    put("taskIds", (!args.task_ids.is_empty()).then(|| json!(args.task_ids)));
    put("retryFromFailed", args.retry_from_failed.then_some(Value::Bool(true)));
    Value::Object(body)
}

/// How long to wait before looking for the run a second time: Orchestra may create it a
/// moment after the start request's answer was lost.
const RECHECK_AFTER_SECS: u64 = 3;

/// After a start whose outcome is unknown: the runs of the pipeline created since the
/// call began (looked for twice, `RECHECK_AFTER_SECS` apart, before saying there are none), so
/// the model can tell whether the start took effect. Best effort: a failure here says so.
async fn runs_since(client: &Client, pipeline: &str, began: jiff::Timestamp, dedupe: bool) -> String {
    let id = match args::uuid("pipeline_id_or_alias", pipeline) {
        Ok(id) => id,
        Err(_) => {
            let query = args::query(&[("alias", Some(pipeline.to_string()))]);
            match client.get_json::<Pipeline>("GET /pipeline", &format!("/pipeline{query}")).await {
                Ok(found) => found.id,
                Err(e) => return format!("Its runs could not be checked ({})", super::summary(&e)),
            }
        }
    };
    let from = args::format_time(began);
    let mut checked = 0;
    loop {
        let to = args::format_time(args::end_of_second(super::now()));
        let path = format!(
            "/pipeline_runs{}",
            args::query(&[
                ("time_from", Some(from.clone())),
                ("time_to", Some(to.clone())),
                ("pipeline_ids", Some(id.clone()))
            ])
        );
        checked += 1;
        match client.get_pages::<PipelineRun>("GET /pipeline_runs", &path, 10, 10).await {
            Ok((runs, _)) if runs.is_empty() && checked < 2 => {
                wstd::task::sleep(wstd::time::Duration::from_secs(RECHECK_AFTER_SECS)).await;
            }
            Ok((runs, _)) if runs.is_empty() => {
                let retry = if dedupe { " (with the same dedupe_key and dedupe_retry: true)" } else { "" };
                return format!(
                    "No run of this pipeline was created between {from} (when this call began) and {to}, looked for \
                     twice {} s apart. Orchestra may still create it: list_pipeline_runs for this pipeline again \
                     before starting it again{retry}",
                    RECHECK_AFTER_SECS
                );
            }
            Ok((runs, _)) => {
                let listed: Vec<String> =
                    runs.iter().map(|r| format!("{} ({}, created {})", r.id, r.run_status, r.created_at)).collect();
                return format!(
                    "Runs of this pipeline created between {from} (when this call began) and {to}: {}. Runs that \
                     others or a schedule started in that time are listed too, so one of these may not be this \
                     call's",
                    listed.join("; ")
                );
            }
            Err(e) => return format!("Its runs could not be checked ({})", super::summary(&e)),
        }
    }
}

pub async fn run(client: Client, args: Args) -> Result<Output, ToolError> {
    let pipeline = args::pipeline_id_or_alias("pipeline_id_or_alias", &args.pipeline_id_or_alias.0)?;
    // The second this call began, as the start of the window its run is looked for in.
    let began = args::start_of_second(super::now());
    let route = "POST /pipelines/{pipeline_id_or_alias}/start";
    // Never retried: a start that reached the server and is sent again starts a second run.
    let answer =
        client.post_json::<StartPipelineResponse>(route, &format!("/pipelines/{pipeline}/start"), &body(&args)).await;
    let dedupe = args.dedupe_key.is_some();
    let started = match answer {
        Ok(Some(started)) => started,
        Ok(None) => {
            return Err(unexpected(format!("{route}: Orchestra answered without a body, so the run id is unknown")));
        }
        Err(e) if !may_have_taken_effect(&e) => return Err(e),
        Err(ToolError::Timeout(m)) => {
            let since = runs_since(&client, &pipeline, began, dedupe).await;
            return Err(ToolError::Timeout(format!("{m}. {since}")));
        }
        Err(ToolError::Transport(m)) => {
            let since = runs_since(&client, &pipeline, began, dedupe).await;
            return Err(ToolError::Transport(format!("{m}. {since}")));
        }
        Err(ToolError::Upstream(u)) => {
            let since = runs_since(&client, &pipeline, began, dedupe).await;
            let hint = format!("{}. {since}", u.hint.clone().unwrap_or_default());
            return Err(ToolError::Upstream(UpstreamError { hint: Some(hint), ..u }));
        }
        Err(e) => return Err(e),
    };
    Ok(Output {
        lineage_url: client.lineage_url(&started.pipeline_run_id),
        pipeline_id: started.id,
        pipeline_run_id: started.pipeline_run_id,
        message: started.message.unwrap_or_default(),
    })
}

super::single_step_tool! {
    name: "start_pipeline",
    title: "Start a pipeline",
    toolset: "pipelines",
    annotations: Annotations { read_only: false, destructive: false, idempotent: false, open_world: true },
    args: Args,
    output: Output,
    run: run,
}
