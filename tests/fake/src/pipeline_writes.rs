//! Pipeline writes, each answered with a `CreateOrUpdatePipelineResponse` (the pipeline,
//! its definition as `data`, and `currentVersionNumber`):
//! - `POST /pipelines` creates (201);
//! - `PUT /pipelines` (selector `alias` or `pipeline_id` in the query, or `alias` or
//!   `pipelineId` in the body) and the older `PUT /pipelines/{alias}` save a new version of
//!   an Orchestra-backed pipeline (200); both forbid extra body keys;
//! - `POST /pipelines/import` imports a YAML file from a connected repository (201, and,
//!   as observed from the API, without `alias` in the answer);
//! - `PATCH /pipelines/storage-settings` moves a pipeline's definition into git (200).
//!
//! Import and storage settings are documented with camelCase bodies, but the official
//! clients send snake_case, which the API accepts; so does the fake.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use serde_json::{Map, Value, json};

use crate::Shared;
use crate::api::{World, detail, forbid_extra, invalid, parse_object, world};
use crate::ids::is_uuid;
use crate::model::{Pipeline, Storage};
use crate::pipelines::pipeline_json;
use crate::seed::{RepositoryFile, ts};
use crate::validate::{camel, check, unprocessable};

type Answer = Result<Response, Response>;

pub const STORAGE_PROVIDERS: &[&str] = &["ORCHESTRA", "AZURE_DEVOPS", "GITHUB", "GITLAB", "BITBUCKET"];

/// `POST /pipelines` (`PublicCreatePipelineRequest`, which allows extra keys).
pub async fn create_pipeline(State(shared): State<Arc<Shared>>, body: Bytes) -> Answer {
    let request = parse_object(&body)?;
    let definition = definition(&request)?;
    let published = published(&request)?;
    let provider = provider(&request, "ORCHESTRA")?;
    let text = |key: &str| request.get(key).and_then(Value::as_str).map(str::to_string);
    let mut w = world(&shared);
    let alias = text("alias").unwrap_or_else(|| slug(definition["name"].as_str().unwrap_or_default()));
    refuse_taken_alias(&w, &alias)?;
    let storage = if provider == "ORCHESTRA" {
        Storage::orchestra(text("yamlPath").unwrap_or_else(|| format!("pipelines/{alias}.yml")))
    } else {
        let (Some(repository), Some(yaml_path), Some(default_branch)) =
            (text("repository"), text("yamlPath"), text("defaultBranch"))
        else {
            return Err(detail(
                StatusCode::BAD_REQUEST,
                "A git-backed pipeline needs repository, yamlPath and defaultBranch",
            ));
        };
        Storage {
            provider,
            repository: Some(repository),
            default_branch: Some(default_branch),
            working_branch: text("workingBranch"),
            yaml_path,
        }
    };
    let now = ts(Timestamp::now());
    let pipeline = Pipeline {
        id: w.rng.uuid4(),
        alias,
        definition,
        storage,
        latest_version_number: 1,
        published_version_number: published.then_some(1),
        created_at: now.clone(),
        updated_at: now,
    };
    let commit = pipeline.storage.is_git().then(|| commit_file(&mut w, &pipeline));
    w.seed.pipelines.push(pipeline.clone());
    Ok((StatusCode::CREATED, axum::Json(answer(&w, &pipeline, commit))).into_response())
}

/// `PUT /pipelines` with the selector in the query or the body (`PublicUpdatePipelineRequest`).
pub async fn update_pipeline(
    State(shared): State<Arc<Shared>>,
    Query(q): Query<HashMap<String, String>>,
    body: Bytes,
) -> Answer {
    let request = parse_object(&body)?;
    forbid_extra(&request, &["data", "published", "alias", "pipelineId"])?;
    let text = |key: &str| request.get(key).and_then(Value::as_str).map(str::to_string);
    let aliases: Vec<String> = [q.get("alias").cloned(), text("alias")].into_iter().flatten().collect();
    let ids: Vec<String> = [q.get("pipeline_id").cloned(), text("pipelineId")].into_iter().flatten().collect();
    if let Some(id) = ids.iter().find(|id| !is_uuid(id)) {
        return Err(invalid(&["body", "pipelineId"], "Input should be a valid UUID", "uuid_parsing", json!(id)));
    }
    let selector = match (aliases.as_slice(), ids.as_slice()) {
        ([alias], []) => Selector::Alias(alias.clone()),
        ([a, b], []) if a == b => Selector::Alias(a.clone()),
        ([], [id]) => Selector::Id(id.clone()),
        ([], [a, b]) if a.eq_ignore_ascii_case(b) => Selector::Id(a.clone()),
        _ => return Err(detail(StatusCode::BAD_REQUEST, "Provide exactly one selector: pipeline_id or alias")),
    };
    save_version(&shared, &selector, &request)
}

/// The older `PUT /pipelines/{alias}`, whose body is `{data, published}` only.
pub async fn update_pipeline_by_alias(
    State(shared): State<Arc<Shared>>,
    Path(alias): Path<String>,
    body: Bytes,
) -> Answer {
    let request = parse_object(&body)?;
    forbid_extra(&request, &["data", "published"])?;
    save_version(&shared, &Selector::Alias(alias), &request)
}

/// `POST /pipelines/import` (`ImportPipelineRequest`).
pub async fn import_pipeline(State(shared): State<Arc<Shared>>, body: Bytes) -> Answer {
    let request =
        camel_body(&body, &["defaultBranch", "repository", "storageProvider", "yamlPath", "alias", "workingBranch"])?;
    let required = required(&request, &["defaultBranch", "repository", "yamlPath"])?;
    let [default_branch, repository, yaml_path] = [&required[0], &required[1], &required[2]];
    let provider = git_provider(&request)?;
    let working_branch = request.get("workingBranch").and_then(Value::as_str).map(str::to_string);
    let branch = working_branch.clone().unwrap_or_else(|| default_branch.clone());
    let mut w = world(&shared);
    let Some(file) = w
        .seed
        .repository_files
        .iter()
        .find(|f| f.repository == *repository && f.branch == branch && f.path == *yaml_path)
        .cloned()
    else {
        return Err(detail(
            StatusCode::NOT_FOUND,
            &format!("File {yaml_path} not found in {repository} on branch {branch}"),
        ));
    };
    if w.seed
        .pipelines
        .iter()
        .any(|p| p.storage.repository.as_ref() == Some(repository) && p.storage.yaml_path == *yaml_path)
    {
        return Err(detail(
            StatusCode::BAD_REQUEST,
            &format!("A pipeline for {repository}/{yaml_path} already exists"),
        ));
    }
    let definition = check(&file.definition, &["file"]).map_err(|problems| {
        detail(
            StatusCode::BAD_REQUEST,
            &format!("{yaml_path} is not a valid pipeline definition: {}", Value::Array(problems)),
        )
    })?;
    let alias = request
        .get("alias")
        .and_then(Value::as_str)
        .map(str::to_string)
        .unwrap_or_else(|| slug(definition["name"].as_str().unwrap_or_default()));
    refuse_taken_alias(&w, &alias)?;
    let now = ts(Timestamp::now());
    let pipeline = Pipeline {
        id: w.rng.uuid4(),
        alias,
        definition,
        storage: Storage {
            provider,
            repository: Some(repository.clone()),
            default_branch: Some(default_branch.clone()),
            working_branch,
            yaml_path: yaml_path.clone(),
        },
        latest_version_number: 1,
        published_version_number: Some(1),
        created_at: now.clone(),
        updated_at: now,
    };
    w.seed.pipelines.push(pipeline.clone());
    let mut answer = answer(&w, &pipeline, None);
    if let Some(fields) = answer.as_object_mut() {
        fields.remove("alias");
    }
    Ok((StatusCode::CREATED, axum::Json(answer)).into_response())
}

/// `PATCH /pipelines/storage-settings?pipeline_id=|alias=` (`PipelineStorageSettingsRequest`):
/// the definition is committed to `path` in the repository, which then holds it.
pub async fn migrate_pipeline(
    State(shared): State<Arc<Shared>>,
    Query(q): Query<HashMap<String, String>>,
    body: Bytes,
) -> Answer {
    let selector = match (q.get("pipeline_id"), q.get("alias")) {
        (Some(id), None) if is_uuid(id) => Selector::Id(id.clone()),
        (Some(id), None) => {
            return Err(invalid(&["query", "pipeline_id"], "Input should be a valid UUID", "uuid_parsing", json!(id)));
        }
        (None, Some(alias)) => Selector::Alias(alias.clone()),
        _ => return Err(detail(StatusCode::BAD_REQUEST, "Provide exactly one selector: pipeline_id or alias")),
    };
    let request = camel_body(&body, &["path", "repository", "storageProvider", "defaultBranch", "workingBranch"])?;
    let required = required(&request, &["path", "repository", "defaultBranch"])?;
    let [path, repository, default_branch] = [&required[0], &required[1], &required[2]];
    let provider = git_provider(&request)?;
    let mut w = world(&shared);
    let index = find(&w, &selector)?;
    let clash =
        w.seed.pipelines.iter().enumerate().any(|(i, p)| {
            i != index && p.storage.repository.as_ref() == Some(repository) && p.storage.yaml_path == *path
        });
    if clash {
        return Err(detail(StatusCode::BAD_REQUEST, &format!("Another pipeline is stored at {repository}/{path}")));
    }
    let pipeline = &mut w.seed.pipelines[index];
    pipeline.storage = Storage {
        provider,
        repository: Some(repository.clone()),
        default_branch: Some(default_branch.clone()),
        working_branch: request.get("workingBranch").and_then(Value::as_str).map(str::to_string),
        yaml_path: path.clone(),
    };
    pipeline.updated_at = ts(Timestamp::now());
    let pipeline = pipeline.clone();
    let commit = commit_file(&mut w, &pipeline);
    ok_answer(&w, &pipeline, Some(commit))
}

enum Selector {
    Id(String),
    Alias(String),
}

fn find(w: &World, selector: &Selector) -> Result<usize, Response> {
    w.seed
        .pipelines
        .iter()
        .position(|p| match selector {
            Selector::Id(id) => p.id.eq_ignore_ascii_case(id),
            Selector::Alias(alias) => p.alias == *alias,
        })
        .ok_or_else(|| detail(StatusCode::NOT_FOUND, "Pipeline not found"))
}

/// Saves `data` as the pipeline's next version, published if asked.
fn save_version(shared: &Shared, selector: &Selector, request: &Map<String, Value>) -> Answer {
    let definition = definition(request)?;
    let published = published(request)?;
    let mut w = world(shared);
    let index = find(&w, selector)?;
    let pipeline = &mut w.seed.pipelines[index];
    if pipeline.storage.is_git() {
        return Err(detail(
            StatusCode::BAD_REQUEST,
            "Git-backed pipelines cannot be updated through this endpoint: change the YAML file in its repository",
        ));
    }
    pipeline.definition = definition;
    pipeline.latest_version_number += 1;
    if published {
        pipeline.published_version_number = Some(pipeline.latest_version_number);
    }
    pipeline.updated_at = ts(Timestamp::now());
    let pipeline = pipeline.clone();
    ok_answer(&w, &pipeline, None)
}

/// Writes the pipeline's definition to its repository file; returns the commit's SHA.
fn commit_file(w: &mut World, pipeline: &Pipeline) -> String {
    let storage = &pipeline.storage;
    let file = RepositoryFile {
        repository: storage.repository.clone().unwrap_or_default(),
        branch: storage.working_branch.clone().or_else(|| storage.default_branch.clone()).unwrap_or_default(),
        path: storage.yaml_path.clone(),
        definition: pipeline.definition.clone(),
    };
    let files = &mut w.seed.repository_files;
    files.retain(|f| !(f.repository == file.repository && f.branch == file.branch && f.path == file.path));
    files.push(file);
    format!("{:016x}{:016x}{:08x}", w.rng.next_u64(), w.rng.next_u64(), w.rng.below(u32::MAX as u64))
}

fn answer(w: &World, pipeline: &Pipeline, commit: Option<String>) -> Value {
    let mut answer = pipeline_json(pipeline, &w.seed.runs);
    answer["data"] = pipeline.definition.clone();
    answer["currentVersionNumber"] = json!(pipeline.latest_version_number);
    if let Some(sha) = commit {
        answer["newCommitSha"] = json!(sha);
        answer["latestFileSha"] = json!(sha);
    }
    answer
}

fn ok_answer(w: &World, pipeline: &Pipeline, commit: Option<String>) -> Answer {
    Ok(axum::Json(answer(w, pipeline, commit)).into_response())
}

fn refuse_taken_alias(w: &World, alias: &str) -> Result<(), Response> {
    if w.seed.pipelines.iter().any(|p| p.alias == alias) {
        return Err(detail(StatusCode::BAD_REQUEST, &format!("A pipeline with alias {alias} already exists")));
    }
    Ok(())
}

/// The request's `data`, checked and in canonical form.
fn definition(request: &Map<String, Value>) -> Result<Value, Response> {
    let Some(data) = request.get("data") else {
        return Err(invalid(&["body", "data"], "Field required", "missing", Value::Object(request.clone())));
    };
    check(data, &["body", "data"]).map_err(unprocessable)
}

fn published(request: &Map<String, Value>) -> Result<bool, Response> {
    match request.get("published") {
        Some(Value::Bool(b)) => Ok(*b),
        Some(other) => {
            Err(invalid(&["body", "published"], "Input should be a valid boolean", "bool_type", other.clone()))
        }
        None => Err(invalid(&["body", "published"], "Field required", "missing", Value::Object(request.clone()))),
    }
}

fn provider(request: &Map<String, Value>, default: &str) -> Result<String, Response> {
    match request.get("storageProvider") {
        None => Ok(default.to_string()),
        Some(Value::String(p)) if STORAGE_PROVIDERS.contains(&p.as_str()) => Ok(p.clone()),
        Some(other) => Err(invalid(
            &["body", "storageProvider"],
            "Input should be 'ORCHESTRA', 'AZURE_DEVOPS', 'GITHUB', 'GITLAB' or 'BITBUCKET'",
            "enum",
            other.clone(),
        )),
    }
}

/// A required `storageProvider` that names a git provider.
fn git_provider(request: &Map<String, Value>) -> Result<String, Response> {
    if !request.contains_key("storageProvider") {
        return Err(invalid(&["body", "storageProvider"], "Field required", "missing", Value::Object(request.clone())));
    }
    let provider = provider(request, "ORCHESTRA")?;
    if provider == "ORCHESTRA" {
        return Err(detail(StatusCode::BAD_REQUEST, "storageProvider must be a git provider"));
    }
    Ok(provider)
}

/// The body with its keys in camelCase (snake_case is accepted), no key beyond `fields`.
fn camel_body(body: &Bytes, fields: &[&str]) -> Result<Map<String, Value>, Response> {
    let request: Map<String, Value> = parse_object(body)?.into_iter().map(|(k, v)| (camel(&k), v)).collect();
    forbid_extra(&request, fields)?;
    Ok(request)
}

/// The string values of required fields, in order; a missing one is 422 `missing`.
fn required(request: &Map<String, Value>, fields: &[&str]) -> Result<Vec<String>, Response> {
    fields
        .iter()
        .map(|field| match request.get(*field) {
            Some(Value::String(s)) => Ok(s.clone()),
            Some(other) => {
                Err(invalid(&["body", field], "Input should be a valid string", "string_type", other.clone()))
            }
            None => Err(invalid(&["body", field], "Field required", "missing", Value::Object(request.clone()))),
        })
        .collect()
}

/// An alias made from a pipeline's name: lowercase words joined by `_`.
fn slug(name: &str) -> String {
    let lowered: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { ' ' }).collect();
    lowered.split_whitespace().collect::<Vec<_>>().join("_")
}
