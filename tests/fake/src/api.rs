//! The endpoints, with the validation rules and error shapes of the real API (FastAPI:
//! `{"detail": "..."}`, and 422 with a `detail` list for invalid parameters).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Json;
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post, put};
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

use crate::Shared;
use crate::ids::{Rng, is_uuid};
use crate::integrations::INTEGRATIONS;
use crate::model::{
    Environment, PIPELINE_RUN_STATUSES, Page, PipelineRun, TASK_RUN_STATUSES, TaskRun, is_terminal_run,
};
use crate::seed::{self, Seed};
use crate::{assets, catalogue, operations, pipeline_writes, pipelines, state, validate, workspace};

type Q = Query<HashMap<String, String>>;
type Answer = Result<Response, Response>;

pub fn router() -> Router<Arc<Shared>> {
    Router::new()
        .route("/api/engine/public/health", get(|| async { Json(json!({"status": "ok"})) }))
        .route("/api/engine/public/environments", get(list_environments).post(workspace::create_environment))
        .route(
            "/api/engine/public/environments/{environment_id}",
            get(workspace::get_environment).patch(workspace::update_environment).delete(workspace::delete_environment),
        )
        .route("/api/engine/public/integrations/connections", get(workspace::list_connections))
        .route("/api/engine/public/integrations/", get(catalogue::list_integrations))
        .route("/api/engine/public/integrations/jobs", get(catalogue::list_jobs))
        .route("/api/engine/public/integrations/{integration}", get(catalogue::get_integration))
        .route("/api/engine/public/sensor_checks/", get(catalogue::list_sensor_checks))
        .route("/api/engine/public/setup_guides/{file_path}", get(catalogue::read_setup_guide))
        .route(
            "/api/engine/public/compute_resources/azure/federated_credentials",
            get(workspace::azure_federated_credentials),
        )
        .route("/api/engine/public/state/{integration}", get(state::get_state).patch(state::update_state))
        .route("/api/engine/public/operations", get(operations::list_operations))
        .route("/api/engine/public/assets", get(assets::list_assets).post(assets::create_asset))
        .route("/api/engine/public/assets/dependencies", post(assets::create_dependencies))
        .route(
            "/api/engine/public/assets/{asset_id}",
            get(assets::get_asset).patch(assets::patch_asset).delete(assets::delete_asset),
        )
        .route("/public/v1/accounts", get(workspace::list_accounts))
        .route(
            "/api/engine/public/pipelines",
            get(pipelines::list_pipelines)
                .post(pipeline_writes::create_pipeline)
                .put(pipeline_writes::update_pipeline)
                .delete(pipelines::delete_pipeline),
        )
        .route("/api/engine/public/pipelines/{alias}", put(pipeline_writes::update_pipeline_by_alias))
        .route("/api/engine/public/pipelines/import", post(pipeline_writes::import_pipeline))
        .route("/api/engine/public/pipelines/storage-settings", patch(pipeline_writes::migrate_pipeline))
        .route("/api/engine/public/pipeline", get(pipelines::get_pipeline))
        .route("/api/engine/public/pipelines/data", get(pipelines::get_pipeline_data))
        .route("/api/engine/public/pipelines/schema", post(validate::validate_pipeline))
        .route("/api/engine/public/pipelines/{pipeline_id_or_alias}/start", post(start_pipeline))
        .route("/api/engine/public/pipeline_runs", get(list_pipeline_runs))
        .route("/api/engine/public/pipeline_runs/{run_id}/status", get(get_pipeline_run_status))
        .route("/api/engine/public/pipeline_runs/{run_id}/cancel", post(cancel_pipeline_run))
        .route("/api/engine/public/pipeline_runs/{run_id}/task_runs", get(list_run_task_runs))
        .route("/api/engine/public/pipeline_runs/{run_id}/task_runs/{task_run_id}/logs", get(list_logs))
        .route("/api/engine/public/pipeline_runs/{run_id}/task_runs/{task_run_id}/logs/download", get(download_log))
        .route("/api/engine/public/pipeline_runs/{run_id}/task_runs/{task_run_id}/artifacts", get(list_artifacts))
        .route(
            "/api/engine/public/pipeline_runs/{run_id}/task_runs/{task_run_id}/artifacts/download",
            get(download_artifact),
        )
        .route("/api/engine/public/task_runs", get(list_task_runs))
        .fallback(|| async { detail(StatusCode::NOT_FOUND, "Not Found") })
}

/// `{"detail": message}` with a status.
pub fn detail(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({ "detail": message }))).into_response()
}

/// FastAPI's 422 for one invalid parameter.
pub(crate) fn invalid(loc: &[&str], msg: &str, kind: &str, input: Value) -> Response {
    let loc: Vec<Value> = loc.iter().map(|s| json!(s)).collect();
    (
        StatusCode::UNPROCESSABLE_ENTITY,
        Json(json!({ "detail": [{ "type": kind, "loc": loc, "msg": msg, "input": input }] })),
    )
        .into_response()
}

pub(crate) fn ok<T: serde::Serialize>(value: T) -> Answer {
    Ok(Json(value).into_response())
}

/// A run started or cancelled through the API, advanced lazily on every request.
struct LiveRun {
    created: Instant,
    run_duration: Duration,
    cancel_requested: Option<Instant>,
    /// Seeded live runs keep their status until cancelled.
    seeded: bool,
}

pub struct World {
    pub(crate) seed: Seed,
    live: HashMap<String, LiveRun>,
    pub(crate) rng: Rng,
    run_duration: Duration,
}

/// Ids and names tests can use.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub environments: Vec<(String, String)>,
    /// (id, alias) of each pipeline.
    pub pipelines: Vec<(String, String)>,
    /// (run id, pipeline id, status, created at), newest first.
    pub runs: Vec<(String, String, String, String)>,
    /// (task run id, pipeline run id, status, integration).
    pub task_runs: Vec<(String, String, String, String)>,
}

impl World {
    pub fn seeded(run_duration: Duration) -> Self {
        Self { seed: seed::world(Timestamp::now()), live: HashMap::new(), rng: Rng::new(0x5eed), run_duration }
    }

    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            environments: self.seed.environments.iter().map(|e| (e.environment_id.clone(), e.name.clone())).collect(),
            pipelines: self.seed.pipelines.iter().map(|p| (p.id.clone(), p.alias.clone())).collect(),
            runs: self
                .seed
                .runs
                .iter()
                .map(|r| (r.id.clone(), r.pipeline_id.clone(), r.run_status.clone(), r.created_at.clone()))
                .collect(),
            task_runs: self
                .seed
                .task_runs
                .iter()
                .map(|t| (t.id.clone(), t.pipeline_run_id.clone(), t.status.clone(), t.integration.clone()))
                .collect(),
        }
    }

    /// Moves runs started or cancelled through the API along their lifecycle.
    fn advance(&mut self) {
        let now = Instant::now();
        let stamp = seed::ts(Timestamp::now());
        for (run_id, live) in &self.live {
            let status = match live.cancel_requested {
                Some(at) if now.duration_since(at) < Duration::from_millis(300) => "CANCELLING",
                Some(_) => "CANCELLED",
                None if live.seeded => continue,
                None if now.duration_since(live.created) < Duration::from_millis(300) => "CREATED",
                None if now.duration_since(live.created) < live.run_duration => "RUNNING",
                None => "SUCCEEDED",
            };
            let Some(run) = self.seed.runs.iter_mut().find(|r| &r.id == run_id) else {
                continue;
            };
            if run.run_status == status {
                continue;
            }
            run.run_status = status.to_string();
            run.updated_at = stamp.clone();
            run.message = match status {
                "RUNNING" => "Pipeline run is in progress.",
                "SUCCEEDED" => "All tasks have succeeded.",
                "CANCELLING" => "Pipeline run is being cancelled.",
                "CANCELLED" => "Pipeline run was cancelled by a user.",
                _ => "Pipeline run has been created.",
            }
            .to_string();
            if status != "CREATED" && run.started_at.is_none() {
                run.started_at = Some(stamp.clone());
            }
            if is_terminal_run(status) {
                run.completed_at = Some(stamp.clone());
            }
            for task in self.seed.task_runs.iter_mut().filter(|t| &t.pipeline_run_id == run_id) {
                if matches!(task.status.as_str(), "SUCCEEDED" | "FAILED" | "WARNING" | "SKIPPED" | "CANCELLED") {
                    continue;
                }
                task.status = match status {
                    "RUNNING" => "RUNNING",
                    "CANCELLING" => "CANCELLING",
                    "CREATED" => "CREATED",
                    other => other,
                }
                .to_string();
                task.updated_at = stamp.clone();
                if task.status != "CREATED" && task.started_at.is_none() {
                    task.started_at = Some(stamp.clone());
                    task.number_of_attempts = Some(1);
                }
                if matches!(task.status.as_str(), "SUCCEEDED" | "CANCELLED") {
                    task.completed_at = Some(stamp.clone());
                }
            }
        }
    }

    fn run(&self, id: &str) -> Option<&PipelineRun> {
        self.seed.runs.iter().find(|r| r.id.eq_ignore_ascii_case(id))
    }

    fn task_run(&self, run_id: &str, task_run_id: &str) -> Option<&TaskRun> {
        self.seed
            .task_runs
            .iter()
            .find(|t| t.id.eq_ignore_ascii_case(task_run_id) && t.pipeline_run_id.eq_ignore_ascii_case(run_id))
    }
}

/// Locks the world and advances live runs.
pub(crate) fn world(shared: &Shared) -> std::sync::MutexGuard<'_, World> {
    let mut w = shared.world();
    w.advance();
    w
}

// ---------- query parameter rules ----------

fn parse_time(q: &HashMap<String, String>, name: &str) -> Result<Option<Timestamp>, Response> {
    let Some(raw) = q.get(name) else {
        return Ok(None);
    };
    if let Ok(t) = raw.parse::<Timestamp>() {
        return Ok(Some(t));
    }
    // FastAPI also takes a naive datetime; Orchestra treats it as UTC.
    if let Ok(dt) = raw.parse::<jiff::civil::DateTime>()
        && let Ok(z) = dt.to_zoned(jiff::tz::TimeZone::UTC)
    {
        return Ok(Some(z.timestamp()));
    }
    Err(invalid(&["query", name], "Input should be a valid datetime", "datetime_from_date_parsing", json!(raw)))
}

/// The 7-day window rules: both bounds or neither (then the last 7 days), at most 7 days.
pub(crate) fn window(q: &HashMap<String, String>) -> Result<(Timestamp, Timestamp), Response> {
    let from = parse_time(q, "time_from")?;
    let to = parse_time(q, "time_to")?;
    let seven_days = SignedDuration::from_hours(7 * 24);
    match (from, to) {
        (None, None) => {
            let now = Timestamp::now();
            Ok((now - seven_days, now))
        }
        (Some(from), Some(to)) => {
            if from > to {
                return Err(detail(StatusCode::BAD_REQUEST, "time_from must be before time_to"));
            }
            if to.duration_since(from) > seven_days {
                return Err(detail(StatusCode::BAD_REQUEST, "The maximum time range is 7 days"));
            }
            Ok((from, to))
        }
        _ => Err(detail(
            StatusCode::BAD_REQUEST,
            "Both time_from and time_to must be provided, or neither (the last 7 days)",
        )),
    }
}

/// A comma-separated filter whose values must come from `allowed`.
pub(crate) fn csv_enum(
    q: &HashMap<String, String>,
    name: &str,
    allowed: &[&str],
) -> Result<Option<Vec<String>>, Response> {
    let Some(raw) = q.get(name) else {
        return Ok(None);
    };
    let values: Vec<String> = raw.split(',').map(|s| s.trim().to_string()).collect();
    if let Some(bad) = values.iter().find(|v| !allowed.contains(&v.as_str())) {
        return Err(not_one_of(name, allowed, bad));
    }
    Ok(Some(values))
}

/// A query parameter that takes one value of an enum (not CSV).
pub(crate) fn one_of(q: &HashMap<String, String>, name: &str, allowed: &[&str]) -> Result<Option<String>, Response> {
    match q.get(name) {
        Some(v) if !allowed.contains(&v.as_str()) => Err(not_one_of(name, allowed, v)),
        other => Ok(other.cloned()),
    }
}

/// FastAPI's 422 for a value outside an enum.
fn not_one_of(name: &str, allowed: &[&str], bad: &str) -> Response {
    let expected = allowed.iter().map(|a| format!("'{a}'")).collect::<Vec<_>>().join(", ");
    invalid(&["query", name], &format!("Input should be {expected}"), "enum", json!(bad))
}

pub(crate) fn csv_uuids(q: &HashMap<String, String>, name: &str) -> Result<Option<Vec<String>>, Response> {
    let Some(raw) = q.get(name) else {
        return Ok(None);
    };
    let values: Vec<String> = raw.split(',').map(|s| s.trim().to_ascii_lowercase()).collect();
    if let Some(bad) = values.iter().find(|v| !is_uuid(v)) {
        return Err(invalid(&["query", name], "Input should be a valid UUID", "uuid_parsing", json!(bad)));
    }
    Ok(Some(values))
}

pub(crate) fn paging(q: &HashMap<String, String>, default_size: u64, max_size: u64) -> Result<(u64, u64), Response> {
    let number = |name: &str, default: u64, max: u64| -> Result<u64, Response> {
        let Some(raw) = q.get(name) else {
            return Ok(default);
        };
        let n: i64 = raw.parse().map_err(|_| {
            invalid(
                &["query", name],
                "Input should be a valid integer, unable to parse string as an integer",
                "int_parsing",
                json!(raw),
            )
        })?;
        if n < 1 {
            return Err(invalid(
                &["query", name],
                "Input should be greater than or equal to 1",
                "greater_than_equal",
                json!(n),
            ));
        }
        if n as u64 > max {
            return Err(invalid(
                &["query", name],
                &format!("Input should be less than or equal to {max}"),
                "less_than_equal",
                json!(n),
            ));
        }
        Ok(n as u64)
    };
    Ok((number("page", 1, u64::MAX)?, number("page_size", default_size, max_size)?))
}

pub(crate) fn page<T: Clone + serde::Serialize>(items: Vec<T>, page: u64, page_size: u64) -> Answer {
    let total = items.len() as u64;
    let start = ((page - 1).saturating_mul(page_size)).min(total) as usize;
    let results: Vec<T> = items.into_iter().skip(start).take(page_size as usize).collect();
    ok(Page { page, page_size, total, results })
}

pub(crate) fn path_uuid(value: &str, name: &str) -> Result<String, Response> {
    if is_uuid(value) {
        Ok(value.to_ascii_lowercase())
    } else {
        Err(invalid(&["path", name], "Input should be a valid UUID", "uuid_parsing", json!(value)))
    }
}

pub(crate) fn created_in(created_at: &str, from: Timestamp, to: Timestamp) -> bool {
    created_at.parse::<Timestamp>().is_ok_and(|t| t >= from && t <= to)
}

/// An optional JSON object body whose keys must be among `fields` (the models forbid extras).
pub(crate) fn body_object(body: &Bytes, fields: &[&str]) -> Result<serde_json::Map<String, Value>, Response> {
    let object = parse_object(body)?;
    forbid_extra(&object, fields)?;
    Ok(object)
}

/// The JSON object of a request body (an empty body is an empty object).
pub(crate) fn parse_object(body: &Bytes) -> Result<serde_json::Map<String, Value>, Response> {
    if body.is_empty() {
        return Ok(serde_json::Map::new());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(o)) => Ok(o),
        Ok(other) => {
            Err(invalid(&["body"], "Input should be a valid dictionary or object", "model_attributes_type", other))
        }
        Err(_) => Err(invalid(&["body"], "JSON decode error", "json_invalid", json!(String::from_utf8_lossy(body)))),
    }
}

/// A model with `additionalProperties: false`: any other key is 422 `extra_forbidden`.
pub(crate) fn forbid_extra(object: &serde_json::Map<String, Value>, fields: &[&str]) -> Result<(), Response> {
    match object.keys().find(|k| !fields.contains(&k.as_str())) {
        Some(extra) => {
            Err(invalid(&["body", extra], "Extra inputs are not permitted", "extra_forbidden", object[extra].clone()))
        }
        None => Ok(()),
    }
}

// ---------- handlers ----------

async fn list_environments(State(shared): State<Arc<Shared>>) -> Json<Vec<Environment>> {
    Json(world(&shared).seed.environments.clone())
}

async fn list_pipeline_runs(State(shared): State<Arc<Shared>>, Query(q): Q) -> Answer {
    let (from, to) = window(&q)?;
    let statuses = csv_enum(&q, "status", PIPELINE_RUN_STATUSES)?;
    let pipeline_ids = csv_uuids(&q, "pipeline_ids")?;
    let run_ids = csv_uuids(&q, "pipeline_run_ids")?;
    let envs = csv_uuids(&q, "environments")?;
    let (page_no, page_size) = paging(&q, 50, 100)?;
    let w = world(&shared);
    let runs: Vec<PipelineRun> = w
        .seed
        .runs
        .iter()
        .filter(|r| created_in(&r.created_at, from, to))
        .filter(|r| statuses.as_ref().is_none_or(|s| s.contains(&r.run_status)))
        .filter(|r| pipeline_ids.as_ref().is_none_or(|s| s.contains(&r.pipeline_id)))
        .filter(|r| run_ids.as_ref().is_none_or(|s| s.contains(&r.id)))
        .filter(|r| envs.as_ref().is_none_or(|s| r.env_id.as_ref().is_some_and(|e| s.contains(e))))
        .cloned()
        .collect();
    page(runs, page_no, page_size)
}

async fn get_pipeline_run_status(State(shared): State<Arc<Shared>>, Path(run_id): Path<String>) -> Answer {
    let run_id = path_uuid(&run_id, "pipeline_run_id")?;
    let w = world(&shared);
    match w.run(&run_id) {
        Some(run) => ok(run),
        None => Err(detail(StatusCode::NOT_FOUND, "Pipeline run not found")),
    }
}

async fn cancel_pipeline_run(State(shared): State<Arc<Shared>>, Path(run_id): Path<String>, body: Bytes) -> Answer {
    let run_id = path_uuid(&run_id, "pipeline_run_id")?;
    let request = body_object(&body, &["force"])?;
    if request.get("force").is_some_and(|f| !f.is_boolean()) {
        return Err(invalid(
            &["body", "force"],
            "Input should be a valid boolean",
            "bool_type",
            request["force"].clone(),
        ));
    }
    let mut w = world(&shared);
    let Some(run) = w.run(&run_id) else {
        return Err(detail(StatusCode::NOT_FOUND, "Pipeline run not found"));
    };
    if is_terminal_run(&run.run_status) || run.run_status == "CANCELLING" {
        let status = run.run_status.clone();
        return Err(detail(StatusCode::BAD_REQUEST, &format!("Pipeline run cannot be cancelled: it is {status}")));
    }
    let run_duration = w.run_duration;
    let live = w.live.entry(run_id).or_insert(LiveRun {
        created: Instant::now(),
        run_duration,
        cancel_requested: None,
        seeded: true,
    });
    live.cancel_requested = Some(Instant::now());
    w.advance();
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn list_run_task_runs(State(shared): State<Arc<Shared>>, Path(run_id): Path<String>, Query(q): Q) -> Answer {
    let run_id = path_uuid(&run_id, "pipeline_run_id")?;
    let (page_no, page_size) = paging(&q, 10, 50)?;
    let w = world(&shared);
    if w.run(&run_id).is_none() {
        return Err(detail(StatusCode::NOT_FOUND, "Pipeline run not found"));
    }
    let tasks: Vec<TaskRun> = w.seed.task_runs.iter().filter(|t| t.pipeline_run_id == run_id).cloned().collect();
    page(tasks, page_no, page_size)
}

async fn list_task_runs(State(shared): State<Arc<Shared>>, Query(q): Q) -> Answer {
    let (from, to) = window(&q)?;
    let statuses = csv_enum(&q, "status", TASK_RUN_STATUSES)?;
    let pipeline_ids = csv_uuids(&q, "pipeline_ids")?;
    let integrations = csv_enum(&q, "integration", INTEGRATIONS)?;
    let ids = csv_uuids(&q, "task_run_ids")?;
    let (page_no, page_size) = paging(&q, 50, 100)?;
    let w = world(&shared);
    let tasks: Vec<TaskRun> = w
        .seed
        .task_runs
        .iter()
        .filter(|t| created_in(&t.created_at, from, to))
        .filter(|t| statuses.as_ref().is_none_or(|s| s.contains(&t.status)))
        .filter(|t| pipeline_ids.as_ref().is_none_or(|s| s.contains(&t.pipeline_id)))
        .filter(|t| integrations.as_ref().is_none_or(|s| s.contains(&t.integration)))
        .filter(|t| ids.as_ref().is_none_or(|s| s.contains(&t.id)))
        .cloned()
        .collect();
    page(tasks, page_no, page_size)
}

fn find_task(w: &World, run_id: &str, task_run_id: &str) -> Result<TaskRun, Response> {
    let run_id = path_uuid(run_id, "pipeline_run_id")?;
    let task_run_id = path_uuid(task_run_id, "task_run_id")?;
    w.task_run(&run_id, &task_run_id).cloned().ok_or_else(|| detail(StatusCode::NOT_FOUND, "Task run not found"))
}

fn attempts(task: &TaskRun) -> u32 {
    task.number_of_attempts.unwrap_or(0).max(0) as u32
}

async fn list_logs(State(shared): State<Arc<Shared>>, Path((run_id, task_run_id)): Path<(String, String)>) -> Answer {
    let task = find_task(&world(&shared), &run_id, &task_run_id)?;
    let names: Vec<String> = (1..=attempts(&task)).map(|a| format!("attempt-{a}.log")).collect();
    let files: serde_json::Map<String, Value> = names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.clone(), json!({"attemptNumber": i + 1, "displayName": format!("Attempt {}", i + 1)})))
        .collect();
    ok(json!({ "filenames": names, "files": files }))
}

async fn download_log(
    State(shared): State<Arc<Shared>>,
    Path((run_id, task_run_id)): Path<(String, String)>,
    Query(q): Q,
    headers: HeaderMap,
) -> Answer {
    let task = find_task(&world(&shared), &run_id, &task_run_id)?;
    let filename =
        q.get("filename").ok_or_else(|| invalid(&["query", "filename"], "Field required", "missing", Value::Null))?;
    let attempt = filename
        .strip_prefix("attempt-")
        .and_then(|s| s.strip_suffix(".log"))
        .and_then(|n| n.parse::<u32>().ok())
        .filter(|n| (1..=attempts(&task)).contains(n))
        .ok_or_else(|| detail(StatusCode::NOT_FOUND, "Log file not found"))?;
    let pending = !matches!(task.status.as_str(), "SUCCEEDED" | "FAILED" | "WARNING" | "SKIPPED" | "CANCELLED");
    Ok(bytes_response(seed::log_text(&task, attempt).into_bytes(), &headers, "text/plain; charset=utf-8", pending))
}

async fn list_artifacts(
    State(shared): State<Arc<Shared>>,
    Path((run_id, task_run_id)): Path<(String, String)>,
) -> Answer {
    let task = find_task(&world(&shared), &run_id, &task_run_id)?;
    ok(json!({ "filenames": seed::artifact_names(&task) }))
}

async fn download_artifact(
    State(shared): State<Arc<Shared>>,
    Path((run_id, task_run_id)): Path<(String, String)>,
    Query(q): Q,
    headers: HeaderMap,
) -> Answer {
    let task = find_task(&world(&shared), &run_id, &task_run_id)?;
    let filename =
        q.get("filename").ok_or_else(|| invalid(&["query", "filename"], "Field required", "missing", Value::Null))?;
    let bytes =
        seed::artifact_bytes(&task, filename).ok_or_else(|| detail(StatusCode::NOT_FOUND, "Artifact not found"))?;
    let content_type = if filename.ends_with(".json") { "application/json" } else { "application/octet-stream" };
    Ok(bytes_response(bytes, &headers, content_type, false))
}

/// A single `bytes=` range: `a-b`, `a-` or `-n`. `Err` = unsatisfiable; `None` = no usable range.
fn parse_range(header: &str, len: u64) -> Result<Option<(u64, u64)>, ()> {
    let Some(spec) = header.trim().strip_prefix("bytes=") else {
        return Ok(None);
    };
    if spec.contains(',') {
        return Ok(None);
    }
    let Some((a, b)) = spec.split_once('-') else {
        return Ok(None);
    };
    let (a, b) = (a.trim(), b.trim());
    if a.is_empty() {
        let Ok(n) = b.parse::<u64>() else {
            return Ok(None);
        };
        if n == 0 || len == 0 {
            return Err(());
        }
        return Ok(Some((len.saturating_sub(n), len - 1)));
    }
    let Ok(start) = a.parse::<u64>() else {
        return Ok(None);
    };
    let end = if b.is_empty() {
        len.saturating_sub(1)
    } else {
        match b.parse::<u64>() {
            Ok(end) if end >= start => end.min(len.saturating_sub(1)),
            _ => return Ok(None),
        }
    };
    if start >= len {
        return Err(());
    }
    Ok(Some((start, end)))
}

fn bytes_response(bytes: Vec<u8>, headers: &HeaderMap, content_type: &str, pending: bool) -> Response {
    let len = bytes.len() as u64;
    let range = headers.get(header::RANGE).and_then(|v| v.to_str().ok()).map(|h| parse_range(h, len));
    let mut builder =
        Response::builder().header(header::CONTENT_TYPE, content_type).header(header::ACCEPT_RANGES, "bytes");
    if pending {
        builder = builder.header("x-file-status", "PENDING");
    }
    let response = match range {
        Some(Err(())) => builder
            .status(StatusCode::RANGE_NOT_SATISFIABLE)
            .header(header::CONTENT_RANGE, format!("bytes */{len}"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(json!({"detail": "Requested range not satisfiable"}).to_string())),
        Some(Ok(Some((start, end)))) => builder
            .status(StatusCode::PARTIAL_CONTENT)
            .header(header::CONTENT_RANGE, format!("bytes {start}-{end}/{len}"))
            .body(Body::from(bytes[start as usize..=end as usize].to_vec())),
        _ => builder.status(StatusCode::OK).body(Body::from(bytes)),
    };
    response.unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

async fn start_pipeline(State(shared): State<Arc<Shared>>, Path(pipeline_ref): Path<String>, body: Bytes) -> Answer {
    const FIELDS: &[&str] = &[
        "versionNumber",
        "branch",
        "commit",
        "taskIds",
        "continueDownstreamRun",
        "runInputs",
        "data",
        "ciRunId",
        "environment",
        "environmentOverrides",
        "retryFromFailed",
    ];
    let request = body_object(&body, FIELDS)?;
    let mut w = world(&shared);
    let Some(pipeline) =
        w.seed.pipelines.iter().find(|p| p.id.eq_ignore_ascii_case(&pipeline_ref) || p.alias == pipeline_ref).cloned()
    else {
        return Err(detail(StatusCode::NOT_FOUND, "Pipeline not found"));
    };
    let inputs = request.get("runInputs").and_then(Value::as_object);
    for required in pipeline.required_inputs() {
        if !inputs.is_some_and(|i| i.contains_key(&required)) {
            return Err(detail(StatusCode::BAD_REQUEST, &format!("Missing required pipeline input: {required}")));
        }
    }
    let env = match request.get("environment").and_then(Value::as_str) {
        None => w.seed.environments.iter().find(|e| e.default_env).cloned(),
        Some(name) => w.seed.environments.iter().find(|e| e.name == name || e.environment_id == name).cloned(),
    };
    let Some(env) = env else {
        return Err(detail(StatusCode::BAD_REQUEST, "Environment not found"));
    };
    if let Some(v) = request.get("versionNumber").and_then(Value::as_i64)
        && (v < 1 || v > pipeline.latest_version_number)
    {
        return Err(detail(StatusCode::NOT_FOUND, &format!("Pipeline version {v} not found")));
    }
    if let Some(tasks) = request.get("taskIds").and_then(Value::as_array)
        && let Some(unknown) =
            tasks.iter().filter_map(Value::as_str).find(|t| !pipeline.tasks().iter().any(|d| d.task_id == *t))
    {
        return Err(detail(StatusCode::BAD_REQUEST, &format!("Task {unknown} is not in the pipeline")));
    }
    if (request.contains_key("branch") || request.contains_key("commit")) && !pipeline.storage.is_git() {
        return Err(detail(StatusCode::BAD_REQUEST, "branch and commit apply to git-backed pipelines only"));
    }
    let trigger = json!({"triggerType": "WEBHOOK", "integration": "HTTP"});
    let mut rng = w.rng.clone();
    let now = Timestamp::now();
    let (mut run, tasks) = seed::make_run(&mut rng, &pipeline, &env, "CREATED", now, now, Some(trigger));
    w.rng = rng;
    if let Some(branch) = request.get("branch").and_then(Value::as_str) {
        run.branch = Some(branch.to_string());
    }
    if let Some(commit) = request.get("commit").and_then(Value::as_str) {
        run.commit = Some(commit.to_string());
    }
    if let Some(v) = request.get("versionNumber").and_then(Value::as_i64) {
        run.pipeline_version_number = Some(v);
    }
    let run_id = run.id.clone();
    w.seed.runs.insert(0, run);
    w.seed.task_runs.extend(tasks);
    let run_duration = w.run_duration;
    w.live.insert(
        run_id.clone(),
        LiveRun { created: Instant::now(), run_duration, cancel_requested: None, seeded: false },
    );
    ok(json!({ "id": pipeline.id, "pipelineRunId": run_id, "message": "Pipeline run created successfully" }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_follow_rfc_9110() {
        assert_eq!(parse_range("bytes=0-9", 100), Ok(Some((0, 9))));
        assert_eq!(parse_range("bytes=90-", 100), Ok(Some((90, 99))));
        assert_eq!(parse_range("bytes=-10", 100), Ok(Some((90, 99))));
        assert_eq!(parse_range("bytes=-1000", 100), Ok(Some((0, 99))));
        assert_eq!(parse_range("bytes=50-5000", 100), Ok(Some((50, 99))));
        assert_eq!(parse_range("bytes=100-", 100), Err(()));
        assert_eq!(parse_range("bytes=-0", 100), Err(()));
        assert_eq!(parse_range("items=0-1", 100), Ok(None));
    }

    proptest::proptest! {
        #[test]
        fn any_range_header_is_answered_within_the_file(header in ".{0,30}", len in 0u64..10_000) {
            if let Ok(Some((start, end))) = parse_range(&header, len) {
                proptest::prop_assert!(start <= end && end < len, "{header:?} on {len} bytes gave {start}-{end}");
            }
        }

        #[test]
        fn well_formed_ranges_are_served(len in 1u64..10_000, a in 0u64..10_000, n in 1u64..10_000) {
            let a = a % len;
            proptest::prop_assert_eq!(parse_range(&format!("bytes={a}-"), len), Ok(Some((a, len - 1))));
            proptest::prop_assert_eq!(parse_range(&format!("bytes=-{n}"), len), Ok(Some((len.saturating_sub(n), len - 1))));
            proptest::prop_assert_eq!(parse_range(&format!("bytes={len}-"), len), Err(()));
        }
    }

    #[test]
    fn the_seed_has_every_status() {
        let w = World::seeded(Duration::from_secs(1));
        for status in PIPELINE_RUN_STATUSES {
            assert!(w.seed.runs.iter().any(|r| r.run_status == *status), "no {status} run");
        }
        assert!(w.seed.task_runs.iter().any(|t| t.status == "FAILED" && t.number_of_attempts == Some(2)));
    }
}
