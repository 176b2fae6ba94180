//! The tool catalogue as MCP publishes it, read once from the component at start-up and
//! filtered by the operator's exposure choices, with an input-schema validator per exposed
//! tool, compiled at start-up (`new`) or when the tool is first called (`lazy`).

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use rmcp::model::{JsonObject, Tool, ToolAnnotations};
use serde_json::Value;

use crate::descriptor::ToolDescriptor;
use crate::exposure::{Exposure, ToolFacts};

pub struct Catalogue {
    tools: Vec<Tool>,
    /// Each exposed tool's input validator, compiled at start-up or on first use.
    validators: HashMap<String, OnceLock<Result<jsonschema::Validator, String>>>,
    toolsets: HashMap<String, String>,
    /// Tools the component has that this configuration leaves out.
    hidden: Vec<String>,
}

impl Catalogue {
    /// Converts the descriptors of the tools `exposure` lets through, with every input
    /// validator compiled, for a server that answers many calls. A malformed schema, a
    /// switch that names no tool or toolset, or a surface of no tools fails start-up,
    /// loudly, saying what to change.
    pub fn new(descriptors: Vec<ToolDescriptor>, exposure: &Exposure) -> Result<Self, String> {
        let catalogue = Self::lazy(descriptors, exposure)?;
        for (name, validator) in &catalogue.validators {
            if let Err(e) = validator.get_or_init(|| compile(name, &catalogue)) {
                return Err(e.clone());
            }
        }
        Ok(catalogue)
    }

    /// As [`Catalogue::new`], but each input validator is compiled when its tool is first
    /// called: for a server that answers one request per instance (the server component
    /// under `wasmtime serve`, a function call in Wassette), where compiling every
    /// validator for every request would cost more than the call.
    pub fn lazy(descriptors: Vec<ToolDescriptor>, exposure: &Exposure) -> Result<Self, String> {
        let facts: Vec<ToolFacts> = descriptors
            .iter()
            .map(|d| ToolFacts {
                name: &d.name,
                toolset: &d.toolset,
                read_only: d.annotations.read_only,
                opt_in: d.opt_in,
            })
            .collect();
        if let Err(problems) = exposure.check(&facts) {
            return Err(format!("the tool switches do not fit this server's tools: {}", problems.join("; ")));
        }
        let exposed = exposure.exposed(&facts);
        drop(facts);
        let mut tools = Vec::with_capacity(descriptors.len());
        let mut validators = HashMap::new();
        let mut toolsets = HashMap::new();
        let mut hidden = Vec::new();
        for (d, exposed) in descriptors.into_iter().zip(exposed) {
            if !exposed {
                hidden.push(d.name);
                continue;
            }
            let input = schema_object(&d.name, "input", &d.input_schema)?;
            let output = schema_object(&d.name, "output", &d.output_schema)?;
            if validators.insert(d.name.clone(), OnceLock::new()).is_some() {
                return Err(format!("the component lists the tool {} twice", d.name));
            }
            toolsets.insert(d.name.clone(), d.toolset.clone());
            let annotations = ToolAnnotations::with_title(d.title.clone())
                .read_only(d.annotations.read_only)
                .destructive(d.annotations.destructive)
                .idempotent(d.annotations.idempotent)
                .open_world(d.annotations.open_world);
            tools.push(
                Tool::new(d.name, d.description, Arc::new(input))
                    .with_title(d.title)
                    .with_raw_output_schema(Arc::new(output))
                    .with_annotations(annotations),
            );
        }
        Ok(Self { tools, validators, toolsets, hidden })
    }

    /// Whether the component has this tool but the configuration leaves it out.
    pub fn is_hidden(&self, name: &str) -> bool {
        self.hidden.iter().any(|h| h == name)
    }

    /// Why `name` cannot be called here (left out by the configuration, or unknown), or
    /// `None` when it is exposed.
    pub fn unavailable(&self, name: &str) -> Option<String> {
        if self.get(name).is_some() {
            return None;
        }
        if self.is_hidden(name) {
            return Some(format!(
                "the tool {name:?} is not enabled on this server; whoever runs it can enable it \
                 (ORCHESTRA_MCP_ENABLE_TOOLS={name}, unless the server is read-only)"
            ));
        }
        let known: Vec<&str> = self.tools.iter().map(|t| t.name.as_ref()).collect();
        let guess = match crate::suggest::nearest(name, known.iter().copied()) {
            Some(near) => format!("did you mean {near:?}? "),
            None => String::new(),
        };
        Some(format!("unknown tool {name:?}; {guess}this server has: {}", known.join(", ")))
    }

    pub fn tools(&self) -> &[Tool] {
        &self.tools
    }

    pub fn get(&self, name: &str) -> Option<&Tool> {
        self.tools.iter().find(|t| t.name == name)
    }

    /// Whether the tool's input schema declares this argument.
    pub fn takes(&self, name: &str, argument: &str) -> bool {
        self.get(name).and_then(|t| t.input_schema.get("properties")).is_some_and(|p| p.get(argument).is_some())
    }

    /// Whether the tool is annotated read-only (so a failed call changed nothing).
    pub fn is_read_only(&self, name: &str) -> bool {
        self.get(name).and_then(|t| t.annotations.as_ref()).and_then(|a| a.read_only_hint).unwrap_or(false)
    }

    pub fn toolset(&self, name: &str) -> Option<&str> {
        self.toolsets.get(name).map(String::as_str)
    }

    /// Checks arguments against the tool's input schema. Each problem names the argument
    /// (as a JSON pointer below the arguments object) and what is wrong with it; an unknown
    /// argument names the nearest real one. At most `MAX_PROBLEMS` are listed, the rest
    /// counted.
    pub fn validate(&self, name: &str, arguments: &Value) -> Result<(), Invalid> {
        /// Enough to fix the call; a list of thousands would only flood the context.
        const MAX_PROBLEMS: usize = 10;
        let Some(validator) = self.validators.get(name) else {
            return Err(Invalid { problems: vec![format!("(tool): unknown tool {name}")], more: 0 });
        };
        let validator = match validator.get_or_init(|| compile(name, self)) {
            Ok(validator) => validator,
            Err(e) => return Err(Invalid { problems: vec![format!("(tool): {e}")], more: 0 }),
        };
        let arguments_known: Vec<&str> = self
            .get(name)
            .and_then(|t| t.input_schema.get("properties"))
            .and_then(Value::as_object)
            .map(|p| p.keys().map(String::as_str).collect())
            .unwrap_or_default();
        let mut errors = validator.iter_errors(arguments);
        let problems: Vec<String> =
            errors.by_ref().take(MAX_PROBLEMS).map(|error| describe(&error, &arguments_known)).collect();
        let more = errors.count();
        if problems.is_empty() { Ok(()) } else { Err(Invalid { problems, more }) }
    }
}

/// Compiles the input validator of the exposed tool `name`.
fn compile(name: &str, catalogue: &Catalogue) -> Result<jsonschema::Validator, String> {
    let tool = catalogue.get(name).ok_or_else(|| format!("unknown tool {name}"))?;
    // Formats are checked: the schemas say `"format": "uuid"` for Orchestra's ids instead
    // of a long pattern, and the check must still refuse a malformed id before any call.
    jsonschema::options()
        .should_validate_formats(true)
        .build(&Value::Object((*tool.input_schema).clone()))
        .map_err(|e| format!("{name}: invalid input schema: {e}"))
}

/// Models often send `null` for an argument they mean to leave out; both servers treat it so.
pub fn drop_nulls(arguments: &mut Value) {
    if let Value::Object(map) = arguments {
        map.retain(|_, v| !v.is_null());
    }
}

/// Why arguments were refused: the first problems, each `field: what is wrong`, and how
/// many more there were.
#[derive(Debug)]
pub struct Invalid {
    pub problems: Vec<String>,
    pub more: usize,
}

/// One validation error as `field: what is wrong`, for a model.
fn describe(error: &jsonschema::ValidationError, arguments_known: &[&str]) -> String {
    use jsonschema::error::ValidationErrorKind;
    let path = error.instance_path().as_str().trim_start_matches('/').to_string();
    let field = if path.is_empty() { "(arguments)".to_string() } else { path };
    let mut message = match error.kind() {
        // The default wording lists only two options; a model needs them all.
        ValidationErrorKind::Enum { options } => format!("{} is not one of {options}", error.instance()),
        ValidationErrorKind::Format { format } if format == "uuid" => {
            format!(
                "{} is not an Orchestra id: expected a UUID such as 84e75049-b4c3-4a93-a595-21cff92bdb9d",
                error.instance()
            )
        }
        ValidationErrorKind::AdditionalProperties { unexpected } if field == "(arguments)" => {
            let each: Vec<String> = unexpected
                .iter()
                .map(|u| match crate::suggest::nearest(u, arguments_known.iter().copied()) {
                    Some(near) => format!("{u:?} (did you mean {near:?}?)"),
                    None => format!("{u:?}"),
                })
                .collect();
            format!("no such argument: {}; the arguments are {}", each.join(", "), arguments_known.join(", "))
        }
        _ => error.to_string(),
    };
    if message.len() > 300 {
        let cut = (0..=300).rev().find(|i| message.is_char_boundary(*i)).unwrap_or(0);
        message.truncate(cut);
        message.push('…');
    }
    format!("{field}: {message}")
}

fn schema_object(tool: &str, which: &str, text: &str) -> Result<JsonObject, String> {
    match serde_json::from_str(text) {
        Ok(Value::Object(object)) => Ok(object),
        Ok(_) => Err(format!("{tool}: the {which} schema is not a JSON object")),
        Err(e) => Err(format!("{tool}: the {which} schema is not JSON: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::descriptor::Annotations;

    fn tool(name: &str, input_schema: &str) -> ToolDescriptor {
        ToolDescriptor {
            name: name.into(),
            title: name.into(),
            description: "A tool.".into(),
            toolset: "triage".into(),
            input_schema: input_schema.into(),
            output_schema: r#"{"type":"object"}"#.into(),
            annotations: Annotations { read_only: true, destructive: false, idempotent: true, open_world: true },
            opt_in: false,
        }
    }

    #[test]
    fn a_lazy_catalogue_validates_alike_and_reports_a_broken_schema_on_first_use() {
        let good = r#"{"type":"object","properties":{"limit":{"type":"integer"}},"additionalProperties":false}"#;
        let broken = r#"{"type":"object","properties":{"limit":{"type":"no-such-type"}}}"#;
        let tools = || vec![tool("good", good), tool("broken", broken)];
        let refused = Catalogue::new(tools(), &Exposure::default()).err().expect("a broken schema fails start-up");
        assert!(refused.starts_with("broken: invalid input schema"), "{refused}");

        let lazy = Catalogue::lazy(tools(), &Exposure::default()).expect("nothing is compiled yet");
        assert!(lazy.validate("good", &serde_json::json!({"limit": 3})).is_ok());
        let invalid = lazy.validate("good", &serde_json::json!({"limit": "three"})).unwrap_err();
        assert!(invalid.problems[0].starts_with("limit: "), "{invalid:?}");
        let broken = lazy.validate("broken", &serde_json::json!({})).unwrap_err();
        assert!(broken.problems[0].starts_with("(tool): broken: invalid input schema"), "{broken:?}");
    }
}
