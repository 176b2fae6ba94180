use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::api::Client;
use crate::args;
use crate::error::unexpected;
use crate::tool::READ;
use crate::wit::ToolError;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Args {
    /// The pipeline YAML's content (`version`, `name`, `pipeline`, ...).
    pub definition: Map<String, Value>,
    /// Also return it as Orchestra stores it.
    #[serde(default)]
    pub canonicalize: bool,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Output {
    /// True when Orchestra accepts the definition.
    pub valid: bool,
    /// Orchestra's message for a valid definition.
    pub message: Option<String>,
    /// What is wrong, each with where in the definition (`pipeline.main.tasks.dbt.integration`).
    pub problems: Vec<Problem>,
    /// The canonical form, when asked for and valid.
    pub canonical: Option<Map<String, Value>>,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Problem {
    /// Dotted path into the definition; empty for the document itself.
    pub path: String,
    pub message: String,
    /// Orchestra's (pydantic's) error type, e.g. `missing`, `enum`, `value_error`.
    pub kind: String,
}

/// Reads FastAPI's 422 `detail` list; `loc` starts with `body`, which is the definition.
fn problems(answer: &Value) -> Vec<Problem> {
    let items = answer.get("detail").and_then(Value::as_array).cloned().unwrap_or_default();
    items
        .iter()
        .map(|item| {
            let loc: Vec<String> = item
                .get("loc")
                .and_then(Value::as_array)
                .map(|l| l.iter().map(|p| p.as_str().map(str::to_string).unwrap_or_else(|| p.to_string())).collect())
                .unwrap_or_default();
            let path = loc.iter().skip_while(|p| *p == "body").cloned().collect::<Vec<_>>().join(".");
            let text = |key: &str| item.get(key).and_then(Value::as_str).unwrap_or_default().to_string();
            Problem { path, message: text("msg"), kind: text("type") }
        })
        .collect()
}

pub async fn run(client: Client, args: Args) -> Result<Output, ToolError> {
    let path =
        format!("/pipelines/schema{}", args::query(&[("canonicalize", args.canonicalize.then(|| "true".to_string()))]));
    let (status, answer) = client
        .public()
        .post_for_answer("POST /pipelines/schema", &path, &Value::Object(args.definition), &[422])
        .await?;
    if status == 422 {
        let problems = problems(&answer);
        if problems.is_empty() {
            return Err(unexpected(format!("POST /pipelines/schema: a 422 without a detail list: {answer}")));
        }
        return Ok(Output { valid: false, message: None, problems, canonical: None });
    }
    Ok(Output {
        valid: true,
        message: answer.get("message").and_then(Value::as_str).map(str::to_string),
        problems: Vec::new(),
        canonical: answer.get("pipeline").and_then(Value::as_object).cloned(),
    })
}

super::single_step_tool! {
    name: "validate_pipeline",
    title: "Validate a pipeline definition",
    toolset: "pipelines",
    annotations: READ,
    args: Args,
    output: Output,
    run: run,
}
