//! The published tool surface is a reviewed artefact: `tools/list` must equal the committed
//! snapshot. After an intended change, regenerate it with `UPDATE_GOLDEN=1 cargo test`.

use orchestra_tests::{FakeOptions, FakeOrchestra, Server, ServerOptions};

/// Every opt-in tool: naming them all adds them to the defaults, giving the whole catalogue.
const ALL_OPT_IN: &str = "delete_pipeline,delete_environment,create_asset,update_asset,delete_asset,\
                          add_asset_dependencies,get_integration_state,update_integration_state,\
                          get_azure_federated_credentials,import_pipeline,migrate_pipeline,\
                          create_environment,update_environment";

/// The configurations the tests run the server in, by name, with their environment.
const CONFIGURATIONS: [(&str, &[(&str, &str)]); 10] = [
    ("default", &[]),
    ("everything", &[("ORCHESTRA_MCP_ENABLE_TOOLS", ALL_OPT_IN)]),
    ("state_added", &[("ORCHESTRA_MCP_ENABLE_TOOLS", "get_integration_state,update_integration_state")]),
    (
        "asset_writes_added",
        &[("ORCHESTRA_MCP_ENABLE_TOOLS", "create_asset,update_asset,delete_asset,add_asset_dependencies")],
    ),
    ("delete_pipeline_allowlist", &[("ORCHESTRA_MCP_ENABLE_TOOLS", "delete_pipeline,list_pipelines")]),
    // A toolset never brings its opt-in tools: no environment writes, no asset writes.
    ("environments_toolset", &[("ORCHESTRA_MCP_ENABLE_ENVIRONMENTS", "true")]),
    ("assets_toolset", &[("ORCHESTRA_MCP_ENABLE_ASSETS", "true")]),
    ("read_only", &[("ORCHESTRA_MCP_READ_ONLY", "true")]),
    ("triage_only", &[("ORCHESTRA_MCP_ENABLE_TRIAGE", "true")]),
    ("no_writes_by_name", &[("ORCHESTRA_MCP_DISABLE_TOOLS", "start_pipeline,cancel_pipeline_run")]),
];

/// The whole catalogue, opt-in tools included.
#[tokio::test(flavor = "multi_thread")]
async fn tools_list_matches_the_golden_snapshot() {
    let fake = FakeOrchestra::start(FakeOptions::default()).await.unwrap();
    let env = orchestra_tests::env(&[("ORCHESTRA_MCP_ENABLE_TOOLS", ALL_OPT_IN)]);
    let server = Server::start(ServerOptions { env, ..ServerOptions::for_fake(&fake) }).await.unwrap();
    let current = serde_json::to_string_pretty(&server.tools).unwrap() + "\n";
    check_golden("tools_list.json", &current);
}

/// The tool names each configuration exposes (the full entries are in `tools_list.json`).
#[tokio::test(flavor = "multi_thread")]
async fn each_configuration_exposes_its_golden_tool_names() {
    let fake = FakeOrchestra::start(FakeOptions::default()).await.unwrap();
    let mut surfaces = serde_json::Map::new();
    for (name, env) in CONFIGURATIONS {
        let server = Server::start(ServerOptions { env: orchestra_tests::env(env), ..ServerOptions::for_fake(&fake) })
            .await
            .unwrap();
        let names: Vec<String> = server.tools.iter().map(|t| t.name.to_string()).collect();
        surfaces.insert(name.to_string(), names.into());
    }
    check_golden("exposure.json", &(serde_json::to_string_pretty(&surfaces).unwrap() + "\n"));
}

fn check_golden(file: &str, current: &str) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("golden").join(file);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, current).unwrap();
        return;
    }
    let golden = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("{} is missing; create it with UPDATE_GOLDEN=1", path.display()));
    if golden != current {
        let fresh = path.with_extension("current.json");
        std::fs::write(&fresh, current).unwrap();
        panic!(
            "tools/list differs from {}; the new surface is in {}. Review the diff, then accept it with UPDATE_GOLDEN=1",
            path.display(),
            fresh.display()
        );
    }
}
