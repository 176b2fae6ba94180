// Shared by the build scripts (through `include!`): gives a built component the contract's
// documentation as a `package-docs` custom section, which `wasm-tools component wit`,
// Wassette and other readers of WIT docs show.
//
// A component's WIT is decoded as a world `root` of a package `root:component`; the docs
// section can only describe that world (its own docs, the docs of each export line and of
// world-level functions), not the members of an interface from another package such as
// `orchestra:mcp/tools`. So each export line carries its interface's documentation,
// functions included.

/// Appends `package-docs` to the component at `wasm`, written to `out`. `world` is the
/// contract's world the component implements; its docs become the root world's.
#[allow(dead_code)]
fn add_package_docs(workspace: &std::path::Path, world: &str, wasm: &std::path::Path, out: &std::path::Path) {
    let fail = |what: &str, e: &dyn std::fmt::Display| -> ! { panic!("adding WIT docs to {}: {what}: {e}", wasm.display()) };
    let mut resolve = wit_parser::Resolve::default();
    let (contract, _) = resolve.push_dir(workspace.join("wit")).unwrap_or_else(|e| fail("reading wit/", &e));
    let package = &resolve.packages[contract];
    let world_id = *package.worlds.get(world).unwrap_or_else(|| fail("no such world", &world));
    let world_docs = resolve.worlds[world_id].docs.contents.clone().unwrap_or_default();

    let mut root = String::from("package root:component;\n\n");
    root.push_str(&doc_comment(&world_docs, ""));
    root.push_str("world root {\n");
    for (key, item) in &resolve.worlds[world_id].exports {
        let wit_parser::WorldItem::Interface { id, .. } = item else { continue };
        let name = resolve.id_of(*id).unwrap_or_else(|| fail("an inline export", &resolve.name_world_key(key)));
        root.push_str(&doc_comment(&interface_docs(&resolve, *id), "    "));
        root.push_str(&format!("    export {name};\n"));
    }
    root.push_str("}\n");
    write_package_docs(workspace, &root, wasm, out);
}

/// Appends the docs of `root_wit` (a `root:component` package whose world `root` has the
/// component's exports) to the component at `wasm`, written to `out`.
#[allow(dead_code)]
fn write_package_docs(workspace: &std::path::Path, root_wit: &str, wasm: &std::path::Path, out: &std::path::Path) {
    use wasm_encoder::ComponentSection;
    let fail = |what: &str, e: &dyn std::fmt::Display| -> ! { panic!("adding WIT docs to {}: {what}: {e}", wasm.display()) };
    let mut resolve = wit_parser::Resolve::default();
    resolve.push_dir(workspace.join("wit")).unwrap_or_else(|e| fail("reading wit/", &e));
    let root_package = resolve.push_str("root.wit", root_wit).unwrap_or_else(|e| fail("the root world", &e));
    let section = wit_parser::PackageMetadata::extract(&resolve, root_package)
        .encode()
        .unwrap_or_else(|e| fail("encoding the docs", &e));

    let mut bytes = std::fs::read(wasm).unwrap_or_else(|e| fail("reading", &e));
    wasm_encoder::CustomSection { name: "package-docs".into(), data: section.into() }.append_to_component(&mut bytes);
    let partial = out.with_extension("wasm.partial");
    std::fs::write(&partial, &bytes).unwrap_or_else(|e| fail("writing", &e));
    std::fs::rename(&partial, out).unwrap_or_else(|e| fail("renaming", &e));
}

/// An interface's docs followed by each function's, as markdown.
#[allow(dead_code)]
fn interface_docs(resolve: &wit_parser::Resolve, id: wit_parser::InterfaceId) -> String {
    let interface = &resolve.interfaces[id];
    let mut text = interface.docs.contents.clone().unwrap_or_default();
    text.push_str("\n\nFunctions:\n");
    for (name, function) in &interface.functions {
        let docs = function.docs.contents.as_deref().unwrap_or("").replace('\n', " ");
        text.push_str(&format!("\n- `{name}`: {docs}"));
    }
    text
}

#[allow(dead_code)]
fn doc_comment(text: &str, indent: &str) -> String {
    text.lines().map(|line| format!("{indent}/// {line}\n").replace("/// \n", "///\n")).collect()
}
