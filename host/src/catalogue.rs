//! The tool catalogue as MCP publishes it, read once from the component at start-up,
//! with a compiled input-schema validator per tool.

use std::collections::HashMap;
use std::sync::Arc;

use anyhow::{Context, bail};
use rmcp::model::{JsonObject, Tool, ToolAnnotations};
use serde_json::Value;

use crate::sandbox::ToolDescriptor;

pub struct Catalogue {
    tools: Vec<Tool>,
    validators: HashMap<String, jsonschema::Validator>,
    toolsets: HashMap<String, String>,
}

impl Catalogue {
    /// Converts the component's descriptors; a malformed schema fails start-up, loudly.
    pub fn new(descriptors: Vec<ToolDescriptor>) -> anyhow::Result<Self> {
        let mut tools = Vec::with_capacity(descriptors.len());
        let mut validators = HashMap::new();
        let mut toolsets = HashMap::new();
        for d in descriptors {
            let input = schema_object(&d.name, "input", &d.input_schema)?;
            let output = schema_object(&d.name, "output", &d.output_schema)?;
            let validator = jsonschema::validator_for(&Value::Object(input.clone()))
                .map_err(|e| anyhow::anyhow!("{}: invalid input schema: {e}", d.name))?;
            if validators.insert(d.name.clone(), validator).is_some() {
                bail!("the component lists the tool {} twice", d.name);
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
        Ok(Self { tools, validators, toolsets })
    }

    pub fn tools(&self) -> &[Tool] {
        &self.tools
    }

    pub fn get(&self, name: &str) -> Option<&Tool> {
        self.tools.iter().find(|t| t.name == name)
    }

    pub fn toolset(&self, name: &str) -> Option<&str> {
        self.toolsets.get(name).map(String::as_str)
    }

    /// Checks arguments against the tool's input schema. Each problem names the argument
    /// (as a JSON pointer below the arguments object) and what is wrong with it.
    pub fn validate(&self, name: &str, arguments: &Value) -> Result<(), Vec<String>> {
        let Some(validator) = self.validators.get(name) else {
            return Err(vec![format!("unknown tool {name}")]);
        };
        let problems: Vec<String> = validator
            .iter_errors(arguments)
            .map(|error| {
                let path = error.instance_path().as_str().trim_start_matches('/').to_string();
                let field = if path.is_empty() { "(arguments)".to_string() } else { path };
                let mut message = match error.kind() {
                    // The default wording lists only two options; a model needs them all.
                    jsonschema::error::ValidationErrorKind::Enum { options } => {
                        format!("{} is not one of {options}", error.instance())
                    }
                    _ => error.to_string(),
                };
                if message.len() > 300 {
                    let cut = (0..=300).rev().find(|i| message.is_char_boundary(*i)).unwrap_or(0);
                    message.truncate(cut);
                    message.push('…');
                }
                format!("{field}: {message}")
            })
            .collect();
        if problems.is_empty() { Ok(()) } else { Err(problems) }
    }
}

fn schema_object(tool: &str, which: &str, text: &str) -> anyhow::Result<JsonObject> {
    let value: Value = serde_json::from_str(text).with_context(|| format!("{tool}: {which} schema is not JSON"))?;
    match value {
        Value::Object(object) => Ok(object),
        _ => bail!("{tool}: {which} schema is not a JSON object"),
    }
}
