//! The published tool surface is a reviewed artefact: `tools/list` must equal the committed
//! snapshot. After an intended change, regenerate it with `UPDATE_GOLDEN=1 cargo test`.

use orchestra_tests::{FakeOptions, FakeOrchestra, Server, ServerOptions};

#[tokio::test(flavor = "multi_thread")]
async fn tools_list_matches_the_golden_snapshot() {
    let fake = FakeOrchestra::start(FakeOptions::default()).await.unwrap();
    let server = Server::start(ServerOptions::for_fake(&fake)).await.unwrap();
    let current = serde_json::to_string_pretty(&server.tools).unwrap() + "\n";
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("golden").join("tools_list.json");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &current).unwrap();
        return;
    }
    let golden = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("{} is missing; create it with UPDATE_GOLDEN=1", path.display()));
    if golden != current {
        let fresh = path.with_extension("current.json");
        std::fs::write(&fresh, &current).unwrap();
        panic!(
            "tools/list differs from {}; the new surface is in {}. Review the diff, then accept it with UPDATE_GOLDEN=1",
            path.display(),
            fresh.display()
        );
    }
}
