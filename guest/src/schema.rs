//! JSON Schemas of tool arguments and results, derived from the Rust types that parse the
//! arguments and serialize the results, so a schema cannot drift from the code.

use schemars::JsonSchema;
use schemars::generate::SchemaSettings;
use serde_json::Value;

/// Which side of a call a schema describes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Input,
    Output,
}

fn schema_for<T: JsonSchema>(settings: SchemaSettings, side: Side) -> Value {
    // Inline everything: several MCP clients do not resolve `$ref`.
    let generator = settings.with(|s| s.inline_subschemas = true).into_generator();
    let mut schema = generator.into_root_schema_for::<T>().to_value();
    if let Some(object) = schema.as_object_mut() {
        // The Rust type name means nothing to a model.
        object.remove("title");
    }
    tidy(&mut schema, side);
    schema
}

/// Makes a derived schema portable and lean:
/// - drops Rust integer formats (`uint32` is not a JSON Schema format), declaring their
///   range instead (so an out-of-range number is refused by the schema, naming the field),
///   and `"default": null`;
/// - `type: [X, "null"]`, which single-type dialects (Gemini's OpenAPI subset) reject, becomes
///   plain `X` for an optional argument (the host treats a null argument as absent) and
///   `anyOf: [X, null]` in results, where null really occurs.
fn tidy(value: &mut Value, side: Side) {
    match value {
        Value::Object(map) => {
            if let Some(Value::Array(types)) = map.get("type") {
                let non_null: Vec<Value> = types.iter().filter(|t| *t != "null").cloned().collect();
                if non_null.len() == 1 && types.len() == 2 {
                    let single = non_null[0].clone();
                    match side {
                        Side::Input => {
                            map.insert("type".into(), single);
                        }
                        Side::Output => {
                            map.remove("type");
                            let mut branch = serde_json::Map::new();
                            branch.insert("type".into(), single);
                            // Keywords that belong to the non-null branch move with it.
                            for key in [
                                "properties",
                                "additionalProperties",
                                "items",
                                "required",
                                "enum",
                                "minimum",
                                "maximum",
                                "pattern",
                            ] {
                                if let Some(v) = map.remove(key) {
                                    branch.insert(key.into(), v);
                                }
                            }
                            map.insert(
                                "anyOf".into(),
                                Value::Array(vec![Value::Object(branch), serde_json::json!({"type": "null"})]),
                            );
                        }
                    }
                }
            }
            let rust_format = map
                .get("format")
                .and_then(Value::as_str)
                .filter(|f| ["int", "uint", "float", "double"].iter().any(|p| f.starts_with(p)))
                .map(str::to_string);
            if let Some(format) = rust_format {
                map.remove("format");
                let range: Option<(i64, u64)> = match format.as_str() {
                    "uint8" => Some((0, u8::MAX.into())),
                    "uint16" => Some((0, u16::MAX.into())),
                    "uint32" => Some((0, u32::MAX.into())),
                    "int32" => Some((i32::MIN.into(), i32::MAX as u64)),
                    _ => None,
                };
                if let (Some((low, high)), Side::Input) = (range, side) {
                    let tighter_max = map.get("maximum").and_then(Value::as_u64).is_some_and(|m| m <= high);
                    if !tighter_max {
                        map.insert("maximum".into(), high.into());
                    }
                    if !map.contains_key("minimum") {
                        map.insert("minimum".into(), low.into());
                    }
                }
            }
            if map.get("default").is_some_and(Value::is_null) {
                map.remove("default");
            }
            map.values_mut().for_each(|v| tidy(v, side));
        }
        Value::Array(items) => items.iter_mut().for_each(|v| tidy(v, side)),
        _ => {}
    }
}

/// The input schema of an arguments type (what the tool accepts), plus the `account_id`
/// every tool takes.
pub fn input<T: JsonSchema>() -> Value {
    let mut schema = schema_for::<T>(SchemaSettings::draft2020_12().for_deserialize(), Side::Input);
    let properties = schema.as_object_mut().map(|s| s.entry("properties").or_insert_with(|| serde_json::json!({})));
    if let Some(properties) = properties.and_then(Value::as_object_mut) {
        properties.insert(
            crate::args::ACCOUNT_ID.to_string(),
            serde_json::json!({
                "type": "string",
                "pattern": crate::args::UUID_PATTERN,
                "description": "The Orchestra account (workspace id) to act in, when the key can act in more than one \
                                (list_accounts shows them). Default: the server's configured account, else the key's own.",
            }),
        );
    }
    schema
}

/// The output schema of a result type (what the tool returns), plus the note a result
/// carries when it was cut to fit the result budget.
pub fn output<T: JsonSchema>() -> Value {
    let mut schema = schema_for::<T>(SchemaSettings::draft2020_12().for_serialize(), Side::Output);
    if let Some(properties) = schema.get_mut("properties").and_then(Value::as_object_mut) {
        properties.insert(
            crate::budget::NOTE.to_string(),
            serde_json::json!({
                "type": "object",
                "description": "Present when the result was longer than the server's result budget: which lists \
                                were shortened (`lists`: JSON Pointer, items kept, items in all) and how to get the rest.",
                "properties": {
                    "budgetChars": {"type": "integer"},
                    "originalChars": {"type": "integer"},
                    "lists": {"type": "array", "items": {"type": "object", "properties": {
                        "list": {"type": "string"}, "kept": {"type": "integer"}, "of": {"type": "integer"}}}},
                    "howToGetTheRest": {"type": "string"},
                },
            }),
        );
    }
    schema
}
