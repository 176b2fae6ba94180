// Shared by the build scripts (through `include!`): composes the MCP server component by
// plugging the tools component into the adapter's `orchestra:mcp/tools` import, so the
// result imports only standard WASI and exports what the adapter exports.

/// Writes the composition of `adapter` over `tools` to `out`.
#[allow(dead_code)]
fn compose_server(tools: &std::path::Path, adapter: &std::path::Path, out: &std::path::Path) {
    let fail = |what: &str, e: &dyn std::fmt::Display| -> ! { panic!("composing {}: {what}: {e}", out.display()) };
    let mut graph = wac_graph::CompositionGraph::new();
    let mut register = |name: &str, path: &std::path::Path| {
        let package = wac_graph::types::Package::from_file(name, None, path, graph.types_mut())
            .unwrap_or_else(|e| fail(&format!("reading {}", path.display()), &e));
        graph.register_package(package).unwrap_or_else(|e| fail(name, &e))
    };
    let tools = register("orchestra:tools", tools);
    let adapter = register("orchestra:server-adapter", adapter);
    wac_graph::plug(&mut graph, vec![tools], adapter).unwrap_or_else(|e| fail("plugging the tools in", &e));
    let bytes = graph.encode(wac_graph::EncodeOptions::default()).unwrap_or_else(|e| fail("encoding", &e));
    let partial = out.with_extension("wasm.partial");
    std::fs::write(&partial, bytes).unwrap_or_else(|e| fail("writing", &e));
    std::fs::rename(&partial, out).unwrap_or_else(|e| fail("renaming", &e));
}
