//! The MCP bundle (`.mcpb`, for Claude Desktop and other MCPB hosts), packed from the
//! binary the test build made with `packaging/mcpb/pack.sh` and the mcpb CLI (npm
//! `@anthropic-ai/mcpb`), then unpacked and started the way a bundle host starts it: the
//! manifest's command with `${__dirname}` and each `${user_config.*}` filled in, served to an
//! MCP client against the fake on loopback.

use std::collections::BTreeMap;
use std::process::Command;

use orchestra_tests::tools::{ensure_clients, node_bin, workspace};
use orchestra_tests::{FakeOptions, FakeOrchestra, server_binary, text};
use rmcp::ServiceExt;
use rmcp::model::CallToolRequestParams;
use serde_json::{Value, json};

/// Replaces `${__dirname}` and `${user_config.NAME}` as a bundle host does.
fn fill(template: &str, dirname: &str, user_config: &BTreeMap<&str, String>) -> String {
    let mut filled = template.replace("${__dirname}", dirname);
    for (name, value) in user_config {
        filled = filled.replace(&format!("${{user_config.{name}}}"), value);
    }
    filled
}

#[tokio::test(flavor = "multi_thread")]
async fn the_bundle_packs_validates_and_serves_as_its_manifest_says() {
    ensure_clients();
    let out = tempfile::tempdir().unwrap();
    let bundle = out.path().join("orchestra-mcp.mcpb");
    let status = Command::new(workspace().join("packaging/mcpb/pack.sh"))
        .arg(server_binary())
        .arg(&bundle)
        .status()
        .expect("pack.sh runs");
    assert!(status.success(), "packing the bundle failed");
    let unpacked = out.path().join("unpacked");
    let status =
        Command::new(node_bin().join("mcpb")).arg("unpack").arg(&bundle).arg(&unpacked).status().expect("mcpb runs");
    assert!(status.success(), "mcpb unpack failed");

    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(unpacked.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["version"], env!("CARGO_PKG_VERSION"), "the bundle's version is the crate's");
    let config = &manifest["server"]["mcp_config"];
    for name in manifest["user_config"].as_object().unwrap().keys() {
        let used = config["env"].as_object().unwrap().values().any(|v| v.as_str().unwrap().contains(name.as_str()));
        assert!(used, "user_config.{name} reaches the server's environment");
    }
    assert_eq!(manifest["user_config"]["api_key"]["sensitive"], true, "the key is asked for as a secret");

    // What a user fills in: the key, the base URL (here the fake's), read-only on.
    let fake = FakeOrchestra::start(FakeOptions::default()).await.unwrap();
    let user_config = BTreeMap::from([
        ("api_key", fake.api_key().to_string()),
        ("base_url", fake.base_url()),
        ("read_only", "true".to_string()),
    ]);
    let dirname = unpacked.display().to_string();
    let mut command = tokio::process::Command::new(fill(config["command"].as_str().unwrap(), &dirname, &user_config));
    for arg in config["args"].as_array().unwrap() {
        command.arg(fill(arg.as_str().unwrap(), &dirname, &user_config));
    }
    let cache = out.path().join("cache");
    command.env_clear().env("ORCHESTRA_MCP_CACHE_DIR", &cache).env("ORCHESTRA_ALLOW_INSECURE_LOOPBACK", "1");
    for (name, value) in config["env"].as_object().unwrap() {
        command.env(name, fill(value.as_str().unwrap(), &dirname, &user_config));
    }
    let (transport, _) = rmcp::transport::TokioChildProcess::builder(command)
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("the bundled server starts");
    let client = ().serve(transport).await.expect("the bundled server initializes");

    let tools = client.list_all_tools().await.unwrap();
    assert!(tools.iter().any(|t| t.name == "whats_broken"), "the tools are served");
    assert!(!tools.iter().any(|t| t.name == "start_pipeline"), "read_only from the user's config is applied");
    let params = CallToolRequestParams::new("list_pipelines").with_arguments(json!({}).as_object().cloned().unwrap());
    let result = client.call_tool(params).await.unwrap();
    assert_ne!(result.is_error, Some(true), "{}", text(&result));
    let bearer = format!("Bearer {}", fake.api_key());
    assert!(fake.requests().iter().any(|r| r.header("authorization") == Some(bearer.as_str())), "the key was used");
    client.cancel().await.unwrap();
}
