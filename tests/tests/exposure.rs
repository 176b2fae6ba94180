//! Which tools the server exposes under each switch, through the real binary: hidden tools
//! are absent from `tools/list` and refused when called, read-only mode holds against
//! enables, a toolset never brings its opt-in tools, and a switch that names nothing (or a
//! surface of no tools) stops start-up with the nearest real name.

use orchestra_tests::{FakeOptions, FakeOrchestra, Server, ServerOptions, run_binary, stderr, stdout};
use serde_json::{Value, json};

async fn server_with(fake: &FakeOrchestra, env: &[(&str, &str)]) -> Server {
    Server::start(ServerOptions { env: orchestra_tests::env(env), ..ServerOptions::for_fake(fake) })
        .await
        .expect("server starts")
}

fn names(server: &Server) -> Vec<String> {
    server.tools.iter().map(|t| t.name.to_string()).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn read_only_mode_exposes_no_write_tool_and_refuses_calls_to_one() {
    let fake = FakeOrchestra::start(FakeOptions::default()).await.unwrap();
    let server = server_with(
        &fake,
        &[("ORCHESTRA_MCP_READ_ONLY", "1"), ("ORCHESTRA_MCP_ENABLE_TOOLS", "start_pipeline,whats_broken")],
    )
    .await;
    assert_eq!(names(&server), ["whats_broken"], "read-only wins over an enable");
    assert!(server.tools.iter().all(|t| t.annotations.as_ref().and_then(|a| a.read_only_hint) == Some(true)));
    let error = server.try_call("start_pipeline", json!({"pipeline_id_or_alias": "daily_refresh"})).await.unwrap_err();
    let message = error.to_string();
    assert!(message.contains("not enabled") && message.contains("ORCHESTRA_MCP_ENABLE_TOOLS"), "{message}");
    assert!(fake.requests().is_empty(), "nothing reached Orchestra");
    server.ok("whats_broken", json!({})).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn toolsets_switch_on_and_off() {
    let fake = FakeOrchestra::start(FakeOptions::default()).await.unwrap();
    let triage = server_with(&fake, &[("ORCHESTRA_MCP_ENABLE_TRIAGE", "true")]).await;
    assert_eq!(names(&triage), ["whats_broken", "diagnose_task_run", "pipeline_context"]);

    let default = server_with(&fake, &[]).await;
    let trimmed =
        server_with(&fake, &[("ORCHESTRA_MCP_DISABLE_LOGS", "yes"), ("ORCHESTRA_MCP_DISABLE_TOOLS", "start_pipeline")])
            .await;
    let expected: Vec<String> = names(&default)
        .into_iter()
        .filter(|n| !matches!(n.as_str(), "list_task_run_logs" | "get_task_run_log" | "start_pipeline"))
        .collect();
    assert_eq!(names(&trimmed), expected);
}

/// The names `orchestra-mcp tools --json` lists with these arguments and environment.
async fn listed(args: &[&str], env: &[(&str, &str)]) -> Vec<String> {
    let mut all = vec!["tools", "--json"];
    all.extend_from_slice(args);
    let out = run_binary(&all, env).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let tools: Vec<Value> = serde_json::from_str(&stdout(&out)).expect("tools --json prints the tools/list entries");
    tools.iter().map(|t| t["name"].as_str().unwrap().to_string()).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_toolset_never_exposes_its_opt_in_tools() {
    let narrowed = listed(&["--enable-toolsets", "pipelines,environments"], &[]).await;
    assert!(narrowed.contains(&"start_pipeline".to_string()) && narrowed.contains(&"list_environments".to_string()));
    for destructive in ["delete_pipeline", "delete_environment"] {
        assert!(!narrowed.contains(&destructive.to_string()), "{destructive} came with its toolset: {narrowed:?}");
    }
    let assets = listed(&[], &[("ORCHESTRA_MCP_ENABLE_ASSETS", "true")]).await;
    assert_eq!(assets, ["list_assets", "get_asset"], "no asset write came with the toolset");
    // Named, an opt-in tool is exposed beside its toolset.
    let named = listed(&["--enable-toolsets", "pipelines", "--enable-tools", "delete_pipeline"], &[]).await;
    assert!(named.contains(&"delete_pipeline".to_string()), "{named:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_switch_that_names_nothing_stops_start_up_and_names_the_nearest_real_one() {
    for (args, env, wrong, near) in [
        (vec![], vec![("ORCHESTRA_MCP_ENABLE_TRAIGE", "true")], "traige", "triage"),
        (vec!["--disable-tools", "start_pipelin"], vec![], "start_pipelin", "start_pipeline"),
        (vec!["--enable-tools", "whats_brokn"], vec![], "whats_brokn", "whats_broken"),
    ] {
        let mut all = vec!["tools"];
        all.extend_from_slice(&args);
        let out = run_binary(&all, &env).await;
        assert!(!out.status.success(), "{args:?} {env:?} must not start");
        let message = stderr(&out);
        assert!(
            message.contains(&format!("{wrong:?}")) && message.contains(&format!("did you mean {near:?}?")),
            "{message}"
        );
        assert!(stdout(&out).is_empty());

        // doctor fails on it too, with a fix.
        let mut doctor = vec!["doctor", "--fake"];
        doctor.extend_from_slice(&args);
        let out = run_binary(&doctor, &env).await;
        assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
        assert!(stdout(&out).contains("[FAIL] tools:") && stdout(&out).contains(near), "{}", stdout(&out));
    }
    // A toolset of opt-in tools only exposes nothing, which is refused, saying how to name them.
    let out = run_binary(&["tools", "--enable-toolsets", "state"], &[]).await;
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("no tool at all")
            && stderr(&out).contains("ORCHESTRA_MCP_ENABLE_TOOLS=get_integration_state,update_integration_state"),
        "{}",
        stderr(&out)
    );
}
