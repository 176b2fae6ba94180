//! The prompts: workflows a user can pick in their client, written as the first user
//! message. They name the tools to use in order, so any model follows the same path.

use serde_json::{Map, Value};

use crate::error::invalid;
use crate::wit::{PromptArgument, PromptDescriptor, PromptMessage, Role, ToolError};

fn argument(name: &str, description: &str, required: bool) -> PromptArgument {
    PromptArgument { name: name.to_string(), description: description.to_string(), required }
}

pub fn all() -> Vec<PromptDescriptor> {
    vec![
        PromptDescriptor {
            name: "triage".into(),
            title: "What broke, and why?".into(),
            description: "Find the failing and warning pipeline runs of a recent window, diagnose each failing \
                          task from its messages and log, group them by cause and propose fixes, changing nothing."
                .into(),
            arguments: vec![
                argument("window", "How far back to look, e.g. `24h` (default), `3d`, `yesterday`.", false),
                argument("environment", "Only this environment (name or id), e.g. `Production`.", false),
            ],
        },
        PromptDescriptor {
            name: "fix_failed_run".into(),
            title: "Fix a failed run".into(),
            description: "Work out why one pipeline run failed and what would fix it: in the code or data, in the \
                          pipeline definition, or a transient failure to retry; each change or start only after \
                          asking."
                .into(),
            arguments: vec![argument("pipeline_run_id", "The failed pipeline run's id (UUID).", true)],
        },
    ]
}

/// A prompt's messages; `arguments` is the JSON object of string values the client sent.
pub fn get(name: &str, arguments: &str) -> Result<Vec<PromptMessage>, ToolError> {
    let arguments: Map<String, Value> = serde_json::from_str(arguments).unwrap_or_default();
    let text = |key: &str| arguments.get(key).and_then(Value::as_str).map(str::trim).filter(|v| !v.is_empty());
    let message = match name {
        "triage" => triage(text("window").unwrap_or("24h"), text("environment"))?,
        "fix_failed_run" => {
            let id =
                text("pipeline_run_id").ok_or_else(|| invalid("pipeline_run_id", "the failed run's id is required"))?;
            fix_failed_run(&crate::args::uuid("pipeline_run_id", id)?)
        }
        other => {
            let names: Vec<String> = all().into_iter().map(|p| p.name).collect();
            return Err(invalid("name", format!("no prompt is named {other:?}; prompts: {}", names.join(", "))));
        }
    };
    Ok(vec![PromptMessage { role: Role::User, text: message }])
}

fn triage(window: &str, environment: Option<&str>) -> Result<String, ToolError> {
    // The window goes into a tool call as written: check it as the tools would.
    crate::args::parse_time("window", window, crate::tools::now())?;
    let (scope, filter) = match environment {
        Some(env) => (format!(" in the {env} environment"), format!(", environment \"{env}\"")),
        None => (String::new(), String::new()),
    };
    Ok(format!(
        "What broke in Orchestra in the last {window}{scope}, and why?

1. Call `whats_broken` with time_from \"{window}\"{filter}. It lists the failing and warning runs, each with its \
failing tasks and their messages.
2. For each failing task (newest first, at most five), call `diagnose_task_run` with its task run id. Read the \
error lines of the log tail and the integration's own message.
3. Group the failures that share a cause. For each cause give the pipelines and tasks affected, the evidence (quote \
the error line), the likely cause and the fix.
4. Say which pipelines are still failing and which have recovered since (`pipeline_context` shows a pipeline's \
recent outcomes).

Change nothing: do not start, cancel or edit anything. Propose the actions and ask first."
    ))
}

fn fix_failed_run(run_id: &str) -> String {
    format!(
        "Help me fix the failed Orchestra pipeline run {run_id}.

1. Call `get_pipeline_run` for {run_id}: which pipeline, when, and Orchestra's message.
2. Call `list_task_runs` with pipeline_run_id {run_id} and status [\"FAILED\"], then `diagnose_task_run` for each \
failing task: its parameters, upstream statuses, log tail and artifacts.
3. Decide where the fault lies, and show the evidence:
   - in code or data (a dbt model or test, a query): read `run_results.json` with `get_task_run_artifact` and name \
the model or test and the change to make in the repository;
   - in the pipeline definition (parameters, dependencies): read it with `get_pipeline_definition`, change it, check \
it with `validate_pipeline`, and offer to save it with `update_pipeline` as a draft (published: false);
   - transient (a timeout, a connection since repaired; `list_integration_connections` shows their state): offer \
`start_pipeline` with retry_from_failed: true.
4. Ask before any change or start. After a start, follow the new run with `wait_for_run` and report how it ended."
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_prompt_renders_and_names_only_real_tools() {
        let tools: Vec<&str> = crate::catalogue::all().iter().map(|t| t.name).collect();
        let run = "286cb489-54f0-499b-b531-b84e3909ac9b";
        for (name, args) in
            [("triage", "{}".to_string()), ("fix_failed_run", format!("{{\"pipeline_run_id\":\"{run}\"}}"))]
        {
            let text = &get(name, &args).unwrap()[0].text;
            for word in
                text.split('`').skip(1).step_by(2).filter(|w| w.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
            {
                assert!(tools.contains(&word) || word.contains('.'), "{name} names {word}, which is not a tool");
            }
        }
        assert!(get("fix_failed_run", "{}").is_err());
        assert!(get("triage", r#"{"window": "last tuesday-ish"}"#).is_err());
        assert!(get("nope", "{}").is_err());
    }
}
