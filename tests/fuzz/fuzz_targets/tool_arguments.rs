//! Tool-argument validation as the server runs it before any guest code: arbitrary JSON
//! against every tool's input schema from the embedded component. Properties: nothing
//! panics, and every problem reported names a field and stays short enough for a model.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use orchestra_mcp::catalogue::Catalogue;
use orchestra_mcp::config::{ComponentSource, Config};
use orchestra_mcp::exposure::Exposure;
use orchestra_mcp::sandbox::Sandbox;

/// The longest a problem's message may be, after the field name (the validator cuts at 300).
const MAX_MESSAGE: usize = 300 + '…'.len_utf8();

static CATALOGUE: LazyLock<Catalogue> = LazyLock::new(|| {
    let config = Config::new("http://127.0.0.1:9/api", None, true, ComponentSource::Embedded, None)
        .expect("a loopback base URL with the opt-in is accepted");
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a tokio runtime");
    let descriptors = runtime.block_on(async {
        let sandbox = Sandbox::new(&config).expect("the embedded component loads");
        sandbox.catalogue().await.expect("the embedded component lists its tools").tools.into_iter().map(Into::into).collect()
    });
    Catalogue::new(descriptors, &Exposure::default()).expect("the embedded catalogue is valid")
});

fuzz_target!(|data: &[u8]| {
    let Some((&pick, json)) = data.split_first() else { return };
    let Ok(arguments) = serde_json::from_slice::<serde_json::Value>(json) else { return };
    let tools = CATALOGUE.tools();
    let name = tools[usize::from(pick) % tools.len()].name.to_string();
    if let Err(invalid) = CATALOGUE.validate(&name, &arguments) {
        assert!(!invalid.problems.is_empty() && invalid.problems.len() <= 10, "a bounded list of problems");
        for problem in invalid.problems {
            let (field, message) = problem.split_once(": ").expect("a problem reads `field: message`");
            assert!(!field.is_empty());
            assert!(message.len() <= MAX_MESSAGE, "{} bytes: {message}", message.len());
        }
    }
});
