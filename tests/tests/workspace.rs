//! Environments, operations, integration connections and accounts through the real binary
//! against the fake: filters travel as the spec spells them, and results agree with the
//! seeded runs.

use orchestra_tests::{FakeOptions, FakeOrchestra, Injection, Server, ServerOptions, array};
use serde_json::{Value, json};

async fn setup() -> (FakeOrchestra, Server) {
    let fake = FakeOrchestra::start(FakeOptions::default()).await.expect("fake starts");
    let server = Server::start(ServerOptions::for_fake(&fake)).await.expect("server starts");
    (fake, server)
}

#[tokio::test(flavor = "multi_thread")]
async fn environments_are_listed_and_read_by_name_or_id() {
    let (_fake, server) = setup().await;
    let list = server.ok("list_environments", json!({})).await;
    assert_eq!(array(&list["environments"]).len(), 2);
    assert_eq!(list["defaultEnvironment"], "Production");
    let staging_id =
        array(&list["environments"]).iter().find(|e| e["name"] == "Staging").unwrap()["environmentId"].clone();

    let by_name = server.ok("get_environment", json!({"environment": "staging"})).await;
    assert_eq!(by_name["environment"]["environmentId"], staging_id);
    assert_eq!(by_name["environment"]["values"]["WAREHOUSE"], json!({"type": "string", "value": "STAGING_WH"}));
    let by_id = server.ok("get_environment", json!({"environment": staging_id})).await;
    assert_eq!(by_id, by_name);

    let text = server.err("get_environment", json!({"environment": "Narnia"})).await;
    assert!(text.contains("Production, Staging"), "{text}");
    let text = server.err("get_environment", json!({"environment": "00000000-0000-4000-8000-000000000000"})).await;
    assert!(text.contains("404"), "{text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn operations_of_a_failed_dbt_task_show_the_failed_model() {
    let (fake, server) = setup().await;
    let failed_dbt = fake
        .snapshot()
        .task_runs
        .into_iter()
        .find(|t| t.2 == "FAILED" && t.3 == "DBT_CORE")
        .expect("the seed has a failed dbt task run");
    let out = server.ok("list_operations", json!({"task_run_id": failed_dbt.0, "time_from": "7d"})).await;
    let operations = array(&out["operations"]);
    assert_eq!(operations.len(), 3, "{out}");
    assert!(operations.iter().all(|o| o["taskRunId"] == failed_dbt.0.as_str()));
    assert!(operations.iter().any(|o| o["operationStatus"] == "FAILED" && o["operationName"] == "model.acme.orders"));

    let tests = server
        .ok(
            "list_operations",
            json!({"time_from": "2d", "operation_type": ["TEST", "INGESTION"], "integration": "FIVETRAN"}),
        )
        .await;
    assert!(array(&tests["operations"]).iter().all(|o| o["operationType"] == "INGESTION"), "{tests}");
    let sent = fake.requests().into_iter().rfind(|r| r.path == "/operations").unwrap();
    assert_eq!(sent.query_param("operation_type").as_deref(), Some("TEST,INGESTION"));
    assert_eq!(sent.query_param("integration").as_deref(), Some("FIVETRAN"));

    let text = server.err("list_operations", json!({"status": "BROKEN"})).await;
    assert!(text.contains("status"), "{text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn connections_are_filtered_and_failing_ones_are_named() {
    let (fake, server) = setup().await;
    let all = server.ok("list_integration_connections", json!({})).await;
    assert_eq!(all["failing"], json!(["tableau_cloud"]));
    assert!(array(&all["connections"]).len() > 3);
    let snowflake = server
        .ok("list_integration_connections", json!({"integration": "SNOWFLAKE", "auth_status": "SUCCEEDED"}))
        .await;
    assert_eq!(array(&snowflake["connections"]).len(), 2);
    let sent = fake.requests().into_iter().rfind(|r| r.path == "/integrations/connections").unwrap();
    assert_eq!(sent.query_param("authStatus").as_deref(), Some("SUCCEEDED"), "the spec's camelCase parameter");
}

#[tokio::test(flavor = "multi_thread")]
async fn accounts_come_from_the_platform_api_with_the_key() {
    let (fake, server) = setup().await;
    let out = server.ok("list_accounts", json!({})).await;
    assert_eq!(out["accounts"][0]["id"], orchestra_fake::ACCOUNT_ID);
    let sent = fake.requests().into_iter().find(|r| r.path == "/public/v1/accounts").expect("the Platform API path");
    assert!(sent.headers.iter().any(|(n, v)| n == "authorization" && v.starts_with("Bearer ")));
}

#[tokio::test(flavor = "multi_thread")]
async fn azure_federated_credentials_are_opt_in_and_per_workspace() {
    let (fake, server) = setup().await;
    assert!(!server.tools.iter().any(|t| t.name == "get_azure_federated_credentials"), "absent by default");
    let env = orchestra_tests::env(&[("ORCHESTRA_MCP_ENABLE_TOOLS", "get_azure_federated_credentials")]);
    let admin = Server::start(ServerOptions { env, ..ServerOptions::for_fake(&fake) }).await.unwrap();
    let out = admin.ok("get_azure_federated_credentials", json!({})).await;
    assert_eq!(out["audience"], "api://AzureADTokenExchange");
    assert!(out["subjectId"].as_str().unwrap().contains(orchestra_fake::ACCOUNT_ID), "{out}");
    let sent = fake.requests().pop().unwrap();
    assert_eq!(sent.path, "/compute_resources/azure/federated_credentials");
}

#[tokio::test(flavor = "multi_thread")]
async fn assets_are_filtered_sorted_and_found_by_either_id() {
    let (fake, server) = setup().await;
    let unhealthy = server
        .ok(
            "list_assets",
            json!({"status": ["UNHEALTHY", "WARNING"], "sort_column": "asset_name", "sort_direction": "asc"}),
        )
        .await;
    let names: Vec<&str> = array(&unhealthy["assets"]).iter().map(|a| a["assetName"].as_str().unwrap()).collect();
    assert_eq!(names, ["Revenue overview", "general_ledger", "orders"], "{unhealthy}");
    let sent = fake.requests().into_iter().rfind(|r| r.path == "/assets").unwrap();
    assert_eq!(sent.query_param("status").as_deref(), Some("UNHEALTHY,WARNING"));

    let marts = server
        .ok("list_assets", json!({"asset_type": ["TABLE"], "database_name": "ANALYTICS", "schema_name": "MARTS"}))
        .await;
    assert_eq!(marts["total"], 2);
    let orders = array(&marts["assets"]).iter().find(|a| a["assetName"] == "orders").unwrap().clone();

    let by_external = server.ok("get_asset", json!({"asset_id": "ANALYTICS.MARTS.ORDERS"})).await;
    assert_eq!(by_external["asset"]["assetId"], orders["assetId"]);
    let by_id = server.ok("get_asset", json!({"asset_id": orders["assetId"]})).await;
    assert_eq!(by_id, by_external);
    let some = server.ok("list_assets", json!({"asset_ids": [orders["assetId"]], "limit": 5})).await;
    assert_eq!(some["returned"], 1);

    let text = server.err("get_asset", json!({"asset_id": "../pipelines"})).await;
    assert!(text.contains("404"), "an odd id stays one path segment and is simply not found: {text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn environments_are_created_merged_into_and_deleted_only_when_enabled() {
    let (fake, default) = setup().await;
    // Every environment write is opt-in: absent by default, present when enabled by name.
    for write in ["create_environment", "update_environment", "delete_environment"] {
        assert!(!default.tools.iter().any(|t| t.name == write), "{write} is listed by default");
        let refused = default.try_call(write, json!({"environment": "Dev"})).await.unwrap_err().to_string();
        assert!(refused.contains(&format!("ORCHESTRA_MCP_ENABLE_TOOLS={write}")), "says how to enable it: {refused}");
    }
    let env = orchestra_tests::env(&[("ORCHESTRA_MCP_ENABLE_TOOLS", "create_environment,update_environment")]);
    let server = Server::start(ServerOptions { env, ..ServerOptions::for_fake(&fake) }).await.unwrap();
    let created = server
        .ok(
            "create_environment",
            json!({"name": "Dev", "values": {"WAREHOUSE": {"type": "string", "value": "DEV_WH"}, "RETRIES": {"type": "int", "value": 0}}}),
        )
        .await;
    assert_eq!(created["environment"]["defaultEnv"], false);
    fake.clear_requests();
    let text =
        server.err("create_environment", json!({"name": "Bad", "values": {"N": {"type": "int", "value": "x"}}})).await;
    assert!(text.contains("values/N"), "{text}");
    assert!(fake.requests().is_empty(), "a mistyped value is caught before sending");

    let updated = server
        .ok(
            "update_environment",
            json!({"environment": "dev", "values": {"ALERTS_ENABLED": {"type": "bool", "value": true}}, "remove_values": ["RETRIES"], "make_default": true}),
        )
        .await;
    let values = updated["environment"]["values"].as_object().unwrap();
    let mut names: Vec<&String> = values.keys().collect();
    names.sort();
    assert_eq!(names, ["ALERTS_ENABLED", "WAREHOUSE"], "merged, with RETRIES removed: {updated}");
    assert_eq!(updated["environment"]["defaultEnv"], true);
    let list = server.ok("list_environments", json!({})).await;
    assert_eq!(list["defaultEnvironment"], "Dev", "the old default was unset");

    let env = orchestra_tests::env(&[("ORCHESTRA_MCP_ENABLE_TOOLS", "delete_environment")]);
    let admin = Server::start(ServerOptions { env, ..ServerOptions::for_fake(&fake) }).await.unwrap();
    let tool = admin.tools.iter().find(|t| t.name == "delete_environment").expect("enabled by name");
    assert_eq!(tool.annotations.as_ref().and_then(|a| a.destructive_hint), Some(true));
    let text = admin.err("delete_environment", json!({"environment": "Dev"})).await;
    assert!(text.contains("default environment cannot be deleted"), "{text}");
    let out = admin.ok("delete_environment", json!({"environment": "Staging"})).await;
    assert_eq!(out["deleted"], true);
    assert_eq!(array(&admin.ok("list_environments", json!({})).await["environments"]).len(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_integration_catalogue_tells_what_a_task_needs() {
    let (fake, server) = setup().await;
    let all = server.ok("list_integrations", json!({})).await;
    let ids: Vec<&str> = array(&all["integrations"]).iter().map(|i| i["id"].as_str().unwrap()).collect();
    assert!(ids.contains(&"SNOWFLAKE") && !ids.contains(&"STITCH"), "retired ones are left out: {ids:?}");
    assert_eq!(all["catalogueSize"].as_u64(), Some(ids.len() as u64 + 1));
    let retired = server.ok("list_integrations", json!({"include_retired": true, "name_contains": "stit"})).await;
    assert_eq!(array(&retired["integrations"])[0]["status"], "DEPRECATED");
    let bi = server.ok("list_integrations", json!({"category": "business intelligence"})).await;
    let mut bi: Vec<&str> = array(&bi["integrations"]).iter().map(|i| i["id"].as_str().unwrap()).collect();
    bi.sort();
    assert_eq!(bi, ["POWER_BI", "TABLEAU_CLOUD"]);

    let snowflake = server.ok("get_integration", json!({"integration": "SNOWFLAKE"})).await;
    let job = &array(&snowflake["jobs"])[0];
    assert_eq!(job["id"], "SNOWFLAKE_RUN_QUERY");
    let statement = array(&job["parameters"]).iter().find(|p| p["name"] == "statement").unwrap();
    assert_eq!((statement["type"].as_str(), statement["required"].as_bool()), (Some("string"), Some(true)));
    assert_eq!(array(&snowflake["sensorChecks"])[0]["id"], "SNOWFLAKE_QUERY");
    let secret = array(&snowflake["connectionFields"]).iter().find(|f| f["name"] == "private_key").unwrap();
    assert_eq!(secret["format"], "password");
    let sent: Vec<String> = fake.requests().into_iter().map(|r| r.path).collect();
    assert!(sent.ends_with(&["/integrations/SNOWFLAKE".into(), "/integrations/jobs".into(), "/sensor_checks/".into()]));

    assert!(snowflake.get("setupGuide").is_none(), "the guide only when asked for");

    let guided = server.ok("get_integration", json!({"integration": "SNOWFLAKE", "setup_guide": true})).await;
    let guide = guided["setupGuide"].as_str().unwrap();
    assert!(guide.starts_with("# Connecting Snowflake") && guide.contains("`private_key`"), "{guide}");
    let sent = fake.requests().pop().unwrap();
    assert_eq!(sent.path, "/setup_guides/snowflake.md");
    let retired = server.ok("get_integration", json!({"integration": "STITCH", "setup_guide": true})).await;
    assert!(retired.get("setupGuide").is_none());
    let note = array(&retired["notes"])[0].as_str().unwrap();
    assert!(note.contains("404") && note.contains("Setup guide not found"), "a missing guide is a note: {note}");

    let text = server.err("get_integration", json!({"integration": "ZAPIER"})).await;
    assert!(text.contains("422") && text.contains("integration"), "not an Orchestra integration: {text}");
    let text = server.err("get_integration", json!({"integration": "snowflake"})).await;
    assert!(text.contains("integration"), "upper case, refused before sending: {text}");

    let checks = server.ok("list_sensor_checks", json!({"integration": "AWS_S3"})).await;
    let settings: Vec<&str> =
        array(&array(&checks["sensorChecks"])[0]["settings"]).iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(settings, ["bucket", "prefix"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn check_connection_reports_reachability_key_and_workspace_as_data() {
    let (fake, server) = setup().await;
    let out = server.ok("check_connection", json!({})).await;
    assert_eq!((out["reachable"].as_bool(), out["keyAccepted"].as_bool()), (Some(true), Some(true)), "{out}");
    assert_eq!(out["environments"], json!(["Production", "Staging"]));
    assert_eq!(out["workspace"]["id"], orchestra_fake::ACCOUNT_ID);
    assert_eq!(out["metadataApi"], true);
    assert_eq!(out["problems"], json!([]));
    assert_eq!(out["api"], fake.base_url().as_str());

    // A plan without the Metadata API: run history is refused, the rest works.
    fake.inject(Injection {
        path_contains: "/pipeline_runs".into(),
        status: 403,
        body: json!({"detail": "The Metadata API is not enabled for this account"}).to_string(),
        ..Injection::default()
    });
    let out = server.ok("check_connection", json!({})).await;
    assert_eq!((out["keyAccepted"].as_bool(), out["metadataApi"].as_bool()), (Some(true), Some(false)), "{out}");
    assert!(out["problems"][0].as_str().unwrap().contains("enterprise plan"), "{out}");

    let wrong_key =
        Server::start(ServerOptions { api_key: Some("not-the-key".into()), ..ServerOptions::for_fake(&fake) })
            .await
            .unwrap();
    let out = wrong_key.ok("check_connection", json!({})).await;
    assert_eq!((out["reachable"].as_bool(), out["keyAccepted"].as_bool()), (Some(true), Some(false)), "{out}");
    let problem = out["problems"][0].as_str().unwrap();
    assert!(problem.contains("401") && problem.contains("belongs to the Orchestra host"), "{problem}");
    assert!(!out.to_string().contains("not-the-key"), "the key never appears");

    let nowhere = Server::start(ServerOptions {
        base_url: "http://127.0.0.1:9/api/engine/public".into(),
        ..ServerOptions::for_fake(&fake)
    })
    .await
    .unwrap();
    let out = nowhere.ok("check_connection", json!({})).await;
    assert_eq!((out["reachable"].as_bool(), out["keyAccepted"].as_bool()), (Some(false), None), "{out}");
    let problem = out["problems"][0].as_str().unwrap();
    assert!(problem.contains("connection was refused") && problem.contains("base URL"), "{out}");
}

#[tokio::test(flavor = "multi_thread")]
async fn asset_writes_are_opt_in_and_keep_lineage_consistent() {
    let (fake, server) = setup().await;
    let writes = ["create_asset", "update_asset", "delete_asset", "add_asset_dependencies"];
    assert!(!server.tools.iter().any(|t| writes.contains(&t.name.as_ref())), "absent by default");
    let env = orchestra_tests::env(&[("ORCHESTRA_MCP_ENABLE_TOOLS", &writes.join(","))]);
    let admin = Server::start(ServerOptions { env, ..ServerOptions::for_fake(&fake) }).await.unwrap();
    assert!(admin.tools.iter().any(|t| t.name == "list_assets"), "naming only opt-in tools adds them to the defaults");

    let created = admin
        .ok(
            "create_asset",
            json!({"asset_name": "orders_enriched", "external_id": "ANALYTICS.MARTS.ORDERS_ENRICHED",
                   "integration": "SNOWFLAKE", "integration_account_id": "acme-prod", "asset_type": "TABLE",
                   "details": {"owners": ["ana@acme.test"], "database_name": "ANALYTICS", "meta": {"tier": 1}}}),
        )
        .await;
    assert_eq!(
        (created["asset"]["assetType"].as_str(), created["asset"]["status"].as_str()),
        (Some("TABLE"), Some("UNKNOWN"))
    );
    let sent = fake.requests().into_iter().find(|r| r.method == "POST" && r.path == "/assets").unwrap();
    let body: serde_json::Value = serde_json::from_slice(&sent.body).unwrap();
    assert_eq!((body["databaseName"].as_str(), body["owners"][0].as_str()), (Some("ANALYTICS"), Some("ana@acme.test")));
    let text = admin
        .err(
            "create_asset",
            json!({"asset_name": "x", "external_id": "ANALYTICS.MARTS.ORDERS_ENRICHED",
                                    "integration": "SNOWFLAKE", "integration_account_id": "acme-prod"}),
        )
        .await;
    assert!(text.contains("409") && text.contains("already exists"), "{text}");

    let updated = admin
        .ok(
            "update_asset",
            json!({"asset_id": "ANALYTICS.MARTS.ORDERS_ENRICHED", "details": {"description": "Orders with margins"}}),
        )
        .await;
    assert_eq!(updated["updated"], json!(["description"]));
    assert_eq!(updated["asset"]["owners"], json!(["ana@acme.test"]), "other details stay");
    let text = admin.err("update_asset", json!({"asset_id": "ANALYTICS.MARTS.ORDERS", "details": {}})).await;
    assert!(text.contains("details"), "{text}");

    let edges = json!({"edges": [
        {"upstream": "ANALYTICS.MARTS.ORDERS", "downstream": "ANALYTICS.MARTS.ORDERS_ENRICHED", "detail": "dbt ref"},
        {"upstream": "ANALYTICS.MARTS.ORDERS", "downstream": "ANALYTICS.MARTS.ORDERS_ENRICHED", "detail": "dbt ref"},
    ]});
    let out = admin.ok("add_asset_dependencies", edges).await;
    assert_eq!((out["requested"].as_u64(), out["created"].as_u64()), (Some(2), Some(1)));
    let orders = admin.ok("get_asset", json!({"asset_id": "ANALYTICS.MARTS.ORDERS"})).await;
    assert_eq!(orders["asset"]["downstreamDependencies"], json!(["ANALYTICS.MARTS.ORDERS_ENRICHED"]));
    let text = admin
        .err("add_asset_dependencies", json!({"edges": [{"upstream": "A.B.C", "downstream": "A.B.C", "detail": "x"}]}))
        .await;
    assert!(text.contains("edges/0") && text.contains("itself"), "{text}");

    let gone = admin.ok("delete_asset", json!({"asset_id": "ANALYTICS.MARTS.ORDERS_ENRICHED"})).await;
    assert_eq!(gone["assetName"], "orders_enriched");
    let orders = admin.ok("get_asset", json!({"asset_id": "ANALYTICS.MARTS.ORDERS"})).await;
    assert_eq!(orders["asset"]["downstreamDependencies"], json!([]), "its edges went with it");
    let text = admin.err("delete_asset", json!({"asset_id": "ANALYTICS.MARTS.ORDERS_ENRICHED"})).await;
    assert!(text.contains("404"), "{text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn integration_state_is_opt_in_read_and_merged() {
    let (fake, server) = setup().await;
    assert!(!server.tools.iter().any(|t| t.name.contains("integration_state")), "absent by default");
    let env = orchestra_tests::env(&[("ORCHESTRA_MCP_ENABLE_TOOLS", "get_integration_state,update_integration_state")]);
    let admin = Server::start(ServerOptions { env, ..ServerOptions::for_fake(&fake) }).await.unwrap();
    assert_eq!(admin.tools.len(), server.tools.len() + 2, "opt-in tools named alone are added to the defaults");

    let dbt = admin.ok("get_integration_state", json!({"integration": "DBT_CORE"})).await;
    assert_eq!(dbt["state"]["orders_daily"]["checksum"], "9f2c1e7a");
    let empty = admin.ok("get_integration_state", json!({"integration": "FIVETRAN"})).await;
    assert_eq!(empty["state"], json!({}));

    let text = admin
        .err(
            "update_integration_state",
            json!({"integration": "DBT_CORE",
              "state": {"customers": {"last_updated": "yesterday", "checksum": "x"}}}),
        )
        .await;
    assert!(text.contains("state/customers/last_updated"), "{text}");
    let out = admin
        .ok(
            "update_integration_state",
            json!({"integration": "DBT_CORE",
             "state": {"customers": {"last_updated": "2026-11-20T02:00:00Z", "checksum": "c0ffee",
                                     "sources": {"raw.customers": "2026-11-20T01:58:00Z"}}}}),
        )
        .await;
    assert_eq!(out["updated"], json!(["customers"]));
    let mut keys: Vec<&String> = out["state"].as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(keys, ["customers", "orders_daily"], "merged: {out}");
    // Results are camelCase like every other tool's; the API is written in its own snake_case.
    assert_eq!(out["state"]["customers"]["lastUpdated"], "2026-11-20T02:00:00Z", "{out}");
    assert!(out["state"]["customers"].get("last_updated").is_none(), "{out}");
    let patch = fake.requests().into_iter().find(|r| r.method == "PATCH").unwrap();
    assert_eq!(patch.path, "/state/DBT_CORE");
    let body: Value = serde_json::from_slice(&patch.body).unwrap();
    assert_eq!(body["state"]["customers"]["last_updated"], "2026-11-20T02:00:00Z", "{body}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_account_comes_from_config_or_the_call_and_travels_as_a_header() {
    let (fake, default) = setup().await;
    let other = "00000000-0000-4000-8000-000000000001";
    // No account configured: no header, the key's own account; and no `account_id`
    // argument unless asked for (it would lengthen every definition).
    default.ok("list_environments", json!({})).await;
    assert!(fake.requests().iter().all(|r| r.header("x-orchestra-account-id").is_none()));
    assert!(
        default.tools.iter().all(|t| !t.input_schema["properties"].as_object().unwrap().contains_key("account_id"))
    );
    let text = default.err("list_environments", json!({"account_id": other})).await;
    assert!(text.contains("no such argument") && text.contains("account_id"), "{text}");

    let env = orchestra_tests::env(&[("ORCHESTRA_ACCOUNT_ARGUMENT", "true")]);
    let server = Server::start(ServerOptions { env, ..ServerOptions::for_fake(&fake) }).await.unwrap();
    assert!(server.tools.iter().all(|t| t.input_schema["properties"]["account_id"]["format"] == "uuid"));

    let given = json!({"account_id": orchestra_fake::ACCOUNT_ID.to_uppercase()});
    server.ok("list_environments", given).await;
    let sent = fake.requests().pop().unwrap();
    assert_eq!(sent.header("x-orchestra-account-id"), Some(orchestra_fake::ACCOUNT_ID));
    let text = server.err("list_environments", json!({"account_id": other})).await;
    assert!(text.contains("403") && text.contains("account_id"), "{text}");
    fake.clear_requests();
    let text = server.err("list_environments", json!({"account_id": "acme"})).await;
    assert!(text.contains("account_id"), "{text}");
    assert!(fake.requests().is_empty(), "a malformed account is refused before sending");

    // A configured default goes on every request; a call's own account overrides it.
    let env = orchestra_tests::env(&[
        ("ORCHESTRA_ACCOUNT_ID", orchestra_fake::ACCOUNT_ID),
        ("ORCHESTRA_ACCOUNT_ARGUMENT", "true"),
    ]);
    let configured = Server::start(ServerOptions { env, ..ServerOptions::for_fake(&fake) }).await.unwrap();
    fake.clear_requests();
    configured.ok("whats_broken", json!({})).await;
    let requests = fake.requests();
    assert!(requests.len() >= 2);
    assert!(requests.iter().all(|r| r.header("x-orchestra-account-id") == Some(orchestra_fake::ACCOUNT_ID)));
    let text = configured.err("list_pipelines", json!({"account_id": other})).await;
    assert!(text.contains("403"), "{text}");

    let env = orchestra_tests::env(&[("ORCHESTRA_ACCOUNT_ID", "not-an-account")]);
    let refused = Server::start(ServerOptions { env, ..ServerOptions::for_fake(&fake) }).await;
    assert!(refused.is_err(), "a malformed default account stops start-up");
}
