//! Three `serve --http` replicas behind nginx (Debian's package) on loopback, with the
//! front configuration the project ships (`packaging/nginx/orchestra-mcp.conf`), driven by
//! rmcp's client in both protocol eras: every call answered, every replica serving, a
//! start with a repeated `dedupe_key` sent to Orchestra once, and a replica killed
//! mid-run costing only the calls it was answering.

use std::collections::{BTreeMap, BTreeSet};
use std::net::{IpAddr, Ipv4Addr};

use orchestra_tests::nginx::{Nginx, Passed};
use orchestra_tests::{Era, FakeOptions, FakeOrchestra, HttpServer, ServerOptions, call_over_http, http_client, text};
use rmcp::RoleClient;
use rmcp::model::CallToolResult;
use rmcp::service::RunningService;
use serde_json::{Value, json};

type Client = RunningService<RoleClient, ()>;

async fn replicas(fake: &FakeOrchestra) -> Vec<HttpServer> {
    let mut replicas = Vec::new();
    for _ in 0..3 {
        replicas.push(HttpServer::start(ServerOptions::for_fake(fake), "0").await.expect("a replica starts"));
    }
    replicas
}

fn urls(replicas: &[HttpServer]) -> Vec<&str> {
    replicas.iter().map(|r| r.url.as_str()).collect()
}

/// `host:port` of a replica, as nginx's log names it.
fn authority(replica: &HttpServer) -> String {
    replica.url.trim_start_matches("http://").trim_end_matches("/mcp").to_string()
}

async fn call(client: &Client, tool: &str, arguments: Value) -> CallToolResult {
    let result = call_over_http(client, tool, arguments).await.unwrap_or_else(|e| panic!("{tool}: no answer: {e}"));
    assert_eq!(result.is_error, Some(false), "{tool}: {}", text(&result));
    result
}

fn starts(fake: &FakeOrchestra) -> usize {
    fake.requests().iter().filter(|r| r.method == "POST" && r.path.ends_with("/start")).count()
}

fn run_id(result: &CallToolResult) -> String {
    result.structured_content.as_ref().and_then(|s| s["pipelineRunId"].as_str()).unwrap_or_default().to_string()
}

/// `clients` clients of `era` (the 2025-11-25 ones each from its own loopback address,
/// which the front hashes to pick its replica) each start twice with each of its
/// `keys_of(client)` and read six times: every call must be answered, and each key must
/// start one run in all, whichever clients used it.
async fn drive(nginx: &Nginx, fake: &FakeOrchestra, era: Era, clients: usize, keys_of: impl Fn(usize) -> Vec<String>) {
    let mut connected = Vec::new();
    for i in 0..clients {
        let from = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 10 + i as u8));
        let client = http_client(&nginx.url, &[], (era == Era::Sessions).then_some(from), era).await.unwrap();
        // Listing the tools tells a 2026-07-28 client which arguments also go in headers.
        client.list_tools(None).await.unwrap();
        connected.push((client, keys_of(i)));
    }
    let before = starts(fake);
    let started = futures::future::join_all(connected.iter().map(|(client, keys)| async move {
        let mut runs = Vec::new();
        for _ in 0..2 {
            for key in keys {
                let args = json!({"pipeline_id_or_alias": "hourly_ingest", "dedupe_key": key});
                runs.push((key.clone(), run_id(&call(client, "start_pipeline", args).await)));
            }
            for tool in ["list_pipelines", "check_connection", "whats_broken"] {
                call(client, tool, json!({})).await;
            }
        }
        runs
    }))
    .await;
    let keys: BTreeSet<&String> = connected.iter().flat_map(|(_, keys)| keys).collect();
    for key in &keys {
        let ids: BTreeSet<&String> = started.iter().flatten().filter(|(k, _)| k == *key).map(|(_, id)| id).collect();
        assert_eq!(ids.len(), 1, "{era:?}: every call with {key:?} got the same run: {ids:?}");
    }
    let unusual: Vec<Passed> =
        nginx.passed().await.into_iter().filter(|p| p.status != 200 || p.replicas.len() > 1).collect();
    assert_eq!(
        starts(fake) - before,
        keys.len(),
        "{era:?}: one start per dedupe_key, across all replicas (requests not plainly answered: {unusual:?}; nginx: {})",
        nginx.error_log()
    );
    for (client, _) in connected {
        let _ = client.cancel().await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn three_replicas_behind_nginx_answer_every_call_and_start_once_per_dedupe_key_in_both_eras() {
    let fake = FakeOrchestra::start(FakeOptions::default()).await.unwrap();
    let replicas = replicas(&fake).await;
    let nginx = Nginx::start(&urls(&replicas)).await.unwrap();

    // Stateless: any replica answers. All six clients use the same four keys, so a key's
    // repeats come from several clients; the front sends them all to that key's replica.
    drive(&nginx, &fake, Era::Stateless, 6, |_| (0..4).map(|k| format!("stateless-{k}")).collect()).await;
    let stateless: Vec<Passed> = nginx.passed().await.into_iter().filter(|p| p.method != "-").collect();
    // (A 400 start is rmcp's client race that `call` retries.)
    let refused = |p: &Passed| p.status == 400 && p.name == "start_pipeline";
    assert!(stateless.iter().all(|p| p.status == 200 || refused(p)), "{stateless:?}\n{}", nginx.error_log());
    for replica in &replicas {
        let served = stateless.iter().filter(|p| p.method == "tools/call" && p.replicas == [authority(replica)]);
        assert!(served.count() > 0, "every replica answers calls: {stateless:?}");
    }

    // Sessions: each client keeps to one replica for its whole session, so its repeats
    // are deduplicated there. (Its keys are its own: two clients on two replicas do not
    // share what each remembers.)
    drive(&nginx, &fake, Era::Sessions, 12, |i| vec![format!("sessions-{i}")]).await;
    let mut replica_of: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for p in nginx.passed().await.into_iter().filter(|p| p.method == "-") {
        replica_of.entry(p.client).or_default().extend(p.replicas);
    }
    assert_eq!(replica_of.len(), 12, "{replica_of:?}");
    assert!(replica_of.values().all(|r| r.len() == 1), "one replica per session: {replica_of:?}");
    let used: BTreeSet<&String> = replica_of.values().flatten().collect();
    assert!(used.len() >= 2, "the sessions spread over the replicas: {replica_of:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_replica_killed_mid_run_costs_only_the_calls_it_was_answering() {
    let fake =
        FakeOrchestra::start(FakeOptions { run_duration: std::time::Duration::from_secs(8), ..FakeOptions::default() })
            .await
            .unwrap();
    let mut replicas = replicas(&fake).await;
    let nginx = Nginx::start(&urls(&replicas)).await.unwrap();
    let mut clients = Vec::new();
    for _ in 0..24 {
        clients.push(http_client(&nginx.url, &[], None, Era::Stateless).await.unwrap());
    }
    let run = run_id(&call(&clients[0], "start_pipeline", json!({"pipeline_id_or_alias": "hourly_ingest"})).await);

    // 24 waits on the run, spread over the replicas; one replica dies while they wait.
    let waits = futures::future::join_all(clients.iter().map(|client| {
        call_over_http(client, "wait_for_run", json!({"pipeline_run_id": run, "poll_interval_seconds": 2}))
    }));
    let killed = authority(&replicas[1]);
    let (answers, ()) = tokio::join!(waits, async {
        tokio::time::sleep(std::time::Duration::from_secs(2)).await;
        replicas[1].kill().unwrap();
    });

    let passed = nginx.passed().await;
    let waited_on_killed =
        passed.iter().filter(|p| p.name == "wait_for_run" && p.replicas.last() == Some(&killed)).count();
    let lost = answers.iter().filter(|a| a.is_err()).count();
    assert!(lost > 0, "the killed replica was answering some of the waits: {passed:?}");
    assert_eq!(lost, waited_on_killed, "exactly the calls the killed replica held are lost: {}", nginx.error_log());
    for answer in answers.iter().flatten() {
        assert_eq!(answer.is_error, Some(false), "{}", text(answer));
        assert_eq!(answer.structured_content.as_ref().unwrap()["status"], "SUCCEEDED", "{}", text(answer));
    }

    // After it: every client, including those the dead replica answered, is served by the others.
    for client in &clients {
        call(client, "get_pipeline_run", json!({"pipeline_run_id": run})).await;
    }
    let after: Vec<_> = nginx.passed().await.into_iter().filter(|p| p.name == "get_pipeline_run").collect();
    assert_eq!(after.len(), clients.len());
    assert!(after.iter().all(|p| p.status == 200 && p.replicas.last() != Some(&killed)), "{after:?}");
}
