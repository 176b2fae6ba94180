//! Test support: start the real `orchestra-mcp` binary as an MCP server over stdio, drive
//! it with rmcp's client, and check results against the tools' own output schemas.
//!
//! The binary is the one cargo builds for the host package's integration tests
//! (`target/<profile>/orchestra-mcp`); run the suite from the workspace root with `cargo test`.

use std::path::PathBuf;
use std::process::Stdio;
use std::sync::{Arc, Mutex};

use anyhow::Context;
use rmcp::ServiceExt;
use rmcp::model::{CallToolRequestParams, CallToolResult, Tool};
use rmcp::service::{RoleClient, RunningService, ServiceError};
use serde_json::Value;
use tokio::io::AsyncReadExt;

pub use orchestra_fake::{FakeOptions, FakeOrchestra, Injection};

pub mod nginx;
pub mod tools;

/// `target/<profile>/`, where cargo put this test and the server binary.
pub fn target_profile_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test knows its own path");
    // Tests run from target/<profile>/deps/, binaries such as the benchmark from target/<profile>/.
    let dir = exe.parent().expect("an executable lives in a directory");
    if dir.ends_with("deps") { dir.parent().unwrap_or(dir).to_path_buf() } else { dir.to_path_buf() }
}

/// The server binary under test.
pub fn server_binary() -> PathBuf {
    let path = target_profile_dir().join("orchestra-mcp");
    assert!(
        path.exists(),
        "{} is missing: run the suite with `cargo test --release` from the workspace root, which builds it",
        path.display()
    );
    path
}

/// The probe component (`tests/guests/probe`), built by this crate's build script.
pub fn probe_component() -> PathBuf {
    PathBuf::from(env!("PROBE_GUEST_WASM"))
}

/// A compile cache shared by the tests of one build, so only the first server compiles.
pub fn cache_dir() -> PathBuf {
    target_profile_dir().join("test-compile-cache")
}

/// Runs the binary with only the given environment (plus PATH and a test cache), the way
/// a user's shell would with those variables set, and waits for it to end.
pub async fn run_binary(args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let mut command = tokio::process::Command::new(server_binary());
    command
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("ORCHESTRA_MCP_CACHE_DIR", cache_dir())
        .stdin(Stdio::null());
    for (k, v) in env {
        command.env(k, v);
    }
    command.output().await.expect("the binary runs")
}

pub fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// How to start a server.
#[derive(Debug, Clone, Default)]
pub struct ServerOptions {
    pub base_url: String,
    pub api_key: Option<String>,
    pub component: Option<PathBuf>,
    pub env: Vec<(String, String)>,
    /// `RUST_LOG` for the server (default `info`).
    pub rust_log: Option<String>,
}

impl ServerOptions {
    /// A server pointed at `fake` with the fake's key.
    pub fn for_fake(fake: &FakeOrchestra) -> Self {
        Self { base_url: fake.base_url(), api_key: Some(fake.api_key().to_string()), ..Self::default() }
    }
}

/// A running server and an MCP client session with it.
pub struct Server {
    pub client: RunningService<RoleClient, ()>,
    pub tools: Vec<Tool>,
    stderr: Arc<Mutex<String>>,
}

/// The command that runs the server under test with these options.
fn server_command(options: &ServerOptions) -> tokio::process::Command {
    let mut command = tokio::process::Command::new(server_binary());
    command
        .arg("serve")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("ORCHESTRA_BASE_URL", &options.base_url)
        .env("ORCHESTRA_ALLOW_INSECURE_LOOPBACK", "1")
        .env("ORCHESTRA_MCP_CACHE_DIR", cache_dir())
        .env("RUST_LOG", options.rust_log.as_deref().unwrap_or("info"));
    if let Some(key) = &options.api_key {
        command.env("ORCHESTRA_API_KEY", key);
    }
    if let Some(component) = &options.component {
        command.env("ORCHESTRA_MCP_COMPONENT", component);
    }
    for (k, v) in &options.env {
        command.env(k, v);
    }
    command
}

/// Collects a child's stderr in the background.
fn collect(mut pipe: impl tokio::io::AsyncRead + Unpin + Send + 'static) -> Arc<Mutex<String>> {
    let sink = Arc::new(Mutex::new(String::new()));
    let writer = sink.clone();
    tokio::spawn(async move {
        let mut buf = [0u8; 4096];
        while let Ok(n) = pipe.read(&mut buf).await {
            if n == 0 {
                break;
            }
            if let Ok(mut s) = writer.lock() {
                s.push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        }
    });
    sink
}

impl Server {
    pub async fn start(options: ServerOptions) -> anyhow::Result<Self> {
        let command = server_command(&options);
        let (transport, stderr_pipe) =
            rmcp::transport::TokioChildProcess::builder(command).stderr(Stdio::piped()).spawn()?;
        let stderr = stderr_pipe.map(collect).unwrap_or_default();
        let client = ().serve(transport).await.context("MCP handshake")?;
        let tools = client.list_tools(None).await.context("tools/list")?.tools;
        Ok(Self { client, tools, stderr })
    }

    /// Calls a tool; a JSON-RPC error fails the test, an `isError` result does not.
    pub async fn call(&self, tool: &str, arguments: Value) -> CallToolResult {
        self.try_call(tool, arguments).await.unwrap_or_else(|e| panic!("{tool}: protocol error {e}"))
    }

    pub async fn try_call(&self, tool: &str, arguments: Value) -> Result<CallToolResult, ServiceError> {
        let arguments = arguments.as_object().cloned().unwrap_or_default();
        self.client.call_tool(CallToolRequestParams::new(tool.to_string()).with_arguments(arguments)).await
    }

    /// Calls a tool that must succeed; checks the result against its output schema and
    /// returns the structured content.
    pub async fn ok(&self, tool: &str, arguments: Value) -> Value {
        let result = self.call(tool, arguments).await;
        assert!(!result.is_error.unwrap_or(false), "{tool} failed: {}", text(&result));
        let structured = result.structured_content.clone().unwrap_or_else(|| panic!("{tool}: no structuredContent"));
        assert_matches_output_schema(&self.tools, tool, &structured);
        let text_block: Value = serde_json::from_str(&text(&result)).expect("the text block is the JSON result");
        assert_eq!(text_block, structured, "{tool}: the text block and structuredContent differ");
        structured
    }

    /// Calls a tool that must fail with `isError`; returns its text.
    pub async fn err(&self, tool: &str, arguments: Value) -> String {
        let result = self.call(tool, arguments).await;
        assert!(result.is_error.unwrap_or(false), "{tool} should have failed but returned {}", text(&result));
        assert!(result.structured_content.is_none(), "{tool}: an error result must not carry structuredContent");
        text(&result)
    }

    /// Everything the server wrote to stderr so far.
    pub fn stderr(&self) -> String {
        self.stderr.lock().map(|s| s.clone()).unwrap_or_default()
    }

    pub async fn stop(self) -> String {
        let stderr = self.stderr.clone();
        let _ = self.client.cancel().await;
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        stderr.lock().map(|s| s.clone()).unwrap_or_default()
    }
}

/// The text of a result's content blocks.
pub fn text(result: &CallToolResult) -> String {
    result.content.iter().filter_map(|c| c.as_text().map(|t| t.text.clone())).collect::<Vec<_>>().join("\n")
}

/// Fails unless `value` validates against the `outputSchema` that `tool` publishes.
pub fn assert_matches_output_schema(tools: &[Tool], tool: &str, value: &Value) {
    let schema = tools
        .iter()
        .find(|t| t.name == tool)
        .and_then(|t| t.output_schema.clone())
        .unwrap_or_else(|| panic!("{tool} publishes no outputSchema"));
    let validator = jsonschema::validator_for(&Value::Object((*schema).clone())).expect("output schemas compile");
    let problems: Vec<String> =
        validator.iter_errors(value).map(|e| format!("{}: {e}", e.instance_path().as_str())).collect();
    assert!(problems.is_empty(), "{tool} result does not match its outputSchema:\n{}", problems.join("\n"));
}

/// A test component built by this crate's build script: `probe` or a hostile scenario.
pub fn hostile_component(scenario: &str) -> PathBuf {
    PathBuf::from(env!("HOSTILE_GUESTS_DIR")).join(format!("hostile-{scenario}.wasm"))
}

/// The server driven line by line over raw stdio, for protocol-level tests. Every line it
/// writes to stdout must be a JSON-RPC message, or `recv` fails the test.
pub struct RawSession {
    child: tokio::process::Child,
    stdin: Option<tokio::process::ChildStdin>,
    stdout: tokio::io::Lines<tokio::io::BufReader<tokio::process::ChildStdout>>,
    stderr: Arc<Mutex<String>>,
}

impl RawSession {
    pub async fn start(options: ServerOptions) -> Self {
        let mut command = server_command(&options);
        command.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).kill_on_drop(true);
        let mut child = command.spawn().expect("the server starts");
        let stdin = child.stdin.take();
        let stdout = tokio::io::AsyncBufReadExt::lines(tokio::io::BufReader::new(child.stdout.take().expect("piped")));
        let stderr = collect(child.stderr.take().expect("piped"));
        Self { child, stdin, stdout, stderr }
    }

    /// Writes raw bytes to the server's stdin.
    pub async fn send_raw(&mut self, bytes: &[u8]) {
        use tokio::io::AsyncWriteExt;
        let stdin = self.stdin.as_mut().expect("stdin is open");
        stdin.write_all(bytes).await.expect("the server reads stdin");
        stdin.flush().await.expect("flush");
    }

    /// Sends one JSON-RPC message as a line.
    pub async fn send(&mut self, message: Value) {
        self.send_raw(format!("{message}\n").as_bytes()).await;
    }

    /// The next stdout line as JSON-RPC, or `None` if nothing comes within `wait`.
    pub async fn recv_within(&mut self, wait: std::time::Duration) -> Option<Value> {
        let line = tokio::time::timeout(wait, self.stdout.next_line()).await.ok()?.expect("stdout is readable")?;
        let message: Value =
            serde_json::from_str(&line).unwrap_or_else(|_| panic!("stdout carried a non-JSON line: {line:?}"));
        assert_eq!(message["jsonrpc"], "2.0", "stdout carried JSON that is not JSON-RPC: {line}");
        Some(message)
    }

    /// Waits for the response to request `id`, failing on anything but notifications before it.
    pub async fn response(&mut self, id: i64) -> Value {
        loop {
            let message = self.recv_within(std::time::Duration::from_secs(30)).await.expect("a response arrives");
            if message.get("id") == Some(&Value::from(id)) {
                return message;
            }
            let preview: String = message.to_string().chars().take(300).collect();
            assert!(message.get("id").is_none(), "unexpected response before {id}: {preview}");
        }
    }

    /// The legacy handshake: initialize, then the initialized notification.
    pub async fn initialize(&mut self) {
        self.send(serde_json::json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
            "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "raw", "version": "0"}}}))
            .await;
        let answer = self.response(0).await;
        assert!(answer["result"]["serverInfo"].is_object(), "{answer}");
        self.send(serde_json::json!({"jsonrpc": "2.0", "method": "notifications/initialized"})).await;
    }

    /// Calls a tool and returns the JSON-RPC response.
    pub async fn call(&mut self, id: i64, tool: &str, arguments: Value) -> Value {
        self.send(serde_json::json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
            "params": {"name": tool, "arguments": arguments}}))
            .await;
        self.response(id).await
    }

    /// Sends the process a signal (`TERM`, `INT`), as a client or a supervisor would.
    pub fn signal(&self, name: &str) {
        let pid = self.child.id().expect("the server is running");
        let status = std::process::Command::new("kill").args([&format!("-{name}"), &pid.to_string()]).status();
        assert!(status.is_ok_and(|s| s.success()), "kill -{name} {pid}");
    }

    /// Closes stdin and waits for the process to exit; returns its status and how long it took.
    pub async fn close(mut self) -> (std::process::ExitStatus, std::time::Duration, String) {
        drop(self.stdin.take());
        let started = std::time::Instant::now();
        let status = tokio::time::timeout(std::time::Duration::from_secs(30), self.child.wait())
            .await
            .expect("the server exits after end of input")
            .expect("wait works");
        // Drain what is left: it must still be JSON-RPC only.
        while self.recv_within(std::time::Duration::from_millis(100)).await.is_some() {}
        let stderr = self.stderr.lock().map(|s| s.clone()).unwrap_or_default();
        (status, started.elapsed(), stderr)
    }

    pub fn stderr(&self) -> String {
        self.stderr.lock().map(|s| s.clone()).unwrap_or_default()
    }
}

/// A direct GET, for comparing with what the tools return.
pub async fn http_get(url: &str, headers: &[(&str, &str)]) -> anyhow::Result<(u16, Vec<u8>)> {
    use http_body_util::{BodyExt, Empty};
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build_http::<Empty<bytes::Bytes>>();
    let mut request = hyper::Request::get(url);
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    let response = client.request(request.body(Empty::new())?).await?;
    let status = response.status().as_u16();
    let body = response.into_body().collect().await?.to_bytes().to_vec();
    Ok((status, body))
}

/// A direct POST with a body, for driving the HTTP transport by hand.
pub async fn http_post(url: &str, headers: &[(&str, &str)], body: Vec<u8>) -> anyhow::Result<(u16, Vec<u8>)> {
    let (status, _, body) = http_request("POST", url, headers, body).await?;
    Ok((status, body))
}

/// A direct request: the status, the response headers (names in lower case) and the body.
pub async fn http_request(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: Vec<u8>,
) -> anyhow::Result<(u16, Vec<(String, String)>, Vec<u8>)> {
    use http_body_util::{BodyExt, Full};
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build_http::<Full<bytes::Bytes>>();
    let mut request = hyper::Request::builder().method(method).uri(url);
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    let response = client.request(request.body(Full::new(bytes::Bytes::from(body)))?).await?;
    let status = response.status().as_u16();
    let headers = response
        .headers()
        .iter()
        .map(|(n, v)| (n.as_str().to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
        .collect();
    let body = response.into_body().collect().await?.to_bytes().to_vec();
    Ok((status, headers, body))
}

/// The two MCP protocol eras a client may speak over HTTP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Era {
    /// 2025-11-25: `initialize`, then a session (`Mcp-Session-Id`).
    Sessions,
    /// 2026-07-28: `server/discover`, every request on its own.
    Stateless,
}

/// Calls a tool over streamable HTTP the way a 2026-07-28 client recovers from a refused
/// header (-32020: list the tools again, retry once). rmcp's client (3.9 to 3.11) sometimes
/// delivers a streamed tools/list answer without recording its x-mcp-header annotations
/// (its stream-end path drains queued messages past the cache), and then sends no
/// Mcp-Param-Dedupe-Key; the server refuses such a call before running it, so the retry
/// is safe. Seen under load only.
pub async fn call_over_http(
    client: &RunningService<RoleClient, ()>,
    tool: &str,
    arguments: Value,
) -> Result<CallToolResult, ServiceError> {
    let arguments = arguments.as_object().cloned().unwrap_or_default();
    let params = || CallToolRequestParams::new(tool.to_string()).with_arguments(arguments.clone());
    match client.call_tool(params()).await {
        Err(ServiceError::McpError(e)) if e.code == rmcp::model::ErrorCode::HEADER_MISMATCH => {
            client.list_tools(None).await?;
            client.call_tool(params()).await
        }
        other => other,
    }
}

/// An rmcp client over streamable HTTP in `era`, sending `headers` with every request and,
/// when given, connecting from `local_address` (any of 127.0.0.0/8, so a load balancer
/// on loopback sees clients at distinct addresses).
pub async fn http_client(
    url: &str,
    headers: &[(&str, &str)],
    local_address: Option<std::net::IpAddr>,
    era: Era,
) -> anyhow::Result<RunningService<RoleClient, ()>> {
    use rmcp::transport::StreamableHttpClientTransport;
    use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
    let headers = headers
        .iter()
        .map(|(n, v)| Ok((http::HeaderName::try_from(*n)?, http::HeaderValue::try_from(*v)?)))
        .collect::<anyhow::Result<std::collections::HashMap<_, _>>>()?;
    let config = StreamableHttpClientTransportConfig::with_uri(url.to_string()).custom_headers(headers);
    let client = reqwest::Client::builder().local_address(local_address).build()?;
    let transport = StreamableHttpClientTransport::with_client(client, config);
    let lifecycle = match era {
        Era::Sessions => rmcp::ClientLifecycleMode::Initialize,
        Era::Stateless => {
            rmcp::ClientLifecycleMode::Discover { preferred_versions: vec![rmcp::model::ProtocolVersion::V_2026_07_28] }
        }
    };
    Ok(rmcp::ClientServiceExt::serve_with_lifecycle((), transport, lifecycle).await?)
}

/// `orchestra-mcp serve --http` as a child process, against the fake.
pub struct HttpServer {
    child: tokio::process::Child,
    /// The MCP endpoint, `http://127.0.0.1:PORT/mcp`.
    pub url: String,
    stderr: Arc<Mutex<String>>,
}

impl HttpServer {
    /// Starts the server with `--http <listen>` and these options, and waits until it
    /// says where it listens.
    pub async fn start(options: ServerOptions, listen: &str) -> anyhow::Result<Self> {
        use tokio::io::AsyncBufReadExt;
        let mut command = server_command(&options);
        command.args(["--http", listen]).stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::piped());
        command.kill_on_drop(true);
        let mut child = command.spawn()?;
        let mut lines = tokio::io::BufReader::new(child.stderr.take().context("stderr")?).lines();
        let mut seen = String::new();
        let url = tokio::time::timeout(std::time::Duration::from_secs(60), async {
            while let Some(line) = lines.next_line().await? {
                seen.push_str(&line);
                seen.push('\n');
                if let Some(url) = line.split("serving MCP at ").nth(1) {
                    return Ok(url.trim().to_string());
                }
            }
            anyhow::bail!("the server exited before listening:\n{seen}")
        })
        .await
        .context("waiting for the server to listen")??;
        let stderr = collect(lines.into_inner());
        Ok(Self { child, url, stderr })
    }

    /// The server's process id, while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.id()
    }

    /// What the server logged after it started listening.
    pub fn stderr(&self) -> String {
        self.stderr.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// Kills the server at once (SIGKILL), as a crash or an evicted pod would end it.
    pub fn kill(&mut self) -> anyhow::Result<()> {
        Ok(self.child.start_kill()?)
    }

    /// Sends SIGTERM and waits for the exit status.
    pub async fn terminate(mut self) -> anyhow::Result<std::process::ExitStatus> {
        let pid = self.child.id().context("the server has exited")?;
        let status = tokio::process::Command::new("kill").args(["-TERM", &pid.to_string()]).status().await?;
        anyhow::ensure!(status.success(), "kill failed");
        Ok(tokio::time::timeout(std::time::Duration::from_secs(10), self.child.wait()).await??)
    }
}

/// Environment variables for `ServerOptions::env`, from string pairs.
pub fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

/// A JSON value that must be an array, for tests that walk results.
pub fn array(value: &Value) -> &Vec<Value> {
    value.as_array().unwrap_or_else(|| panic!("not an array: {value}"))
}

/// One progress notification: progress, total, message.
pub type Progress = (f64, Option<f64>, Option<String>);

/// An MCP client handler that records the progress notifications it receives.
#[derive(Clone, Default)]
pub struct ProgressLog(pub Arc<Mutex<Vec<Progress>>>);

impl rmcp::ClientHandler for ProgressLog {
    async fn on_progress(
        &self,
        params: rmcp::model::ProgressNotificationParam,
        _context: rmcp::service::NotificationContext<RoleClient>,
    ) {
        if let Ok(mut log) = self.0.lock() {
            log.push((params.progress, params.total, params.message));
        }
    }
}
