//! Prints every tool of the catalogue, in its order, as a JSON array of `{name,
//! description, input_schema}` (the schema as JSON text). Run natively by host/build.rs
//! to generate the function world; a build step cannot depend on this crate directly,
//! because the published host crate is built without the guest's source.

fn main() {
    let tools: Vec<serde_json::Value> = orchestra_guest::tool_descriptors()
        .into_iter()
        .map(|tool| {
            serde_json::json!({
                "name": tool.name,
                "description": tool.description,
                "input_schema": tool.input_schema,
            })
        })
        .collect();
    println!("{}", serde_json::Value::Array(tools));
}
