//! Checklist H8–H10 through the real binary: unexpected upstream JSON becomes a typed
//! error and the server keeps serving (H8); a list that never ends stops at the item cap
//! and says it is truncated (H9); hostile ids are refused before any request (H10).

use orchestra_tests::{FakeOptions, FakeOrchestra, Injection, Server, ServerOptions, http_get};
use serde_json::{Value, json};

async fn setup() -> (FakeOrchestra, Server) {
    let fake = FakeOrchestra::start(FakeOptions::default()).await.expect("fake starts");
    let server = Server::start(ServerOptions::for_fake(&fake)).await.expect("server starts");
    (fake, server)
}

/// One real run as the fake serves it, to build upstream answers from.
async fn a_run(fake: &FakeOrchestra) -> Value {
    let url = format!("{}/pipeline_runs?page_size=1", fake.base_url());
    let (status, body) =
        http_get(&url, &[("authorization", &format!("Bearer {}", fake.api_key()))]).await.expect("the fake answers");
    assert_eq!(status, 200);
    serde_json::from_slice::<Value>(&body).unwrap()["results"][0].clone()
}

#[tokio::test(flavor = "multi_thread")]
async fn h8_unexpected_upstream_json_is_a_typed_error_and_the_server_keeps_serving() {
    let (fake, server) = setup().await;
    let run = a_run(&fake).await;
    let mut missing = run.clone();
    missing.as_object_mut().unwrap().remove("pipelineId");
    let mut wrong_type = run.clone();
    wrong_type["createdAt"] = json!(12);
    let page = |results: Value, total: Value| json!({"page": 1, "pageSize": 50, "total": total, "results": results});
    let cases = [
        ("a run without a required field", 200, page(json!([missing]), json!(1)).to_string()),
        ("a field of the wrong type", 200, page(json!([wrong_type]), json!(1)).to_string()),
        ("a total that is not a number", 200, page(json!([]), json!("many")).to_string()),
        ("an HTML page", 200, "<html><body>Maintenance</body></html>".to_string()),
        ("an empty body", 200, String::new()),
        ("a list where an object belongs", 200, "[]".to_string()),
    ];
    for (what, status, body) in cases {
        fake.inject(Injection { path_contains: "/pipeline_runs".into(), status, body, ..Injection::default() });
        let text = server.err("list_pipeline_runs", json!({})).await;
        assert!(text.contains("could not be read") && text.contains("GET /pipeline_runs"), "{what}: {text}");
        server.ok("list_pipeline_runs", json!({"limit": 1})).await;
    }

    // An error page is reported with its status and a bounded excerpt.
    let page = format!("<html>{}</html>", "Bad Gateway ".repeat(400));
    fake.inject(Injection {
        path_contains: "/pipeline_runs".into(),
        status: 502,
        body: page,
        times: 3,
        ..Injection::default()
    });
    let text = server.err("list_pipeline_runs", json!({})).await;
    assert!(text.contains("502") && text.len() < 2_000, "{} characters: {text}", text.len());

    // Fields the spec does not name are kept, not refused.
    let mut extra = run.clone();
    extra["futureField"] = json!({"added": "later"});
    fake.inject(Injection {
        path_contains: "/pipeline_runs".into(),
        status: 200,
        body: json!({"page": 1, "pageSize": 50, "total": 1, "results": [extra]}).to_string(),
        ..Injection::default()
    });
    let out = server.ok("list_pipeline_runs", json!({"detail": "full"})).await;
    assert_eq!(out["runs"][0]["futureField"], json!({"added": "later"}));
}

#[tokio::test(flavor = "multi_thread")]
async fn h9_a_list_that_never_ends_stops_at_the_limit_and_says_so() {
    let (fake, server) = setup().await;
    let run = a_run(&fake).await;
    // Every page is full and the total is endless, whatever page is asked for.
    let endless = json!({"page": 1, "pageSize": 100, "total": 1_000_000_000u64, "results": vec![run; 100]}).to_string();
    fake.inject(Injection {
        path_contains: "/pipeline_runs".into(),
        status: 200,
        body: endless,
        times: 50,
        ..Injection::default()
    });
    fake.clear_requests();
    let out = server.ok("list_pipeline_runs", json!({"limit": 250})).await;
    let held = out["runs"].as_array().unwrap().len() as u64;
    assert_eq!((out["returned"].as_u64(), out["truncated"].as_bool()), (Some(held), Some(true)));
    assert!(
        held <= 250 && out["resultCut"]["lists"][0]["of"] == 250,
        "250 were read, then fitted: {}",
        out["resultCut"]
    );
    let pages = fake.requests().iter().filter(|r| r.path == "/pipeline_runs").count();
    assert_eq!(pages, 3, "three pages of 100 hold 250 runs; no more are asked for");
}

#[tokio::test(flavor = "multi_thread")]
async fn h10_hostile_ids_are_refused_before_any_request() {
    let (fake, server) = setup().await;
    let long = "a".repeat(257);
    let hostile =
        ["../pipelines", "a/b", "a?b=c", "a#b", "%2e%2e", " daily_refresh", "daily refresh", "daily\u{7}", &long];
    for id in hostile {
        for (tool, args) in [
            ("get_pipeline", json!({"pipeline_id_or_alias": id})),
            ("start_pipeline", json!({"pipeline_id_or_alias": id})),
            ("get_pipeline_run", json!({"pipeline_run_id": id})),
            ("list_task_runs", json!({"pipeline_run_id": id})),
            ("update_pipeline", json!({"pipeline_id_or_alias": id, "definition": {}, "published": false})),
        ] {
            let text = server.err(tool, args).await;
            assert!(text.contains("nothing was sent"), "{tool} {id:?}: {text}");
        }
    }
    assert!(fake.requests().is_empty(), "no hostile id reached Orchestra");
}
