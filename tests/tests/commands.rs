//! The one-shot commands as a user runs them from a shell against the fake: `call`,
//! `tools`, `doctor`, the key from a file or a command, and the config file's place in the
//! precedence (flags, then environment, then the file, then defaults).

use std::process::Output;

use orchestra_tests::{FakeOptions, FakeOrchestra, Server, ServerOptions, server_binary};
use serde_json::{Value, json};

use orchestra_tests::{run_binary as run, stderr, stdout};

/// The environment that points the binary at `fake` with `key`.
fn at<'a>(base_url: &'a str, key: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![("ORCHESTRA_BASE_URL", base_url), ("ORCHESTRA_API_KEY", key), ("ORCHESTRA_ALLOW_INSECURE_LOOPBACK", "1")]
}

#[tokio::test(flavor = "multi_thread")]
async fn call_gives_the_same_result_as_mcp_and_exit_codes_tell_the_outcome() {
    let fake = FakeOrchestra::start(FakeOptions::default()).await.unwrap();
    let base = fake.base_url();
    let env = at(&base, fake.api_key());
    let server = Server::start(ServerOptions::for_fake(&fake)).await.unwrap();
    let over_mcp = server.ok("list_environments", json!({})).await;

    let out = run(&["call", "list_environments"], &env).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let printed: Value = serde_json::from_str(&stdout(&out)).expect("stdout is the result's JSON");
    assert_eq!(printed, over_mcp);

    let out = run(&["call", "list_pipeline_runs", "--args", r#"{"status": ["BROKEN"]}"#], &env).await;
    assert_eq!(out.status.code(), Some(1), "a tool error");
    assert!(stderr(&out).contains("status/0") && stdout(&out).is_empty(), "{}", stderr(&out));

    let out = run(&["call", "no_such_tool"], &env).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("unknown tool") && stderr(&out).contains("whats_broken"), "{}", stderr(&out));
    let out = run(&["call", "delete_pipeline", "--args", r#"{"pipeline_id_or_alias": "x"}"#], &env).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("ORCHESTRA_MCP_ENABLE_TOOLS=delete_pipeline"), "{}", stderr(&out));
    let out = run(&["call", "list_environments", "--args", "[1, 2]"], &env).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("JSON object"), "{}", stderr(&out));
    assert!(!stdout(&out).contains(fake.api_key()) && !stderr(&out).contains(fake.api_key()));
}

#[tokio::test(flavor = "multi_thread")]
async fn tools_lists_the_exposed_surface_as_a_table_or_as_tools_list_json() {
    let fake = FakeOrchestra::start(FakeOptions::default()).await.unwrap();
    let server = Server::start(ServerOptions::for_fake(&fake)).await.unwrap();
    let out = run(&["tools", "--json"], &[]).await;
    assert!(out.status.success(), "no key is needed to list tools: {}", stderr(&out));
    let listed: Vec<Value> = serde_json::from_str(&stdout(&out)).unwrap();
    let names: Vec<&str> = listed.iter().map(|t| t["name"].as_str().unwrap()).collect();
    let over_mcp: Vec<&str> = server.tools.iter().map(|t| t.name.as_ref()).collect();
    assert_eq!(names, over_mcp);

    let out = run(&["tools", "--read-only"], &[]).await;
    let table = stdout(&out);
    assert!(table.contains("whats_broken") && table.contains("reads"), "{table}");
    assert!(!table.contains("start_pipeline") && !table.contains("writes"), "read-only: {table}");
}

#[tokio::test(flavor = "multi_thread")]
async fn doctor_passes_against_the_fake_and_names_the_right_host_for_a_rejected_key() {
    let fake = FakeOrchestra::start(FakeOptions::default()).await.unwrap();
    let base = fake.base_url();
    let out = run(&["doctor"], &at(&base, fake.api_key())).await;
    let report = stdout(&out);
    assert!(out.status.success(), "{report}\n{}", stderr(&out));
    for line in
        ["API key: set (from ORCHESTRA_API_KEY)", "API key accepted", "workspace: Acme Data", "Metadata API) readable"]
    {
        assert!(report.contains(line), "{line:?} missing:\n{report}");
    }
    assert!(!report.contains("FAIL"), "{report}");

    // The key belongs to another Orchestra: doctor finds which, and says what to set.
    let other =
        FakeOrchestra::start(FakeOptions { api_key: "stage-key".into(), ..FakeOptions::default() }).await.unwrap();
    let other_base = other.base_url();
    let out = run(&["doctor", "--also-try", &other_base], &at(&base, "stage-key")).await;
    let report = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{report}");
    assert!(report.contains("[FAIL] API key not accepted") && report.contains("401"), "{report}");
    assert!(report.contains(&format!("the key is accepted by {other_base}")), "{report}");
    assert!(report.contains(&format!("fix: set ORCHESTRA_BASE_URL={other_base}")), "{report}");
    assert!(!report.contains("stage-key") && !stderr(&out).contains("stage-key"), "the key is never shown");
    // A host that is not one of Orchestra's environments has no known siblings to try.
    let out = run(&["doctor"], &at(&base, "stage-key")).await;
    let report = stdout(&out);
    assert!(report.contains("tried against") && report.contains("--also-try"), "{report}");

    let out = run(&["doctor"], &[("ORCHESTRA_BASE_URL", &base), ("ORCHESTRA_ALLOW_INSECURE_LOOPBACK", "1")]).await;
    let report = stdout(&out);
    assert_eq!(out.status.code(), Some(1));
    assert!(report.contains("[FAIL] API key: not set") && report.contains("ORCHESTRA_API_KEY_COMMAND"), "{report}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_key_can_come_from_a_file_or_a_command_and_a_broken_source_is_reported() {
    let fake = FakeOrchestra::start(FakeOptions::default()).await.unwrap();
    let base = fake.base_url();
    let dir = tempfile::tempdir().unwrap();
    let key_file = dir.path().join("orchestra-key");
    std::fs::write(&key_file, format!("{}\n", fake.api_key())).unwrap();
    let key_file = key_file.to_string_lossy().into_owned();
    let common = [("ORCHESTRA_BASE_URL", base.as_str()), ("ORCHESTRA_ALLOW_INSECURE_LOOPBACK", "1")];

    let with = |extra: (&'static str, String)| {
        let mut env: Vec<(&str, String)> = common.iter().map(|(k, v)| (*k, v.to_string())).collect();
        env.push(extra);
        env
    };
    for source in [
        ("ORCHESTRA_API_KEY_FILE", key_file.clone()),
        ("ORCHESTRA_API_KEY_COMMAND", format!("printf '%s' '{}'", fake.api_key())),
    ] {
        let env = with(source.clone());
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let out = run(&["call", "list_environments"], &env).await;
        assert!(out.status.success(), "{}: {}", source.0, stderr(&out));
        let out = run(&["doctor"], &env).await;
        assert!(stdout(&out).contains(&format!(
            "API key: set (from the {}",
            if source.0.ends_with("FILE") { "file" } else { "command" }
        )));
    }

    // What the command printed is never shown (the command's text is: it is configuration).
    let env = with(("ORCHESTRA_API_KEY_COMMAND", "echo $((6*7))-printed; exit 7".into()));
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let out = run(&["call", "list_environments"], &env).await;
    assert!(!out.status.success());
    assert!(stderr(&out).contains("exit status: 7") && !stderr(&out).contains("42-printed"), "{}", stderr(&out));
    let env = with(("ORCHESTRA_API_KEY_FILE", "/nonexistent/key".into()));
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let out = run(&["serve"], &env).await;
    assert!(!out.status.success() && stderr(&out).contains("/nonexistent/key"), "{}", stderr(&out));
}

#[tokio::test(flavor = "multi_thread")]
async fn flags_beat_the_environment_which_beats_the_config_file() {
    let fake = FakeOrchestra::start(FakeOptions::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("config.toml");
    std::fs::write(
        &file,
        format!(
            "[orchestra]\nbase_url = \"{}\"\nallow_insecure_loopback = true\n\
             [tools]\nread_only = true\nenable_toolsets = [\"triage\", \"pipeline_runs\"]\n",
            fake.base_url()
        ),
    )
    .unwrap();
    let config = file.to_string_lossy().into_owned();
    let names = |out: &Output| -> Vec<String> {
        let tools: Vec<Value> = serde_json::from_str(&stdout(out)).unwrap_or_else(|_| panic!("{}", stderr(out)));
        tools.iter().map(|t| t["name"].as_str().unwrap().to_string()).collect()
    };

    let from_file = names(&run(&["tools", "--json", "--config", &config], &[]).await);
    assert!(from_file.contains(&"whats_broken".to_string()) && from_file.contains(&"list_pipeline_runs".into()));
    assert!(!from_file.contains(&"cancel_pipeline_run".to_string()), "read-only from the file: {from_file:?}");
    let env = [("ORCHESTRA_MCP_CONFIG", config.as_str()), ("ORCHESTRA_MCP_READ_ONLY", "false")];
    let from_env = names(&run(&["tools", "--json"], &env).await);
    assert!(from_env.contains(&"cancel_pipeline_run".to_string()), "the environment beats the file: {from_env:?}");
    let from_flag = names(&run(&["tools", "--json", "--read-only"], &env).await);
    assert!(!from_flag.contains(&"cancel_pipeline_run".to_string()), "the flag beats the environment");
    assert_eq!(from_flag, from_file, "the file's toolsets still apply");

    // The file's base URL is used (doctor says so), and a key in the file is refused.
    let out = run(&["doctor", "--config", &config], &[("ORCHESTRA_API_KEY", fake.api_key())]).await;
    assert!(out.status.success(), "{}", stdout(&out));
    assert!(stdout(&out).contains(&format!("(from the config file {config})")), "{}", stdout(&out));
    // doctor says where each setting that is not a default came from.
    let env = [("ORCHESTRA_API_KEY", fake.api_key()), ("ORCHESTRA_MCP_CPU_MS", "5000")];
    let out = run(&["doctor", "--config", &config, "--memory-mb=64"], &env).await;
    let report = stdout(&out);
    for line in [
        format!("[tools] read_only = true (from the config file {config})"),
        "[sandbox] cpu_ms = 5000 (from the environment variable ORCHESTRA_MCP_CPU_MS)".to_string(),
        "[sandbox] memory_mb = 64 (from the --memory-mb flag)".to_string(),
    ] {
        assert!(report.contains(&line), "{line} in:\n{report}");
    }
    std::fs::write(&file, "api_key = \"hunter2\"\n").unwrap();
    let out = run(&["tools", "--config", &config], &[]).await;
    assert!(!out.status.success() && stderr(&out).contains("api_key_command"), "{}", stderr(&out));
    assert!(!stderr(&out).contains("hunter2"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_base_url_that_is_not_orchestra_fails_doctor_and_calls_say_the_base_url_is_wrong() {
    let fake = FakeOrchestra::start(FakeOptions::default()).await.unwrap();
    // Every path below this base answers 404 "Not Found", as a server without the API does.
    let wrong = format!("{}/v2", fake.base_url());
    let env = at(&wrong, fake.api_key());
    let out = run(&["doctor"], &env).await;
    let report = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{report}");
    assert!(report.contains("[FAIL] the base URL answers, but not as Orchestra's API"), "{report}");
    assert!(!report.contains("API key accepted") && !report.contains("Metadata API"), "{report}");

    let out = run(&["call", "list_pipelines"], &env).await;
    assert_eq!(out.status.code(), Some(1));
    let text = stderr(&out);
    assert!(text.contains("404") && text.contains("base URL is probably wrong"), "{text}");
    assert!(!text.contains("matches that id"), "no id was given: {text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn without_a_key_calls_are_refused_before_sending_and_doctor_does_not_blame_the_key() {
    let fake = FakeOrchestra::start(FakeOptions::default()).await.unwrap();
    let base = fake.base_url();
    let env = [("ORCHESTRA_BASE_URL", base.as_str()), ("ORCHESTRA_ALLOW_INSECURE_LOOPBACK", "1")];
    let out = run(&["call", "list_pipelines"], &env).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("ORCHESTRA_API_KEY") && stderr(&out).contains("nothing was sent"),
        "{}",
        stderr(&out)
    );
    assert!(fake.requests().is_empty(), "nothing reached Orchestra: {:?}", fake.requests());

    // Validating a definition needs no key, so it is sent.
    let definition = r#"{"definition": {"version": "v1", "name": "x", "pipeline": {}}}"#;
    run(&["call", "validate_pipeline", "--args", definition], &env).await;
    assert!(fake.requests().iter().any(|r| r.path == "/pipelines/schema"));

    let out = run(&["doctor"], &env).await;
    let report = stdout(&out);
    assert!(
        report.contains("[FAIL] API key: not set") && report.contains("not checked, since none is set"),
        "{report}"
    );
    assert!(!report.contains("not accepted"), "{report}");
}

#[tokio::test(flavor = "multi_thread")]
async fn listing_tools_never_reads_the_key_and_a_key_that_cannot_be_one_is_refused() {
    let slow = [("ORCHESTRA_API_KEY_COMMAND", "sleep 100; echo a-key-from-a-slow-command")];
    let listing = tokio::time::timeout(std::time::Duration::from_secs(30), run(&["tools"], &slow)).await;
    let out = listing.expect("tools does not wait for the key command");
    assert!(out.status.success(), "{}", stderr(&out));

    let fake = FakeOrchestra::start(FakeOptions::default()).await.unwrap();
    let base = fake.base_url();
    for (source, value, expected) in [
        ("ORCHESTRA_API_KEY_COMMAND", "echo $((6*7))-secret-line; echo $((6*7))-secret-line", "2 lines"),
        ("ORCHESTRA_API_KEY", "k", "too short"),
    ] {
        let env = [(source, value), ("ORCHESTRA_BASE_URL", base.as_str()), ("ORCHESTRA_ALLOW_INSECURE_LOOPBACK", "1")];
        for command in [&["serve"][..], &["call", "list_environments"]] {
            let out = run(command, &env).await;
            assert!(!out.status.success(), "{source}={value:?} {command:?}");
            assert!(stderr(&out).contains(expected) && !stderr(&out).contains("42-"), "{}", stderr(&out));
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn switches_take_their_value_after_an_equals_sign_and_never_swallow_the_next_word() {
    let out = run(&["call", "--fake", "--read-only", "start_pipeline"], &[]).await;
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("not enabled") && !stderr(&out).contains("invalid value"), "{}", stderr(&out));
    let out =
        run(&["call", "--fake", "--read-only=false", "--allow-insecure-loopback", "list_environments"], &[]).await;
    assert!(out.status.success(), "{}", stderr(&out));
}

#[tokio::test(flavor = "multi_thread")]
async fn calls_chain_against_one_fake_that_lives_across_them() {
    use tokio::io::AsyncBufReadExt;
    let mut fake = tokio::process::Command::new(server_binary())
        .args(["fake", "--listen", "127.0.0.1:0"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = tokio::io::BufReader::new(fake.stdout.take().unwrap()).lines();
    let exports = lines.next_line().await.unwrap().expect("the fake prints its settings");
    let settings: Vec<(String, String)> = exports
        .strip_prefix("export ")
        .expect("an export line")
        .split(' ')
        .map(|pair| pair.split_once('=').map(|(k, v)| (k.to_string(), v.to_string())).unwrap())
        .collect();
    let env: Vec<(&str, &str)> = settings.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();

    let out = run(&["call", "start_pipeline", "--args", r#"{"pipeline_id_or_alias": "hourly_ingest"}"#], &env).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let started: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let wait = json!({"pipeline_run_id": started["pipelineRunId"], "poll_interval_seconds": 2}).to_string();
    let out = run(&["call", "wait_for_run", "--args", &wait], &env).await;
    assert!(out.status.success(), "the second call sees the first call's run: {}", stderr(&out));
    let done: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(done["status"], "SUCCEEDED", "{done}");

    let pid = fake.id().unwrap().to_string();
    tokio::process::Command::new("kill").args(["-TERM", &pid]).status().await.unwrap();
    let status = tokio::time::timeout(std::time::Duration::from_secs(10), fake.wait()).await.unwrap().unwrap();
    assert!(status.success(), "{status}");
}

#[tokio::test(flavor = "multi_thread")]
async fn each_command_helps_with_only_its_own_settings_under_their_headings() {
    let help = stdout(&run(&["tools", "--help"], &[]).await);
    for shown in ["Tools exposed:", "Component:", "--read-only", "--enable-toolsets <TOOLSETS>", "--cache-dir <PATH>"] {
        assert!(help.contains(shown), "tools --help shows {shown}:\n{help}");
    }
    for hidden in
        ["--cpu-ms", "--dedupe-window-secs", "--api-key-command", "--http", "--allow-host", "--fake", "Sandbox:"]
    {
        assert!(!help.contains(hidden), "tools never uses {hidden}:\n{help}");
    }
    let help = stdout(&run(&["serve", "-h"], &[]).await);
    let headings = ["Orchestra:", "API key:", "Tools exposed:", "Component:", "Sandbox:", "HTTP (serve --http):"];
    let at: Vec<usize> = headings.iter().map(|h| help.find(h).unwrap_or_else(|| panic!("{h} in:\n{help}"))).collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "headings in order:\n{help}");
    assert!(help.contains("--allow-host <URL>") && help.contains("--http-allowed-host <HOST>"), "{help}");
    let help = stdout(&run(&["call", "--help"], &[]).await);
    assert!(help.contains("--cpu-ms") && !help.contains("--http-token-file"), "call has no HTTP settings:\n{help}");

    let script = run(&["completions", "bash"], &[]).await;
    let text = stdout(&script);
    assert!(
        script.status.success() && text.contains("complete -F _orchestra__mcp") && text.contains("--enable-toolsets"),
        "{text}"
    );
    let page = stdout(&run(&["man"], &[]).await);
    assert!(page.starts_with(".ie") || page.contains(".TH orchestra-mcp"), "{page}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_version_names_the_commit_and_the_embedded_component() {
    let version = stdout(&run(&["--version"], &[]).await);
    let command = |program: &str, args: &[&str]| {
        let out = std::process::Command::new(program).args(args).output().expect("the tool runs");
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    let commit = command("git", &["rev-parse", "--short=12", "HEAD"]);
    assert!(version.contains(&format!("commit: {commit}")), "{version}");
    let component = orchestra_tests::target_profile_dir().join("../components/orchestra-mcp-tools.wasm");
    let sum = command("sha256sum", &[&component.to_string_lossy()]);
    let digest = sum.split_whitespace().next().expect("sha256sum prints the digest");
    assert!(version.contains(&format!("tool component: sha256:{digest}")), "{version} vs {sum}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bare_serve_in_a_terminal_says_it_waits_for_a_client_and_a_piped_one_does_not() {
    use tokio::io::AsyncReadExt;
    // `script` gives the server a terminal for stdin, as a user's shell would.
    let command = format!("{} serve", server_binary().display());
    let mut child = tokio::process::Command::new("script")
        .args(["-qfec", &command, "/dev/null"])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("ORCHESTRA_MCP_CACHE_DIR", orchestra_tests::cache_dir())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("script runs");
    let mut terminal = child.stdout.take().unwrap();
    let mut seen = String::new();
    let hint = "waiting for an MCP client";
    let read = tokio::time::timeout(std::time::Duration::from_secs(60), async {
        let mut buffer = [0u8; 4096];
        while !seen.contains("orchestra-mcp demo") {
            let n = terminal.read(&mut buffer).await.expect("the terminal reads");
            if n == 0 {
                break;
            }
            seen.push_str(&String::from_utf8_lossy(&buffer[..n]));
        }
    })
    .await;
    child.kill().await.ok();
    assert!(read.is_ok() && seen.contains(hint) && seen.contains("orchestra-mcp demo"), "{seen}");

    let piped = run(&["serve"], &[]).await;
    assert!(piped.status.success() && !stderr(&piped).contains(hint), "{}", stderr(&piped));
}
