//! JSON Schemas of tool arguments and results, derived from the Rust types that parse the
//! arguments and serialize the results, so a schema cannot drift from the code.

use schemars::JsonSchema;
use schemars::generate::SchemaSettings;
use serde_json::Value;

fn schema_for<T: JsonSchema>(settings: SchemaSettings) -> Value {
    // Inline everything: several MCP clients do not resolve `$ref`.
    let generator = settings.with(|s| s.inline_subschemas = true).into_generator();
    let mut schema = generator.into_root_schema_for::<T>().to_value();
    if let Some(object) = schema.as_object_mut() {
        // The Rust type name means nothing to a model.
        object.remove("title");
    }
    schema
}

/// The input schema of an arguments type (what the tool accepts).
pub fn input<T: JsonSchema>() -> Value {
    schema_for::<T>(SchemaSettings::draft2020_12().for_deserialize())
}

/// The output schema of a result type (what the tool returns).
pub fn output<T: JsonSchema>() -> Value {
    schema_for::<T>(SchemaSettings::draft2020_12().for_serialize())
}
