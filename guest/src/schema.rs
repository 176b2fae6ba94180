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
        // The Rust type name means nothing to a model, and 2020-12 is MCP's default dialect.
        object.remove("title");
        object.remove("$schema");
    }
    tidy(&mut schema, side);
    schema
}

/// Makes a derived schema portable and lean:
/// - drops Rust integer formats (`uint32` is not a JSON Schema format), declaring their
///   range instead (so an out-of-range number is refused by the schema, naming the field
///   and the bound), `"default": null` and `additionalProperties: true`;
/// - `type: [X, "null"]`, which single-type dialects (Gemini's OpenAPI subset) reject, becomes
///   plain `X` for an optional argument (the host treats a null argument as absent). Results
///   keep it: clients validate them with a JSON Schema validator, never show them to a model
///   as a function declaration, and one type array checks in one step what `anyOf` checks in
///   two subschemas.
fn tidy(value: &mut Value, side: Side) {
    // A schema is an object (or `true`/`false`, which need nothing).
    let Value::Object(map) = value else { return };
    if side == Side::Input {
        if let Some(Value::Array(types)) = map.get("type") {
            let non_null: Vec<&Value> = types.iter().filter(|t| *t != "null").collect();
            if let ([single], 2) = (non_null.as_slice(), types.len()) {
                map.insert("type".into(), (*single).clone());
            }
        }
        // An optional choice's `null` goes with its type's.
        if let Some(Value::Array(choices)) = map.get_mut("enum") {
            choices.retain(|c| !c.is_null());
        }
        // An empty list, an empty map and `false` are what leaving an argument out
        // means anyway.
        let says_nothing = |d: &Value| {
            d == &Value::Bool(false)
                || d.as_array().is_some_and(Vec::is_empty)
                || d.as_object().is_some_and(serde_json::Map::is_empty)
        };
        if map.get("default").is_some_and(says_nothing) {
            map.remove("default");
        }
        // A list's items are described by the list; their own description is their
        // Rust type's, written for this code's readers.
        if let Some(Value::Object(items)) = map.get_mut("items") {
            items.remove("description");
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
    // Neither validates anything (an object admits other properties unless told not to).
    if map.get("default").is_some_and(Value::is_null) {
        map.remove("default");
    }
    if map.get("additionalProperties") == Some(&Value::Bool(true)) {
        map.remove("additionalProperties");
    }
    subschemas(map).into_iter().for_each(|v| tidy(v, side));
    if side == Side::Output {
        lean_output(map);
    }
}

/// A schema object's own subschemas: the values of the keywords that hold schemas. Not
/// `properties` itself, whose keys are field names (a field may be called `default` or
/// `description`), nor `enum`, `default` or `required`, which hold data.
fn subschemas(map: &mut serde_json::Map<String, Value>) -> Vec<&mut Value> {
    let mut found = Vec::new();
    for (keyword, value) in map.iter_mut() {
        match (keyword.as_str(), value) {
            ("properties" | "patternProperties" | "$defs", Value::Object(named)) => found.extend(named.values_mut()),
            ("anyOf" | "oneOf" | "allOf" | "prefixItems", Value::Array(each)) => found.extend(each.iter_mut()),
            ("items" | "additionalProperties" | "contains" | "propertyNames" | "not" | "if" | "then" | "else", sub) => {
                found.push(sub)
            }
            _ => {}
        }
    }
    found
}

/// What a result's schema can leave out without admitting another value, so a client's
/// validator has less to do and `tools/list` less to carry: `description` (clients check
/// results against the schema and show a model the result, not the schema; the Rust doc
/// comments the descriptions came from stay, for this code's readers), `default` (which
/// validates nothing), and an `anyOf` of bare types, which becomes one type list (one check
/// instead of a subschema per branch). Runs after the children are tidied, so nested
/// `anyOf`s fold from the inside out.
fn lean_output(map: &mut serde_json::Map<String, Value>) {
    map.remove("description");
    map.remove("default");
    if map.contains_key("type") {
        return;
    }
    let Some(Value::Array(branches)) = map.get("anyOf") else { return };
    let mut types: Vec<Value> = Vec::new();
    for branch in branches {
        let Some(branch) = branch.as_object().filter(|b| b.len() == 1) else { return };
        let named = match branch.get("type") {
            Some(Value::String(t)) => vec![Value::String(t.clone())],
            Some(Value::Array(ts)) if ts.iter().all(Value::is_string) => ts.clone(),
            _ => return,
        };
        for t in named {
            if !types.contains(&t) {
                types.push(t);
            }
        }
    }
    map.remove("anyOf");
    map.insert("type".into(), Value::Array(types));
}

/// The input schema of an arguments type (what the tool accepts), plus `account_id` when
/// the tools take it ([`crate::args::account_argument`]).
pub fn input<T: JsonSchema>() -> Value {
    let mut schema = schema_for::<T>(SchemaSettings::draft2020_12().for_deserialize(), Side::Input);
    // `properties` even when empty: some clients read an object schema's properties without
    // checking that they are there.
    let properties = schema.as_object_mut().map(|s| s.entry("properties").or_insert_with(|| serde_json::json!({})));
    if !crate::args::account_argument() {
        return schema;
    }
    if let Some(properties) = properties.and_then(Value::as_object_mut) {
        properties.insert(
            crate::args::ACCOUNT_ID.to_string(),
            serde_json::json!({
                "type": "string",
                "format": "uuid",
                "description": "The account (workspace id, from list_accounts) to act in. Default: the server's.",
            }),
        );
    }
    schema
}

/// The output schema of a result type (what the tool returns), without descriptions, plus
/// the note a result carries when it was cut to fit the result budget.
pub fn output<T: JsonSchema>() -> Value {
    let mut schema = schema_for::<T>(SchemaSettings::draft2020_12().for_serialize(), Side::Output);
    if let Some(properties) = schema.get_mut("properties").and_then(Value::as_object_mut) {
        properties.insert(
            crate::budget::NOTE.to_string(),
            // Its fields (`budgetChars`, `originalChars`, `lists` of `list`, `kept` and `of`, and
            // `howToGetTheRest`) are not declared: in every tool's schema they cost 9 KB of
            // each `tools/list`, and the server's instructions describe the note once.
            serde_json::json!({"type": "object"}),
        );
    }
    schema
}
