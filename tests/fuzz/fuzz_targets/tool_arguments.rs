//! Tool-argument validation as the server runs it before any guest code: arbitrary JSON
//! against every tool's input schema from the component's catalogue. Properties: nothing
//! panics, and every problem reported names a field and stays short enough for a model.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use orchestra_mcp_face::catalogue::Catalogue;
use orchestra_mcp_face::descriptor::{Annotations, ToolDescriptor};
use orchestra_mcp_face::exposure::Exposure;

/// The longest a problem's message may be, after the field name (the validator cuts at 300).
const MAX_MESSAGE: usize = 300 + '…'.len_utf8();

/// The component's catalogue, read by running the guest crate natively: the same
/// descriptors the component lists, without building a runtime into the fuzzer.
static CATALOGUE: LazyLock<Catalogue> = LazyLock::new(|| {
    let descriptors = orchestra_guest::tool_descriptors()
        .into_iter()
        .map(|d| ToolDescriptor {
            name: d.name,
            title: d.title,
            description: d.description,
            toolset: d.toolset,
            input_schema: d.input_schema,
            output_schema: d.output_schema,
            annotations: Annotations {
                read_only: d.annotations.read_only,
                destructive: d.annotations.destructive,
                idempotent: d.annotations.idempotent,
                open_world: d.annotations.open_world,
            },
            opt_in: d.opt_in,
        })
        .collect();
    Catalogue::new(descriptors, &Exposure::default()).expect("the catalogue is valid")
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
