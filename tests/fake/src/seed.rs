//! The seeded world: five pipelines in two environments, about ten days of runs in every
//! status, failed tasks with messages, multi-attempt logs and dbt artifacts. Times are
//! relative to start-up, so "the last 24 hours" always has something to show.

use jiff::{SignedDuration, Timestamp};
use serde_json::{Map, Value, json};

use crate::ids::Rng;
use crate::model::{Environment, Pipeline, PipelineRun, Storage, TaskDef, TaskRun};

pub const ACCOUNT_ID: &str = "84e75049-b4c3-4a93-a595-21cff92bdb9d";

pub struct Seed {
    pub environments: Vec<Environment>,
    pub pipelines: Vec<Pipeline>,
    pub runs: Vec<PipelineRun>,
    pub task_runs: Vec<TaskRun>,
    /// Pipeline YAML files in the git repositories Orchestra is connected to.
    pub repository_files: Vec<RepositoryFile>,
    /// Assets (`AssetResponse`).
    pub assets: Vec<Value>,
    /// Stored integration state (`StateApiModel.state`) by integration.
    pub states: std::collections::BTreeMap<String, Map<String, Value>>,
}

/// A pipeline definition file on a branch of a repository, its YAML held as JSON.
#[derive(Debug, Clone)]
pub struct RepositoryFile {
    pub repository: String,
    pub branch: String,
    pub path: String,
    pub definition: Value,
}

/// The connected repository: the git-backed `finance_close` pipeline's file, and one
/// written in the YAML's snake_case that no pipeline imports yet.
fn repository_files(pipelines: &[Pipeline]) -> Vec<RepositoryFile> {
    let mut files: Vec<RepositoryFile> = pipelines
        .iter()
        .filter(|p| p.storage.is_git())
        .map(|p| RepositoryFile {
            repository: p.storage.repository.clone().unwrap_or_default(),
            branch: p.storage.default_branch.clone().unwrap_or_default(),
            path: p.storage.yaml_path.clone(),
            definition: p.definition.clone(),
        })
        .collect();
    files.push(RepositoryFile {
        repository: "acme/data-pipelines".into(),
        branch: "main".into(),
        path: "pipelines/customer_churn.yml".into(),
        definition: json!({
            "version": "v1",
            "name": "Customer churn scores",
            "pipeline": {"main": {"name": "Main", "depends_on": [], "tasks": {
                "score_churn": {"integration": "PYTHON", "integration_job": "PYTHON_EXECUTE_SCRIPT", "name": "Score churn",
                                "parameters": {"command": "python churn.py"}, "depends_on": []},
                "dbt_churn": {"integration": "DBT_CORE", "integration_job": "DBT_CORE_EXECUTE", "name": "Churn models",
                              "parameters": {"commands": "dbt build --select churn"}, "depends_on": ["score_churn"]},
            }}},
            "schedule": [],
            "inputs": {},
        }),
    });
    files
}

pub fn ts(t: Timestamp) -> String {
    // Orchestra writes microseconds and an explicit offset: 2025-05-01T11:16:39.421992+00:00.
    t.strftime("%Y-%m-%dT%H:%M:%S%.6f+00:00").to_string()
}

fn task(task_id: &str, name: &str, integration: &str, job: &str, depends_on: &[&str]) -> TaskDef {
    TaskDef {
        task_id: task_id.into(),
        name: name.into(),
        integration: integration.into(),
        job: job.into(),
        depends_on: depends_on.iter().map(|d| d.to_string()).collect(),
    }
}

/// A seeded pipeline's definition: its tasks in one task group, with parameters typical
/// of each integration.
fn definition(name: &str, tasks: &[TaskDef], inputs: &[&str]) -> Value {
    let tasks: Map<String, Value> = tasks
        .iter()
        .map(|t| {
            let parameters = match t.integration.as_str() {
                "DBT_CORE" => json!({"commands": "dbt build", "target": "prod"}),
                "SNOWFLAKE" => json!({"statement": "call snapshot_ledger()", "warehouse": "FINANCE_WH"}),
                "PYTHON" => json!({"command": "python load.py --campaign ${{ inputs.campaign }}"}),
                _ => json!({}),
            };
            let task = json!({
                "integration": t.integration, "integrationJob": t.job, "name": t.name,
                "parameters": parameters, "dependsOn": t.depends_on,
            });
            (t.task_id.clone(), task)
        })
        .collect();
    let inputs: Map<String, Value> =
        inputs.iter().map(|i| (i.to_string(), json!({"type": "string", "default": null, "optional": false}))).collect();
    json!({
        "version": "v1",
        "name": name,
        "pipeline": {"main": {"tasks": tasks, "name": "Main", "dependsOn": []}},
        "schedule": [],
        "inputs": inputs,
        "configuration": {"retries": 1, "retryDelay": 60},
        "webhook": {"enabled": false},
    })
}

fn pipelines(rng: &mut Rng, now: Timestamp) -> Vec<Pipeline> {
    let created = ts(now - SignedDuration::from_hours(24 * 90));
    let p = |rng: &mut Rng, name: &str, alias: &str, tasks: Vec<TaskDef>, inputs: Vec<&str>, git: Option<&str>| {
        let yaml_path = format!("pipelines/{alias}.yml");
        let storage = match git {
            Some(repository) => Storage {
                provider: "GITHUB".into(),
                repository: Some(repository.into()),
                default_branch: Some("main".into()),
                working_branch: None,
                yaml_path,
            },
            None => Storage::orchestra(yaml_path),
        };
        Pipeline {
            id: rng.uuid4(),
            alias: alias.to_string(),
            definition: definition(name, &tasks, &inputs),
            storage,
            latest_version_number: 7,
            published_version_number: Some(7),
            created_at: created.clone(),
            updated_at: created.clone(),
        }
    };
    vec![
        p(
            rng,
            "Daily warehouse refresh",
            "daily_refresh",
            vec![
                task("extract_orders", "Extract orders", "FIVETRAN", "FIVETRAN_SYNC_ALL", &[]),
                task("dbt_build", "Build dbt models", "DBT_CORE", "DBT_CORE_EXECUTE", &["extract_orders"]),
                task(
                    "refresh_dashboards",
                    "Refresh dashboards",
                    "TABLEAU_CLOUD",
                    "TABLEAU_REFRESH_EXTRACT",
                    &["dbt_build"],
                ),
            ],
            vec![],
            None,
        ),
        p(
            rng,
            "Hourly Fivetran sync",
            "hourly_ingest",
            vec![
                task("sync_salesforce", "Sync Salesforce", "FIVETRAN", "FIVETRAN_SYNC_ALL", &[]),
                task("sync_stripe", "Sync Stripe", "FIVETRAN", "FIVETRAN_SYNC_ALL", &[]),
            ],
            vec![],
            None,
        ),
        p(
            rng,
            "Marketing attribution",
            "marketing_attribution",
            vec![
                task("load_events", "Load ad events", "PYTHON", "PYTHON_EXECUTE_SCRIPT", &[]),
                task("dbt_attribution", "Attribution models", "DBT_CORE", "DBT_CORE_EXECUTE", &["load_events"]),
            ],
            vec!["campaign"],
            None,
        ),
        p(
            rng,
            "Finance month-end close",
            "finance_close",
            vec![
                task("snapshot_ledger", "Snapshot ledger", "SNOWFLAKE", "SNOWFLAKE_RUN_QUERY", &[]),
                task("dbt_finance", "Finance models", "DBT_CORE", "DBT_CORE_EXECUTE", &["snapshot_ledger"]),
                task("publish_report", "Publish report", "POWER_BI", "POWER_BI_REFRESH_DATASET", &["dbt_finance"]),
            ],
            vec![],
            Some("acme/data-pipelines"),
        ),
        p(
            rng,
            "Reverse ETL to Salesforce",
            "reverse_etl",
            vec![task("sync_accounts", "Sync accounts", "HIGHTOUCH", "HIGHTOUCH_SYNC", &[])],
            vec![],
            None,
        ),
    ]
}

fn env_values(warehouse: &str, retries: i64, alerts: bool, connection: &str) -> Map<String, Value> {
    json!({
        "WAREHOUSE": {"type": "string", "value": warehouse},
        "RETRIES": {"type": "int", "value": retries},
        "ALERTS_ENABLED": {"type": "bool", "value": alerts},
        "SNOWFLAKE": {"type": "integration_credential", "value": connection},
    })
    .as_object()
    .cloned()
    .unwrap_or_default()
}

/// Builds the world as it stands at `now`.
pub fn world(now: Timestamp) -> Seed {
    let mut rng = Rng::new(0x0c4e_57a0);
    let environments = vec![
        Environment {
            account_id: ACCOUNT_ID.into(),
            environment_id: rng.uuid4(),
            name: "Production".into(),
            default_env: true,
            values: env_values("COMPUTE_WH", 3, true, "snowflake_prod"),
            created_at: ts(now - SignedDuration::from_hours(24 * 200)),
            updated_at: ts(now - SignedDuration::from_hours(24 * 30)),
        },
        Environment {
            account_id: ACCOUNT_ID.into(),
            environment_id: rng.uuid4(),
            name: "Staging".into(),
            default_env: false,
            values: env_values("STAGING_WH", 1, false, "snowflake_staging"),
            created_at: ts(now - SignedDuration::from_hours(24 * 200)),
            updated_at: ts(now - SignedDuration::from_hours(24 * 30)),
        },
    ];
    let mut pipelines = pipelines(&mut rng, now);
    let mut runs = Vec::new();
    let mut task_runs = Vec::new();
    // (alias, hours between runs, the newest run's status: every status appears at least once).
    let schedule: [(&str, i64, &str); 5] = [
        ("daily_refresh", 24, "FAILED"),
        ("hourly_ingest", 3, "CREATED"),
        ("marketing_attribution", 12, "WARNING"),
        ("finance_close", 24, "CANCELLED"),
        ("reverse_etl", 6, "RUNNING"),
    ];
    for (alias, every, _) in schedule {
        let pipeline = pipelines.iter_mut().find(|p| p.alias == alias).expect("scheduled pipelines exist");
        let cron = if every == 24 { "0 2 * * *".to_string() } else { format!("0 */{every} * * *") };
        pipeline.definition["schedule"] = json!([{"name": "default", "cron": cron, "timezone": "UTC"}]);
    }
    for (alias, every, newest_status) in schedule {
        let pipeline = pipelines.iter().find(|p| p.alias == alias).expect("scheduled pipelines exist");
        let count = 10 * 24 / every;
        for i in 0..count {
            let age = SignedDuration::from_mins(every * 60 * i + 20 + rng.below(40) as i64);
            let created = now - age;
            let status = if i == 0 {
                newest_status
            } else if alias == "hourly_ingest" && i == 1 {
                "CANCELLING"
            } else {
                match rng.below(100) {
                    0..=79 => "SUCCEEDED",
                    80..=88 => "FAILED",
                    89..=93 => "WARNING",
                    94..=97 => "SKIPPED",
                    _ => "CANCELLED",
                }
            };
            let env = if alias == "marketing_attribution" && i % 4 == 3 { &environments[1] } else { &environments[0] };
            let (run, tasks) = make_run(&mut rng, pipeline, env, status, created, now, None);
            runs.push(run);
            task_runs.extend(tasks);
        }
    }
    runs.sort_by(|a, b| b.created_at.cmp(&a.created_at));
    let repository_files = repository_files(&pipelines);
    let synced = ts(now - SignedDuration::from_hours(3));
    let dbt_state = json!({"orders_daily": {"last_updated": synced, "checksum": "9f2c1e7a",
                                            "sources": {"raw.orders": synced}}});
    let states = [("DBT_CORE".to_string(), dbt_state.as_object().cloned().unwrap_or_default())].into();
    Seed { environments, pipelines, runs, task_runs, repository_files, assets: crate::assets::seeded(), states }
}

/// A run of `pipeline` created at `created`, with task runs consistent with `status`.
pub fn make_run(
    rng: &mut Rng,
    pipeline: &Pipeline,
    env: &Environment,
    status: &str,
    created: Timestamp,
    now: Timestamp,
    trigger: Option<Value>,
) -> (PipelineRun, Vec<TaskRun>) {
    let run_id = rng.uuid4();
    let started = created + SignedDuration::from_secs(5);
    let live = matches!(status, "CREATED" | "RUNNING" | "CANCELLING");
    // Which task the outcome centres on: the first dbt task if any, else the first task.
    let defs = pipeline.tasks();
    let focus = defs.iter().position(|t| t.integration == "DBT_CORE").unwrap_or(0);
    let mut clock = started;
    let mut tasks = Vec::new();
    let mut failed_name = None;
    for (i, def) in defs.iter().enumerate() {
        let task_status = task_status(status, i, focus, &defs);
        let duration = SignedDuration::from_secs(30 + rng.below(240) as i64);
        let begins = !matches!(task_status, "CREATED" | "QUEUED" | "SKIPPED");
        let task_started = begins.then_some(clock);
        let finished = begins && !matches!(task_status, "RUNNING" | "CANCELLING");
        let task_completed = finished.then(|| clock + duration);
        if finished {
            clock += duration;
        }
        let (message, external_status, external_message) = task_messages(def, task_status);
        if task_status == "FAILED" {
            failed_name = Some(def.name.clone());
        }
        let attempts = match task_status {
            "FAILED" => 2,
            "CREATED" | "QUEUED" | "SKIPPED" => 0,
            _ => 1,
        };
        let mut params = Map::new();
        if def.integration == "DBT_CORE" {
            params.insert("command".into(), json!("dbt build --select tag:nightly"));
            params.insert("target".into(), json!("prod"));
        } else if def.integration == "SNOWFLAKE" {
            params.insert("warehouse".into(), json!("COMPUTE_WH"));
            params.insert("statement".into(), json!("CALL finance.snapshot_ledger()"));
        } else {
            params.insert("connector_id".into(), json!(format!("{}_conn", def.task_id)));
        }
        let task_id = rng.uuid4();
        tasks.push(TaskRun {
            platform_link: begins.then(|| {
                format!("https://cloud.example.com/{}/runs/{}", def.integration.to_ascii_lowercase(), &task_id[..8])
            }),
            id: task_id,
            pipeline_run_id: run_id.clone(),
            task_name: def.name.to_string(),
            task_id: def.task_id.to_string(),
            account_id: ACCOUNT_ID.to_string(),
            pipeline_id: pipeline.id.clone(),
            integration: def.integration.to_string(),
            integration_job: def.job.to_string(),
            status: task_status.to_string(),
            message,
            external_status,
            external_message,
            task_parameters: Some(params),
            run_parameters: Some(Map::from_iter([(
                "run_date".to_string(),
                json!(created.strftime("%Y-%m-%d").to_string()),
            )])),
            connection_id: Some(format!("{}-default", def.integration.to_ascii_lowercase())),
            compute_resource_id: None,
            number_of_attempts: Some(attempts),
            matrix_parent: false,
            matrix_parent_id: None,
            created_at: ts(created),
            updated_at: ts(task_completed.or(task_started).unwrap_or(created)),
            completed_at: task_completed.map(ts),
            started_at: task_started.map(ts),
            depends_on: Some(def.depends_on.clone()),
        });
    }
    let completed = (!live).then_some(clock.max(started));
    let message = match status {
        "SUCCEEDED" => "All tasks have succeeded.".to_string(),
        "FAILED" => format!("1 task failed: {}", failed_name.as_deref().unwrap_or("unknown")),
        "WARNING" => "All tasks completed; some reported warnings.".to_string(),
        "SKIPPED" => "Pipeline run was skipped: its run condition was not met.".to_string(),
        "CANCELLED" => "Pipeline run was cancelled by a user.".to_string(),
        "CANCELLING" => "Pipeline run is being cancelled.".to_string(),
        "RUNNING" => "Pipeline run is in progress.".to_string(),
        _ => "Pipeline run has been created.".to_string(),
    };
    let slow = status == "FAILED" && rng.below(2) == 0;
    let anomalies = slow.then(|| {
        Map::from_iter([(rng.uuid4(), json!({
            "type": "pipeline_duration_above_baseline",
            "data": {"type": "pipeline_duration_above_baseline", "percentage_above_baseline": 84, "threshold_seconds": 600, "compared_runs": 10, "observed_seconds": 1104}
        }))])
    });
    let git = pipeline.storage.is_git();
    let commit =
        git.then(|| format!("{:016x}{:016x}{:08x}", rng.next_u64(), rng.next_u64(), rng.below(u32::MAX as u64)));
    let run = PipelineRun {
        id: run_id,
        pipeline_id: pipeline.id.clone(),
        pipeline_name: Some(pipeline.name().to_string()),
        account_id: ACCOUNT_ID.to_string(),
        env_id: Some(env.environment_id.clone()),
        env_name: Some(env.name.clone()),
        run_status: status.to_string(),
        has_anomalies: Some(slow),
        anomalies,
        triggered_by: vec![trigger.unwrap_or_else(|| json!({
            "triggerType": "SCHEDULED", "scheduleName": "Default schedule", "scheduleCron": "0 */3 * * *", "scheduleTimezone": "UTC"
        }))],
        child_pipeline_runs: vec![],
        message,
        pipeline_version_number: Some(pipeline.latest_version_number),
        created_at: ts(created),
        updated_at: ts(completed.unwrap_or(now.min(clock))),
        completed_at: completed.map(ts),
        started_at: (status != "CREATED" && status != "SKIPPED").then(|| ts(started)),
        branch: git.then(|| "main".to_string()),
        git_link: commit.as_ref().map(|c| format!("https://github.com/{}/commit/{c}", pipeline.storage.repository.as_deref().unwrap_or_default())),
        commit,
        data: None,
    };
    (run, tasks)
}

fn task_status(run_status: &str, i: usize, focus: usize, tasks: &[TaskDef]) -> &'static str {
    let downstream_of_focus = |i: usize| {
        let mut frontier = vec![tasks[focus].task_id.as_str()];
        let mut seen = Vec::new();
        while let Some(id) = frontier.pop() {
            for t in tasks {
                if t.depends_on.iter().any(|d| d == id) && !seen.contains(&t.task_id.as_str()) {
                    seen.push(t.task_id.as_str());
                    frontier.push(t.task_id.as_str());
                }
            }
        }
        seen.contains(&tasks[i].task_id.as_str())
    };
    match run_status {
        "SUCCEEDED" => "SUCCEEDED",
        "SKIPPED" => "SKIPPED",
        "CREATED" => "CREATED",
        "FAILED" if i == focus => "FAILED",
        "FAILED" if downstream_of_focus(i) => "SKIPPED",
        "FAILED" => "SUCCEEDED",
        "WARNING" if i == focus => "WARNING",
        "WARNING" => "SUCCEEDED",
        "RUNNING" | "CANCELLING" if i < focus => "SUCCEEDED",
        "RUNNING" if i == focus => "RUNNING",
        "RUNNING" => "QUEUED",
        "CANCELLING" if i == focus => "CANCELLING",
        "CANCELLING" => "QUEUED",
        "CANCELLED" if i < focus => "SUCCEEDED",
        _ => "CANCELLED",
    }
}

fn task_messages(def: &TaskDef, status: &str) -> (Option<String>, Option<String>, Option<String>) {
    match (status, def.integration.as_str()) {
        ("FAILED", "DBT_CORE") => (
            Some("dbt command failed: 1 of 42 models errored".into()),
            Some("error".into()),
            Some("Database Error in model orders_daily (models/marts/orders_daily.sql)\n  000904 (42000): SQL compilation error: error line 14 at position 8\n  invalid identifier 'DISCOUNT_PCT'".into()),
        ),
        ("FAILED", _) => (
            Some(format!("{} failed", def.name)),
            Some("FAILURE".into()),
            Some("Connector sync failed: authentication with the source expired; re-authorise the connection".into()),
        ),
        ("WARNING", _) => (
            Some("dbt command succeeded with 2 test warnings".into()),
            Some("success".into()),
            Some("Warning in test not_null_attribution_touchpoints_campaign_id: got 12 results, configured to warn if != 0".into()),
        ),
        ("SUCCEEDED", _) => (Some("Task succeeded".into()), Some("success".into()), None),
        ("CANCELLED", _) => (Some("Task was cancelled".into()), None, None),
        ("SKIPPED", _) => (Some("Task skipped: an upstream task did not succeed".into()), None, None),
        _ => (None, None, None),
    }
}

/// The log of one attempt of a task run. Deterministic in the task run; the failing
/// attempt ends with the error, as real dbt logs do, with dbt's colour codes around the
/// status words.
pub fn log_text(task: &TaskRun, attempt: u32) -> String {
    let mut out = String::new();
    let start = task.started_at.clone().unwrap_or_else(|| task.created_at.clone());
    let stamp = &start[11..19];
    out.push_str(&format!("{stamp}  Orchestra task {} ({}) attempt {attempt}\n", task.task_name, task.integration));
    out.push_str(&format!(
        "{stamp}  Parameters: {}\n",
        serde_json::to_string(&task.task_parameters).unwrap_or_default()
    ));
    if task.integration == "DBT_CORE" {
        out.push_str(&format!(
            "{stamp}  Running with dbt=1.9.2\n{stamp}  Found 42 models, 118 data tests, 12 sources, 3 exposures\n"
        ));
        for n in 1..=40 {
            out.push_str(&format!(
                "{stamp}  {n} of 42 START sql table model analytics.model_{n:02} ........ [RUN]\n{stamp}  {n} of 42 OK created sql table model analytics.model_{n:02} ... [\u{1b}[32mSUCCESS 1\u{1b}[0m in 2.{n:02}s]\n"
            ));
        }
    } else {
        for n in 1..=60 {
            out.push_str(&format!("{stamp}  sync progress: batch {n} of 60, {} rows\n", n * 1375));
        }
    }
    match task.status.as_str() {
        "FAILED" if attempt == 1 => out.push_str(&format!("{stamp}  ERROR: connection reset by peer; retrying task (attempt 2 of 2)\n")),
        "FAILED" => {
            out.push_str(&format!("{stamp}  41 of 42 ERROR creating sql table model analytics.orders_daily ... [\u{1b}[31mERROR\u{1b}[0m in 1.92s]\n"));
            out.push_str(&format!("{stamp}  Database Error in model orders_daily (models/marts/orders_daily.sql)\n"));
            out.push_str(&format!("{stamp}    000904 (42000): SQL compilation error: error line 14 at position 8\n"));
            out.push_str(&format!("{stamp}    invalid identifier 'DISCOUNT_PCT'\n"));
            out.push_str(&format!("{stamp}  Done. PASS=40 WARN=0 ERROR=1 SKIP=1 TOTAL=42\n"));
        }
        "WARNING" => out.push_str(&format!("{stamp}  Warning in test not_null_attribution_touchpoints_campaign_id: got 12 results\n{stamp}  Done. PASS=40 WARN=2 ERROR=0 SKIP=0 TOTAL=42\n")),
        "RUNNING" | "CANCELLING" => out.push_str(&format!("{stamp}  still running…\n")),
        _ => out.push_str(&format!("{stamp}  Completed successfully\n")),
    }
    out
}

/// The artifacts of a task run: dbt tasks write dbt's three JSON files and a zip.
pub fn artifact_names(task: &TaskRun) -> Vec<&'static str> {
    if task.integration == "DBT_CORE" && task.started_at.is_some() {
        vec!["manifest.json", "run_results.json", "catalog.json", "dbt_artifacts.zip"]
    } else {
        vec![]
    }
}

pub fn artifact_bytes(task: &TaskRun, name: &str) -> Option<Vec<u8>> {
    if !artifact_names(task).contains(&name) {
        return None;
    }
    let failed = task.status == "FAILED";
    let bytes = match name {
        "run_results.json" => {
            let results: Vec<Value> = (1..=42)
                .map(|n| {
                    let (id, status, message) = if failed && n == 41 {
                        ("model.analytics.orders_daily".to_string(), "error", "Database Error in model orders_daily: invalid identifier 'DISCOUNT_PCT'".to_string())
                    } else if failed && n == 42 {
                        ("model.analytics.revenue_daily".to_string(), "skipped", "Skipped: upstream orders_daily failed".to_string())
                    } else {
                        (format!("model.analytics.model_{n:02}"), "success", "SUCCESS 1".to_string())
                    };
                    json!({"unique_id": id, "status": status, "message": message, "execution_time": 1.5 + n as f64 / 10.0, "failures": null})
                })
                .collect();
            serde_json::to_vec_pretty(&json!({
                "metadata": {"dbt_version": "1.9.2", "generated_at": task.completed_at, "invocation_id": task.id},
                "results": results,
                "elapsed_time": 112.4,
                "args": {"which": "build", "select": ["tag:nightly"]}
            }))
            .ok()?
        }
        "manifest.json" => {
            // A realistically large manifest (a few hundred KB) to exercise byte caps and ranges.
            let nodes: Map<String, Value> = (0..1500)
                .map(|n| {
                    (format!("model.analytics.model_{n:04}"), json!({
                        "name": format!("model_{n:04}"), "resource_type": "model", "path": format!("marts/model_{n:04}.sql"),
                        "depends_on": {"nodes": [format!("source.analytics.raw.table_{}", n % 40)]},
                        "config": {"materialized": "table", "tags": ["nightly"]},
                        "raw_code": "select * from {{ source('raw', 'orders') }} where status <> 'cancelled'"
                    }))
                })
                .collect();
            serde_json::to_vec(&json!({"metadata": {"dbt_version": "1.9.2"}, "nodes": nodes})).ok()?
        }
        "catalog.json" => {
            serde_json::to_vec_pretty(&json!({"metadata": {"dbt_version": "1.9.2"}, "nodes": {}, "sources": {}}))
                .ok()?
        }
        "dbt_artifacts.zip" => {
            let mut rng = Rng::new(task.id.len() as u64 * 7919);
            let mut b = vec![0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00];
            b.extend((0..4096).map(|_| rng.below(256) as u8));
            b
        }
        _ => return None,
    };
    Some(bytes)
}
